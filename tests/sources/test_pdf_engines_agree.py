"""The fast PDF reader (pdfium characters and paths, sources/pdf_fast.py) reads every PDF the tests
use exactly as the reference (pdfplumber on every page): the same text, so the same figures and the
same findings. Here the sample disclosure as a PDF (benchmarks/make_sample_pdf.py) and the Shanghai
template; tests/sources/test_documents.py compares the reportlab disclosure of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.core import fast
from narrator.pipeline import check_file
from narrator.sources.disclosure import parse_tables
from narrator.sources.documents import load_document

ROOT = Path(__file__).resolve().parents[2]
PDFS = [ROOT / "tests" / "fixtures" / "renshe-2024-disclosure.pdf",
        ROOT / "samples" / "reference" / "shanghai-2024-template.pdf"]


def read_both(path: Path, monkeypatch) -> tuple:
    """(fast reading, reference reading) of one file: the Document and check_file's result."""
    out = []
    for enabled in (True, False):
        monkeypatch.setattr(fast, "ENABLED", enabled)
        out.append((load_document(path), check_file(path, None, "standard")))
    monkeypatch.setattr(fast, "ENABLED", True)
    return tuple(out)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_both_engines_give_the_same_text_figures_and_findings(path, monkeypatch):
    (doc_fast, res_fast), (doc_ref, res_ref) = read_both(path, monkeypatch)
    assert doc_fast.pages == doc_ref.pages
    assert doc_fast.text == doc_ref.text
    assert parse_tables(doc_fast.text, str(path))[0] == parse_tables(doc_ref.text, str(path))[0]
    assert [f.render() for f in res_fast.findings] == [f.render() for f in res_ref.findings]


def test_the_sample_pdf_is_read_as_a_disclosure(monkeypatch):
    path = PDFS[0]
    doc = load_document(path)
    assert doc.kind == "pdf" and 25 <= doc.pages <= 30
    tree, _findings = parse_tables(doc.text, str(path))
    assert tree["单位"] == "区人社局" and tree["年度"] == 2024
    assert "收入支出决算总表" in tree and "支出决算表" in tree
    result = check_file(path, None, "standard")
    assert any(f.code.startswith("N") for f in result.findings)    # the 情况说明 was checked against the tables
