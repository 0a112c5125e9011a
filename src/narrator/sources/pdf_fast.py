"""A PDF's characters and ruling lines from pdfium (pypdfium2): the reading of ``documents._load_pdf``
without pdfminer's page interpretation, ~20× sooner.

Each page gives the same two things the reference takes from pdfplumber: its ruled tables
(pdfplumber's own table finder, run on the edges of pdfium's path objects, and only on pages that
hold a path) and the words outside them (pdfplumber's word grouping over pdfium's characters).
The characters are placed as pdfminer places them: the loose box's left, right and bottom, and
``top = bottom - size``; where pdfium draws a font the PDF does not embed, a glyph can reach past
the next character's origin, and its right edge is then taken as that origin (pdfminer's advance).
pdfium's own spaces and line ends are dropped; the PDF's spaces kept (they split words). Paths become edges as pdfminer classes them (line, rectangle,
curve) and pdfplumber turns those into edges. A page this does not place as pdfminer does (turned,
or a media box not at the origin) makes :func:`read_pdf` return None: the caller reads the file
with the reference.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

from narrator.core.errors import InputError
from narrator.core.messages import msg

WORD_SETTINGS = dict(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5, y_tolerance=3,
                     extra_attrs=["size"])


@dataclass
class PdfPage:
    """One page: tables as (bbox, rows of raw cell texts) and the word boxes outside them."""

    tables: list = field(default_factory=list)
    words: list = field(default_factory=list)


def read_pdf(data: bytes, name: str) -> list[PdfPage] | None:
    """The pages of a PDF's bytes, or None when a page needs the reference reader."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if raw.FPDF_GetLastError() == raw.FPDF_ERR_PASSWORD:
            raise InputError(msg("doc.pdf_encrypted"), name) from None
        raise InputError(msg("doc.pdf_corrupt", detail=str(e)[:80]), name) from None
    try:
        if len(doc) == 0:
            raise InputError(msg("doc.pdf_no_pages"), name)
        pages = []
        for i in range(len(doc)):
            page = doc[i]
            try:
                got = _read_page(page, raw)
            finally:
                page.close()
            if got is None:
                return None
            pages.append(got)
        return pages
    finally:
        doc.close()


def _read_page(page, raw) -> PdfPage | None:
    x0, y0, x1, y1 = page.get_mediabox()
    if page.get_rotation() or x0 or y0:
        return None
    height = y1 - y0
    try:
        chars = _chars(page, raw, height)
    except _NotUpright:
        return None
    edges = _edges(page, raw, height)
    out = PdfPage()
    boxes = []
    if edges:
        for bbox, rows in _tables(chars, edges):
            boxes.append(bbox)
            out.tables.append((bbox, rows))
    if boxes:
        chars = [c for c in chars if _outside(c, boxes)]
    if chars:
        from pdfplumber.utils import extract_words

        out.words = extract_words(chars, **WORD_SETTINGS)
    return out


class _NotUpright(Exception):
    """A turned or mirrored character: pdfminer places it otherwise; the reference reads the file."""


def _outside(obj, boxes) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


_BLANK = frozenset(" \r\n\xa0\u3000\ufffe\x00")   # pdfium adds such characters of its own (IsGenerated)


def _chars(page, raw, height: float) -> list[dict]:
    tp = page.get_textpage()
    try:
        h = tp.raw
        n = raw.FPDFText_CountChars(h)
        text = tp.get_text_range(0, n) if n else ""
        if len(text) != n:                 # a character outside the BMP: one call per character
            text = "".join(chr(raw.FPDFText_GetUnicode(h, k)) for k in range(n))
        box = raw.FS_RECTF()
        ref = ctypes.byref(box)
        m = raw.FS_MATRIX()
        mref = ctypes.byref(m)
        loose, font_size, matrix = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetFontSize, raw.FPDFText_GetMatrix
        generated = raw.FPDFText_IsGenerated
        out = []
        for k, ch in enumerate(text):
            if ch in _BLANK and (ch in "\r\n\x00\ufffe" or generated(h, k)):
                continue
            if not loose(h, k, ref):
                continue
            size = font_size(h, k)       # in text space: scaled by the character's matrix
            if matrix(h, k, mref):
                if m.b or m.c or m.a <= 0 or m.d <= 0:
                    raise _NotUpright
                size *= m.d
            bottom = height - box.bottom
            top = bottom - size
            if out:
                prev = out[-1]
                if prev["x0"] < box.left < prev["x1"] and abs(prev["bottom"] - bottom) < 1:
                    prev["x1"] = box.left       # a substituted font's glyph wider than its advance
                    prev["width"] = box.left - prev["x0"]
            out.append({"text": ch, "x0": box.left, "x1": box.right, "top": top, "bottom": bottom,
                        "doctop": top, "upright": True, "size": size, "width": box.right - box.left,
                        "height": size})
        return out
    finally:
        tp.close()


