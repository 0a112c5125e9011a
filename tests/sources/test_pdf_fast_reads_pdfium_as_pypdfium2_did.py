"""pdf_fast binds pdfium itself (not through pypdfium2) and asks a text object's size and matrix
once for all its characters: every page of the test PDFs (and of the Jiangsu PDFs in ../shared when
it is there) gives the same characters — text, every float of the box, size — and the same ruling
lines as the per-character reading through pypdfium2 (tests/oracles/pdf_chars.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.sources import pdf_fast
from tests.oracles import pdf_chars

pytest.importorskip("pypdfium2")

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpus" / "budget"
PDFS = [ROOT / "tests" / "fixtures" / "renshe-2024-disclosure.pdf",
        ROOT / "samples" / "reference" / "shanghai-2024-template.pdf"]
JIANGSU = sorted(SHARED.glob("B*_jiangsu-*.pdf")) if SHARED.is_dir() else []


def fast_pages(data: bytes) -> list:
    lib = pdf_fast._library()
    doc = lib.FPDF_LoadMemDocument64(data, len(data), None)
    assert doc
    out = []
    try:
        for i in range(lib.FPDF_GetPageCount(doc)):
            page = lib.FPDF_LoadPage(doc, i)
            try:
                x0, y0, x1, y1 = pdf_fast._mediabox(lib, page)
                height = y1 - y0
                out.append((pdf_fast._chars(lib, page, height), pdf_fast._edges(lib, page, height)))
            finally:
                lib.FPDF_ClosePage(page)
    finally:
        lib.FPDF_CloseDocument(doc)
    return out


@pytest.mark.parametrize("path", PDFS + JIANGSU, ids=lambda p: p.name)
def test_characters_and_edges_are_those_read_through_pypdfium2(path):
    data = path.read_bytes()
    ours, theirs = fast_pages(data), pdf_chars.pages(data)
    assert len(ours) == len(theirs) > 15
    for page, (mine, ref) in enumerate(zip(ours, theirs)):
        assert mine == ref, f"page {page + 1}"
    assert sum(len(c) for c, _e in ours) > 5000


def test_a_file_pdfium_cannot_open_is_one_input_error_with_its_reason():
    from narrator.core.errors import InputError

    with pytest.raises(InputError) as e:
        pdf_fast.read_pdf(b"%PDF-1.4\n" + b"x" * 200 + b"\n%%EOF", "bad.pdf")
    assert str(e.value).startswith("bad.pdf: ") and "(PDFium: Data format error)" in str(e.value)


def test_a_pdfium_without_a_call_bound_here_leaves_the_file_to_the_reference(monkeypatch):
    def old_pdfium():
        raise AttributeError("libpdfium.so: undefined symbol: FPDFText_GetTextObject")

    monkeypatch.setattr(pdf_fast, "_LIB", None)
    monkeypatch.setattr(pdf_fast, "_load_pdfium", old_pdfium)
    assert pdf_fast.read_pdf(PDFS[0].read_bytes(), str(PDFS[0])) is None
