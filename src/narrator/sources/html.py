"""A disclosure published as an HTML page, read with a real HTML parser (lxml).

The page's text comes out line by line (one line per paragraph, heading, list item or <br>);
each data <table> (one without tables inside it) comes out one row per line, cells separated
by tabs, with rowspan and colspan honoured: a spanned cell's text stands once, in its first
row and column, and the places it covers are empty cells — the layout the disclosure reader
knows from Word and PDF tables. Tables that hold tables (page layout) are read as blocks of
text. The encoding is the one the page declares (<meta charset> or http-equiv), else detected.
"""

from __future__ import annotations

import re

from narrator.core.errors import InputError
from narrator.core.messages import msg

_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "header",
          "footer", "main", "nav", "aside", "blockquote", "pre", "dl", "dt", "dd", "center", "form", "body",
          "caption", "figure", "figcaption", "hr", "address", "tr"}
_SKIP = {"script", "style", "head", "noscript", "template", "iframe", "object", "svg"}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares in its first bytes (<meta charset=…> or http-equiv content)."""
    m = _META.search(data[:4096])
    if not m:
        return None
    enc = m.group(1).decode("ascii").lower()
    return {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}.get(enc, enc)


def html_text(data: bytes, name: str) -> str:
    """The text of an HTML page in the disclosure reader's layout (see the module docstring)."""
    import lxml.html
    from lxml import etree

    from narrator.core.textio import decode_bytes

    enc = declared_encoding(data)
    text = None
    if enc:
        try:
            text = data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, _enc = decode_bytes(data, name)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise InputError(msg("doc.bad_html", detail=e), name) from None
    out: list[str] = []
    line: list[str] = []

    def flush() -> None:
        s = re.sub(r"[ \t\u00a0\r\n]+", " ", "".join(line)).strip()
        if s:
            out.append(s)
        line.clear()

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP or not isinstance(el.tag, str):
            if el.tail:
                line.append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            flush()
            out.extend(_table_rows(el))
        elif tag == "br":
            flush()
        else:
            block = tag in _BLOCK or tag in ("table", "td", "th")
            if block:
                flush()
            if el.text:
                line.append(el.text)
            for child in el:
                walk(child)
            if block:
                flush()
        if el.tail:
            line.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    page = "\n".join(out)
    if not page.strip():
        raise InputError(msg("doc.html_no_text"), name)
    return page


def _cell_text(el) -> str:
    parts = []
    for piece in el.itertext():
        parts.append(piece)
    text = re.sub(r"[\s\u00a0]+", " ", "".join(parts)).strip()
    return text.replace("\t", " ")


def _table_rows(table) -> list[str]:
    """A data table as tab-separated rows, rowspan and colspan honoured."""
    grid: dict[tuple[int, int], str] = {}
    rows = [tr for tr in table.iter("tr")]
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            rs = _span(td.get("rowspan"))
            cs = _span(td.get("colspan"))
            text = _cell_text(td)
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += cs
            width = max(width, c)
    out = []
    for r in range(len(rows)):
        cells = [grid.get((r, c), "") for c in range(width)]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            out.append("\t".join(cells))
    return out


def _span(v) -> int:
    try:
        return max(1, min(int(str(v).strip()), 200))
    except (TypeError, ValueError):
        return 1