# --------------------------------------------------------------------------- tables

def _tables(chars: list, edges: list) -> list[tuple]:
    """pdfplumber's ``find_tables()`` with its default settings ("lines") and each table's
    ``extract()``: the same steps, with two of them indexed (cells, characters by row)."""
    from pdfplumber import table as pt
    from pdfplumber import utils

    st = pt.TableSettings.resolve(None)
    found = (utils.filter_edges(edges, "v", min_length=st.edge_min_length_prefilter)
             + utils.filter_edges(edges, "h", min_length=st.edge_min_length_prefilter))
    found = pt.merge_edges(found, snap_x_tolerance=st.snap_x_tolerance, snap_y_tolerance=st.snap_y_tolerance,
                           join_x_tolerance=st.join_x_tolerance, join_y_tolerance=st.join_y_tolerance)
    found = utils.filter_edges(found, min_length=st.edge_min_length)
    points = pt.edges_to_intersections(found, st.intersection_x_tolerance, st.intersection_y_tolerance)
    out = []
    for cells in pt.cells_to_tables(_cells(points)):
        t = pt.Table(None, cells)
        out.append((t.bbox, _extract(t, chars, utils.extract_text)))
    return out


def _cells(intersections: dict) -> list[tuple]:
    """pdfplumber's ``intersections_to_cells``, with each point's edges and its neighbours below
    and to the right looked up rather than searched for."""
    points = sorted(intersections)
    vs = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in intersections[p]["v"]} for p in points}
    hs = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in intersections[p]["h"]} for p in points}
    by_x: dict = {}
    by_y: dict = {}
    for p in points:                       # sorted by (x, top): each list stays in that order
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)

    def connects(p1, p2) -> bool:
        if p1[0] == p2[0] and not vs[p1].isdisjoint(vs[p2]):
            return True
        return p1[1] == p2[1] and not hs[p1].isdisjoint(hs[p2])

    cells = []
    for pt in points[:-1]:
        below = [q for q in by_x[pt[0]] if q > pt]
        right = [q for q in by_y[pt[1]] if q > pt]
        found = None
        for b in below:
            if not connects(pt, b):
                continue
            for r in right:
                if not connects(pt, r):
                    continue
                corner = (r[0], b[1])
                if corner in intersections and connects(corner, r) and connects(corner, b):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _extract(table, chars: list, extract_text) -> list[list]:
    """``Table.extract()``: the characters of each row found by their vertical middle in a sorted
    list, then each cell's as pdfplumber takes them (middle inside, right and bottom edges out)."""
    import bisect

    order = sorted(range(len(chars)), key=lambda i: (chars[i]["top"] + chars[i]["bottom"]) / 2)
    mids = [(chars[i]["top"] + chars[i]["bottom"]) / 2 for i in order]
    rows = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        lo, hi = bisect.bisect_left(mids, top), bisect.bisect_left(mids, bottom)
        picked = []
        for i in sorted(order[lo:hi]):      # page order, as pdfplumber keeps it
            c = chars[i]
            h_mid = (c["x0"] + c["x1"]) / 2
            if x0 <= h_mid < x1:
                picked.append(c)
        arr = []
        for cell in row.cells:
            if cell is None:
                arr.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            inside = [c for c in picked if cx0 <= (c["x0"] + c["x1"]) / 2 < cx1
                      and ctop <= (c["top"] + c["bottom"]) / 2 < cbottom]
            arr.append(cell_text(inside, extract_text) if inside else "")
        rows.append(arr)
    return rows


def cell_text(chars: list, extract_text) -> str:
    """pdfplumber's ``extract_text(chars)`` (default settings), sooner for the usual cell: one
    line of upright characters (tops less than 2.5 apart, so pdfplumber's clustering by a
    tolerance of 3 makes one line of them) — sorted by x0, a new word after a blank or a gap
    wider than 3, words joined by a space, ligatures expanded. Any other cell: ``extract_text``."""
    from pdfplumber.utils.text import LIGATURES

    tops = [c["top"] for c in chars]
    if max(tops) - min(tops) >= 2.5 or any(not c["upright"] or not c["text"] for c in chars):
        return extract_text(chars)
    words: list[str] = []
    word: list[str] = []
    last_x1 = None
    for c in sorted(chars, key=_x0):
        t = c["text"]
        if t.isspace():
            if word:
                words.append("".join(word))
                word = []
            continue
        if word and c["x0"] > last_x1 + 3:
            words.append("".join(word))
            word = []
        word.append(LIGATURES.get(t, t))
        last_x1 = c["x1"]
    if word:
        words.append("".join(word))
    return " ".join(words)


