"""Loading a published disclosure — PDF, Word (.docx), Excel (.xlsx, .xls) or text — as one text.

Tables come out as rows: one line per row, cells separated by tabs (ruled PDF tables, Word
tables, worksheets). Text outside ruled tables comes out line by line; where a line's words
stand far apart (a table drawn without rules) they are laid out in columns of spaces, so the
table parser can still place each value under its header. Unreadable files raise
:class:`~narrator.errors.InputError` with one line naming the file.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.textio import decode_bytes, read_input_bytes

TEXT_SUFFIXES = {".txt", ".text", ".md", ".tsv", ".csv", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}


@dataclass
class Document:
    """A disclosure as text. ``kind`` is "text", "pdf", "docx", "xlsx", "xls" or "html"."""

    text: str
    source: str
    kind: str
    encoding: str | None = None
    pages: int | None = None


def load_document(path: str | os.PathLike) -> Document:
    """Read a disclosure file into a :class:`Document` (see the module docstring)."""
    name = str(path)
    p = Path(path)
    data = read_input_bytes(p, name)
    if not data.strip():
        raise InputError(msg("input.empty"), name)
    suffix = p.suffix.lower()
    if data.startswith(b"%PDF-") or suffix == ".pdf":
        return _load_pdf(data, name)
    if suffix in (".docx", ".docm"):
        return _load_docx(data, name)
    if suffix in (".xlsx", ".xlsm"):
        return _load_xlsx(data, name)
    if suffix == ".xls":
        return _load_xls(data, name)
    if suffix in HTML_SUFFIXES:
        from narrator.sources.html import html_text

        return Document(_newlines(html_text(data, name)), name, "html")
    if suffix in (".doc", ".wps", ".et"):
        raise InputError(msg("doc.old_office", suffix=suffix), name)
    if suffix in TEXT_SUFFIXES:
        text, enc = decode_bytes(data, name)
        return Document(_newlines(text), name, "text", encoding=enc)
    raise InputError(msg("doc.unsupported", suffix=suffix or msg("doc.no_suffix")),
                     name)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- PDF

def _load_pdf(data: bytes, name: str) -> Document:
    if not data.startswith(b"%PDF-"):
        raise InputError(msg("doc.not_pdf"), name)
    if b"%%EOF" not in data[-2048:]:
        raise InputError(msg("doc.pdf_truncated"), name)
    from narrator.core import fast

    pages = _pdf_pages_fast(data, name) if fast.ENABLED else None
    if pages is None:
        pages = _pdf_pages(data, name)
    text = "\n\f".join(pages)
    if not re.search(r"\S", text):
        raise InputError(msg("doc.pdf_no_text"), name)
    return Document(text, name, "pdf", pages=len(pages))


def _pdf_pages_fast(data: bytes, name: str) -> list[str] | None:
    """The pages' texts from pdfium (sources/pdf_fast.py); None when a page needs the reference."""
    from narrator.sources.pdf_fast import read_pdf

    try:
        pages = read_pdf(data, name)
    except InputError:
        raise
    except Exception as e:  # pdfium and the table finder on a damaged file
        raise InputError(msg("doc.pdf_corrupt", detail=f"{type(e).__name__}: {str(e)[:80]}"), name) from None
    if pages is None:
        return None
    return [_page_text_of(p.tables, p.words) for p in pages]


def _pdf_pages(data: bytes, name: str) -> list[str]:
    """The reference: pdfplumber (pdfminer) on every page."""
    _check_encryption(data, name)
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(_page_text(page))
    except PDFPasswordIncorrect:
        raise InputError(msg("doc.pdf_encrypted"), name) from None
    except InputError:
        raise
    except Exception as e:  # pdfminer raises many kinds on damaged files
        raise InputError(msg("doc.pdf_corrupt", detail=f"{type(e).__name__}: {str(e)[:80]}"), name) from None
    return pages