def _x0(c: dict) -> float:
    return c["x0"]


# --------------------------------------------------------------------------- ruling lines

def _edges(page, raw, height: float) -> list[dict]:
    edges: list[dict] = []
    hp = page.raw
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    walk = _Walker(raw, height, edges)
    for i in range(raw.FPDFPage_CountObjects(hp)):
        walk.object(raw.FPDFPage_GetObject(hp, i), identity)
    return edges


def _times(m, n) -> tuple:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _Walker:
    """The page's path objects (inside forms too) as pdfplumber edges; pdfium's calls bound once."""

    def __init__(self, raw, height: float, edges: list):
        self.raw, self.height, self.edges = raw, height, edges
        self.m = raw.FS_MATRIX()
        self.mref = ctypes.byref(self.m)
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.rx, self.ry = ctypes.byref(self.x), ctypes.byref(self.y)
        self.fill, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.rfill, self.rstroke = ctypes.byref(self.fill), ctypes.byref(self.stroke)
        self.PATH, self.FORM = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM
        self.MOVE, self.BEZIER = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO

    def matrix(self, obj) -> tuple:
        m = self.m
        if not self.raw.FPDFPageObj_GetMatrix(obj, self.mref):
            return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def object(self, obj, outer) -> None:
        raw = self.raw
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == self.FORM:
            m = _times(self.matrix(obj), outer)
            for i in range(raw.FPDFFormObj_CountObjects(obj)):
                self.object(raw.FPDFFormObj_GetObject(obj, i), m)
            return
        if kind != self.PATH:
            return
        if raw.FPDFPath_GetDrawMode(obj, self.rfill, self.rstroke) and not self.fill.value \
                and not self.stroke.value:
            return
        a, b, c, d, e, f = _times(self.matrix(obj), outer)
        get_seg, get_point = raw.FPDFPath_GetPathSegment, raw.FPDFPathSegment_GetPoint
        get_type, get_close = raw.FPDFPathSegment_GetType, raw.FPDFPathSegment_GetClose
        x, y, rx, ry = self.x, self.y, self.rx, self.ry
        MOVE, BEZIER = self.MOVE, self.BEZIER
        ops: list[str] = []
        pts: list[tuple] = []
        bezier = 0
        start = 0
        for i in range(raw.FPDFPath_CountSegments(obj)):
            seg = get_seg(obj, i)
            t = get_type(seg)
            get_point(seg, rx, ry)
            px, py = x.value, y.value
            p = (a * px + c * py + e, b * px + d * py + f)
            if t == BEZIER:
                bezier += 1
                if bezier % 3 == 0:          # pdfminer keeps a curve's end point only
                    ops.append("c")
                    pts.append(p)
            else:
                bezier = 0
                if t == MOVE:
                    start = len(ops)
                    ops.append("m")
                else:
                    ops.append("l")
                pts.append(p)
            if get_close(seg):
                ops.append("h")
                pts.append(pts[start])
        start = 0
        for i in range(1, len(ops) + 1):
            if i == len(ops) or ops[i] == "m":
                _subpath_edges("".join(ops[start:i]), pts[start:i], self.height, self.edges)
                start = i


def _subpath_edges(shape: str, pts: list, height: float, edges: list) -> None:
    """pdfminer's paint_path for one subpath, then pdfplumber's edges of what it made."""
    if shape[:1] != "m" or len(shape) < 2:
        return
    pts = list(pts)
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in ("mlh", "ml"):
        (ax, ay), (bx, by) = pts[0], pts[1]
        top, bottom = height - max(ay, by), height - min(ay, by)
        edges.append(_edge(min(ax, bx), max(ax, bx), top, bottom, "h" if top == bottom else "v"))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                 or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = height - max(y0, y2), height - min(y0, y2)
            edges.append(_edge(left, right, top, top, "h"))
            edges.append(_edge(left, right, bottom, bottom, "h"))
            edges.append(_edge(left, left, top, bottom, "v"))
            edges.append(_edge(right, right, top, bottom, "v"))
            return
    coords = [(px, height - py) for px, py in pts]
    for (ax, at), (bx, bt) in zip(coords, coords[1:]):
        orient = "v" if ax == bx else ("h" if at == bt else None)
        edges.append(_edge(min(ax, bx), max(ax, bx), min(at, bt), max(at, bt), orient))


def _edge(x0, x1, top, bottom, orientation) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "width": x1 - x0,
            "height": bottom - top, "orientation": orientation, "object_type": "edge"}