def _check_encryption(data: bytes, name: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        if encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise InputError(msg("doc.pdf_encrypted"), name)
        if len(reader.pages) == 0:
            raise InputError(msg("doc.pdf_no_pages"), name)
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError(msg("doc.pdf_corrupt", detail=str(e)[:80]), name) from None


def _page_text(page) -> str:
    """One page read by pdfplumber: its ruled tables and the words outside them."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    words = rest.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5,
                               y_tolerance=3, extra_attrs=["size"])
    return _page_text_of([(t.bbox, t.extract()) for t in tables], words)


def _page_text_of(tables, words) -> str:
    """One page: ruled tables (bbox, rows of cells) as tab-separated rows, the other words as
    lines, in reading order."""
    blocks: list[tuple[float, str]] = []
    for bbox, rows_in in tables:
        rows = []
        for row in rows_in:
            cells = [_cell_text(c) for c in row]
            if any(cells):
                rows.append("\t".join(cells))
        if rows:
            blocks.append((bbox[1], "\n".join(rows)))
    blocks.extend(_word_lines(words))
    blocks.sort(key=lambda b: b[0])
    return "\n".join(text for _top, text in blocks)


def _cell_text(cell) -> str:
    """A table cell: wrapped lines joined (CJK without a space), tabs and blanks squeezed."""
    if cell is None:
        return ""
    parts = [p.strip() for p in str(cell).splitlines() if p.strip()]
    out = ""
    for part in parts:
        if out and (out[-1].isascii() and out[-1].isalnum()) and (part[0].isascii() and part[0].isalnum()):
            out += " "
        out += part
    return re.sub(r"[\t ]+", " ", out)


def _column(dx: float, unit: float) -> int:
    """The character column of a word ``dx`` points from the left margin. The ratio is rounded to
    1/1000 first, so that a word exactly half-way (x.5, kept to the even column) stays there when
    its position comes as a 32-bit float (pdfium) rather than as written in the PDF (pdfminer)."""
    return int(round(round(dx / unit, 3)))


def _word_lines(words: list[dict]) -> list[tuple[float, str]]:
    """Text lines from word positions; far-apart words are laid out as space-aligned columns."""
    if not words:
        return []
    sizes = sorted(w["size"] for w in words)
    em = sizes[len(sizes) // 2] or 10.0
    unit = em / 2                      # one character column: half a CJK glyph
    left = min(w["x0"] for w in words)
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for ws in lines:
        ws.sort(key=lambda w: w["x0"])
        text = ""
        prev = None
        for w in ws:
            if prev is None:
                col = _column(w["x0"] - left, unit)
                text = " " * col
            else:
                gap = w["x0"] - prev["x1"]
                if gap > em:
                    col = _column(w["x0"] - left, unit)
                    text += " " * max(2, col - len(text))
                elif gap > em * 0.15:
                    text += " "
            text += w["text"]
            prev = w
        out.append((ws[0]["top"], text.rstrip()))
    return out


# --------------------------------------------------------------------------- Word

def _zip_or_fail(data: bytes, name: str, what: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(msg("doc.not_zip", kind=what),
                         name)


def _load_docx(data: bytes, name: str) -> Document:
    _zip_or_fail(data, name, ".docx")
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise InputError(msg("doc.bad_docx", detail=f"{type(e).__name__}: {str(e)[:80]}"), name) from None
    lines: list[str] = []
    for item in d.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(item.text.replace("\t", " "))
        elif isinstance(item, Table):
            lines.extend(_docx_table(item))
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(msg("doc.docx_no_text"), name)
    return Document(text, name, "docx")


def _docx_table(table) -> list[str]:
    out = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:        # a merged cell repeats: keep its text once
                cells.append("")
                continue
            seen.add(key)
            cells.append(_cell_text("\n".join(p.text for p in cell.paragraphs)))
        if any(cells):
            out.append("\t".join(cells))
    return out


# --------------------------------------------------------------------------- Excel

def _load_xlsx(data: bytes, name: str) -> Document:
    _zip_or_fail(data, name, ".xlsx")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:
        raise InputError(msg("doc.bad_xlsx", detail=f"{type(e).__name__}: {str(e)[:80]}"), name) from None
    lines: list[str] = []
    for ws in wb.worksheets:
        lines.append(ws.title)
        for row in ws.iter_rows():
            cells = [_xlsx_cell(c) for c in row]
            if any(cells):
                lines.append("\t".join(cells).rstrip("\t"))
    wb.close()
    return Document("\n".join(lines), name, "xlsx")


def _load_xls(data: bytes, name: str) -> Document:
    """An old binary workbook (.xls): its sheets as rows, exactly as an .xlsx's."""
    from narrator.sources.workbook.xls import load_xls

    book = load_xls(data, name)
    lines: list[str] = []
    for ws in book.worksheets:
        lines.append(ws.title)
        for row in ws.iter_rows():        # only the cells that hold a value: re-place them by column
            cells = [""] * (max(c.column for c in row) if row else 0)
            for c in row:
                cells[c.column - 1] = _xlsx_cell(c)
            if any(cells):
                lines.append("\t".join(cells).rstrip("\t"))
    return Document("\n".join(lines), name, "xls")


def _xlsx_cell(cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        fmt = getattr(cell, "number_format", "") or ""
        m = re.search(r"0\.(0+)", fmt)
        if m:
            d = d.quantize(Decimal(1).scaleb(-len(m.group(1))))
        return f"{d:f}"
    return str(v).replace("\t", " ").replace("\n", "")
