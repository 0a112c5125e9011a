"""A PDF's characters and ruling lines from pdfium: the reading of ``documents._load_pdf`` without
pdfminer's page interpretation, ~20× sooner.

Each page gives the same two things the reference takes from pdfplumber: its ruled tables
(pdfplumber's table finder, run on the edges of pdfium's path objects, and only on pages that
hold a path) and the words outside them (pdfplumber's word grouping over pdfium's characters);
both as pdf_layout.py writes them again, so that neither pdfplumber nor pdfminer is imported.
pdfium is the library pypdfium2 ships, called through ctypes with the few functions bound here
(:func:`_library`), without importing pypdfium2's bindings of every function.
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
from narrator.sources.pdf_layout import LIGATURES, extract_text, extract_words, find_tables

# pdfplumber's extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5,
# y_tolerance=3, extra_attrs=["size"]), as the reference reads the words outside the tables
WORD_SETTINGS = dict(x_tolerance=1.5, y_tolerance=3, extra_attrs=("size",))


@dataclass
class PdfPage:
    """One page: tables as (bbox, rows of raw cell texts) and the word boxes outside them."""

    tables: list = field(default_factory=list)
    words: list = field(default_factory=list)


def read_pdf(data: bytes, name: str) -> list[PdfPage] | None:
    """The pages of a PDF's bytes, or None when a page needs the reference reader (or when the
    pdfium found lacks a call bound here: an old pypdfium2)."""
    try:
        lib = _library()
    except (OSError, AttributeError, ImportError):
        return None
    doc = lib.FPDF_LoadMemDocument64(data, len(data), None)
    if not doc:
        err = lib.FPDF_GetLastError()
        if err == _ERR_PASSWORD:
            raise InputError(msg("doc.pdf_encrypted"), name)
        detail = f"Failed to load document (PDFium: {_ERRORS.get(err, f'Error {err}')})."
        raise InputError(msg("doc.pdf_corrupt", detail=detail[:80]), name)
    try:
        count = lib.FPDF_GetPageCount(doc)
        if count == 0:
            raise InputError(msg("doc.pdf_no_pages"), name)
        pages = []
        for i in range(count):
            page = lib.FPDF_LoadPage(doc, i)
            if not page:
                raise PdfiumError("Failed to load page.")
            try:
                got = _read_page(lib, page)
            finally:
                lib.FPDF_ClosePage(page)
            if got is None:
                return None
            pages.append(got)
        return pages
    finally:
        lib.FPDF_CloseDocument(doc)


def _read_page(lib, page) -> PdfPage | None:
    x0, y0, x1, y1 = _mediabox(lib, page)
    rotation = lib.FPDFPage_GetRotation(page)
    if rotation == -1:
        raise PdfiumError("Failed to get page rotation.")
    if rotation or x0 or y0:
        return None
    height = y1 - y0
    try:
        chars = _chars(lib, page, height)
    except _NotUpright:
        return None
    edges = _edges(lib, page, height)
    out = PdfPage()
    boxes = []
    if edges:
        for bbox, rows in _tables(chars, edges):
            boxes.append(bbox)
            out.tables.append((bbox, rows))
    if boxes:
        chars = _outside(chars, boxes)
    if chars:
        out.words = extract_words(chars, **WORD_SETTINGS)
    return out


def _mediabox(lib, page) -> tuple:
    """pypdfium2's ``get_mediabox()``: the page's own MediaBox, else US letter."""
    box = [ctypes.c_float() for _ in range(4)]
    if not lib.FPDFPage_GetMediaBox(page, *(ctypes.byref(v) for v in box)):
        return (0, 0, 612, 792)
    left, bottom, right, top = (v.value for v in box)
    return (left, bottom, right, top)


# --------------------------------------------------------------------------- pdfium

class PdfiumError(RuntimeError):
    """pdfium could not load a page or its text (the file is damaged)."""


_ERR_PASSWORD = 4
_ERRORS = {0: "Success", 1: "Unknown error", 2: "File access error", 3: "Data format error",
           4: "Incorrect password error", 5: "Unsupported security scheme error",
           6: "Page not found or content error"}


class _Handle(ctypes.c_void_p):
    """A pdfium object: kept as a ctypes value (a plain c_void_p result would become an int)."""


class _RectF(ctypes.Structure):
    _fields_ = [("left", ctypes.c_float), ("top", ctypes.c_float), ("right", ctypes.c_float),
                ("bottom", ctypes.c_float)]


class _Matrix(ctypes.Structure):
    _fields_ = [(k, ctypes.c_float) for k in "abcdef"]


# name: (result, argument types); None as argument types for the calls made per character or
# per path segment: ctypes then converts nothing (2–3× cheaper a call), so their callers pass
# handles, Python ints for int parameters and byref() pointers only.
_SIGNATURES = {
    "FPDF_InitLibrary": (None, ()),
    "FPDF_LoadMemDocument64": (_Handle, (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p)),
    "FPDF_GetLastError": (ctypes.c_ulong, ()),
    "FPDF_CloseDocument": (None, (_Handle,)),
    "FPDF_GetPageCount": (ctypes.c_int, (_Handle,)),
    "FPDF_LoadPage": (_Handle, (_Handle, ctypes.c_int)),
    "FPDF_ClosePage": (None, (_Handle,)),
    "FPDFPage_GetMediaBox": (ctypes.c_int, (_Handle,) + (ctypes.POINTER(ctypes.c_float),) * 4),
    "FPDFPage_GetRotation": (ctypes.c_int, (_Handle,)),
    "FPDFText_LoadPage": (_Handle, (_Handle,)),
    "FPDFText_ClosePage": (None, (_Handle,)),
    "FPDFText_CountChars": (ctypes.c_int, (_Handle,)),
    "FPDFText_GetTextIndexFromCharIndex": (ctypes.c_int, (_Handle, ctypes.c_int)),
    "FPDFText_GetText": (ctypes.c_int, (_Handle, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_ushort))),
    "FPDFText_GetUnicode": (ctypes.c_uint, (_Handle, ctypes.c_int)),
    "FPDFText_GetLooseCharBox": (ctypes.c_int, None),
    "FPDFText_GetFontSize": (ctypes.c_double, None),
    "FPDFText_GetMatrix": (ctypes.c_int, None),
    "FPDFText_IsGenerated": (ctypes.c_int, None),
    "FPDFText_GetTextObject": (ctypes.c_void_p, None),
    "FPDFPage_CountObjects": (ctypes.c_int, (_Handle,)),
    "FPDFPage_GetObject": (_Handle, (_Handle, ctypes.c_int)),
    "FPDFPageObj_GetType": (ctypes.c_int, (_Handle,)),
    "FPDFPageObj_GetMatrix": (ctypes.c_int, (_Handle, ctypes.POINTER(_Matrix))),
    "FPDFFormObj_CountObjects": (ctypes.c_int, (_Handle,)),
    "FPDFFormObj_GetObject": (_Handle, (_Handle, ctypes.c_ulong)),
    "FPDFPath_GetDrawMode": (ctypes.c_int, (_Handle, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))),
    "FPDFPath_CountSegments": (ctypes.c_int, (_Handle,)),
    "FPDFPath_GetPathSegment": (_Handle, None),
    "FPDFPathSegment_GetPoint": (ctypes.c_int, None),
    "FPDFPathSegment_GetType": (ctypes.c_int, None),
    "FPDFPathSegment_GetClose": (ctypes.c_int, None),
}
_PAGEOBJ_PATH, _PAGEOBJ_FORM = 2, 5
_SEGMENT_MOVETO, _SEGMENT_BEZIERTO = 2, 1
_LIB = None


def _library():
    """pdfium, the library pypdfium2 ships, bound directly with the few calls read here: importing
    pypdfium2 (~60 ms: its bindings declare every pdfium function) is not needed to call them.
    Initialising pdfium twice is harmless (pypdfium2, when a test imports it too, does it again)."""
    global _LIB
    if _LIB is None:
        lib = _load_pdfium()
        for fname, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, fname)
            fn.restype = restype
            if argtypes is not None:
                fn.argtypes = argtypes
        lib.FPDF_InitLibrary()
        _LIB = lib
    return _LIB


def _load_pdfium():
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.find_spec("pypdfium2_raw")
    if spec and spec.submodule_search_locations:
        name = {"win32": "pdfium.dll", "darwin": "libpdfium.dylib"}.get(sys.platform, "libpdfium.so")
        for folder in spec.submodule_search_locations:
            if (Path(folder) / name).is_file():
                return ctypes.CDLL(str(Path(folder) / name))
    from pypdfium2_raw import bindings          # elsewhere: the library pypdfium2 itself found

    return ctypes.CDLL(bindings._libs["pdfium"]._name)


class _NotUpright(Exception):
    """A turned or mirrored character: pdfminer places it otherwise; the reference reads the file."""


def _outside(chars: list, boxes: list) -> list:
    """The characters whose middle lies in none of the boxes (edges in), as the reference filters
    the page before its words."""
    out = []
    for c in chars:
        cx = (c["x0"] + c["x1"]) / 2
        cy = (c["top"] + c["bottom"]) / 2
        for x0, top, x1, bottom in boxes:
            if x0 <= cx <= x1 and top <= cy <= bottom:
                break
        else:
            out.append(c)
    return out


_BLANK = frozenset(" \r\n\xa0\u3000\ufffe\x00")   # pdfium adds such characters of its own (IsGenerated)


def _chars(lib, page, height: float) -> list[dict]:
    tp = lib.FPDFText_LoadPage(page)
    if not tp:
        raise PdfiumError("Failed to load text page.")
    try:
        n = lib.FPDFText_CountChars(tp)
        text = _text(lib, tp, n) if n else ""
        if len(text) != n:                 # a character outside the BMP: one call per character
            text = "".join(chr(lib.FPDFText_GetUnicode(tp, k)) for k in range(n))
        box = _RectF()
        ref = ctypes.byref(box)
        m = _Matrix()
        mref = ctypes.byref(m)
        loose, font_size, matrix = lib.FPDFText_GetLooseCharBox, lib.FPDFText_GetFontSize, lib.FPDFText_GetMatrix
        generated, text_object = lib.FPDFText_IsGenerated, lib.FPDFText_GetTextObject
        out = []
        append = out.append
        last_obj = size = prev = None
        px0 = px1 = pbottom = 0.0
        for k, ch in enumerate(text):
            if ch in _BLANK and (ch in "\r\n\x00\ufffe" or generated(tp, k)):
                continue
            if not loose(tp, k, ref):
                continue
            obj = text_object(tp, k)
            if obj is None or obj != last_obj:     # a text object's characters share its size and matrix
                size = font_size(tp, k)            # in text space: scaled by the character's matrix
                if matrix(tp, k, mref):
                    if m.b or m.c or m.a <= 0 or m.d <= 0:
                        raise _NotUpright
                    size *= m.d
                last_obj = obj
            left = box.left
            right = box.right
            bottom = height - box.bottom
            top = bottom - size
            if prev is not None and px0 < left < px1 and abs(pbottom - bottom) < 1:
                prev["x1"] = left               # a substituted font's glyph wider than its advance
                prev["width"] = left - px0
            prev = {"text": ch, "x0": left, "x1": right, "top": top, "bottom": bottom, "doctop": top,
                    "upright": True, "size": size, "width": right - left, "height": size}
            append(prev)
            px0, px1, pbottom = left, right, bottom
        return out
    finally:
        lib.FPDFText_ClosePage(tp)


def _text(lib, tp, n: int) -> str:
    """pypdfium2's ``get_text_range(0, n)``: pdfium's text of the characters it does not leave out
    of its text (trimmed of left-out ones at both ends), as UTF-16."""
    lo, hi = 0, n - 1
    t_start = t_end = -1
    while lo <= hi:
        t_start = lib.FPDFText_GetTextIndexFromCharIndex(tp, lo)
        if t_start == -1:
            lo += 1
            continue
        t_end = lib.FPDFText_GetTextIndexFromCharIndex(tp, hi)
        if t_end == -1:
            hi -= 1
            continue
        break
    if lo > hi:
        return ""
    size = t_end + 2 - t_start
    buf = (ctypes.c_ushort * size)()
    got = lib.FPDFText_GetText(tp, lo, hi + 1 - lo, buf)
    return bytes(memoryview(buf).cast("B")[:2 * (got - 1)]).decode("utf-16-le", errors="ignore")


# --------------------------------------------------------------------------- tables

def _tables(chars: list, edges: list) -> list[tuple]:
    """pdfplumber's ``find_tables()`` with its default settings ("lines") and each table's
    ``extract()`` (pdf_layout.py: the same steps without importing pdfplumber)."""
    found = find_tables(edges)
    if not found:
        return []
    hmid = [(c["x0"] + c["x1"]) / 2 for c in chars]
    vmid = [(c["top"] + c["bottom"]) / 2 for c in chars]
    order = sorted(range(len(chars)), key=vmid.__getitem__)
    by_v = [vmid[i] for i in order]
    return [(bbox, _extract(rows, chars, hmid, vmid, order, by_v)) for bbox, rows in found]


def _extract(table_rows: list, chars: list, hmid: list, vmid: list, order: list, by_v: list) -> list[list]:
    """``Table.extract()``: a row's characters (middle inside its box) found by their vertical
    middle in a sorted list, then each cell's by their horizontal middle in the row's, as
    pdfplumber takes them (middle inside, right and bottom edges out), in page order."""
    import bisect

    rows = []
    for (x0, top, x1, bottom), cells in table_rows:
        lo, hi = bisect.bisect_left(by_v, top), bisect.bisect_left(by_v, bottom)
        picked = sorted((hmid[i], i) for i in order[lo:hi] if x0 <= hmid[i] < x1)
        by_h = [h for h, _ in picked]
        arr = []
        for cell in cells:
            if cell is None:
                arr.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            a, b = bisect.bisect_left(by_h, cx0), bisect.bisect_left(by_h, cx1)
            inside = [chars[i] for i in sorted(i for _, i in picked[a:b] if ctop <= vmid[i] < cbottom)]
            arr.append(cell_text(inside, extract_text) if inside else "")
        rows.append(arr)
    return rows


def cell_text(chars: list, extract_text=extract_text) -> str:
    """pdfplumber's ``extract_text(chars)`` (default settings), sooner for the usual cell: one
    line of upright characters (tops less than 2.5 apart, so pdfplumber's clustering by a
    tolerance of 3 makes one line of them) — sorted by x0, a new word after a blank or a gap
    wider than 3, words joined by a space, ligatures expanded. Any other cell: ``extract_text``."""
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

def _edges(lib, page, height: float) -> list[dict]:
    edges: list[dict] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    walk = _Walker(lib, height, edges)
    for i in range(lib.FPDFPage_CountObjects(page)):
        walk.object(lib.FPDFPage_GetObject(page, i), identity)
    return edges


def _times(m, n) -> tuple:
    """m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _Walker:
    """The page's path objects (inside forms too) as pdfplumber edges; pdfium's calls bound once."""

    def __init__(self, lib, height: float, edges: list):
        self.lib, self.height, self.edges = lib, height, edges
        self.m = _Matrix()
        self.mref = ctypes.byref(self.m)
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.rx, self.ry = ctypes.byref(self.x), ctypes.byref(self.y)
        self.fill, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.rfill, self.rstroke = ctypes.byref(self.fill), ctypes.byref(self.stroke)

    def matrix(self, obj) -> tuple:
        m = self.m
        if not self.lib.FPDFPageObj_GetMatrix(obj, self.mref):
            return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def object(self, obj, outer) -> None:
        lib = self.lib
        kind = lib.FPDFPageObj_GetType(obj)
        if kind == _PAGEOBJ_FORM:
            m = _times(self.matrix(obj), outer)
            for i in range(lib.FPDFFormObj_CountObjects(obj)):
                self.object(lib.FPDFFormObj_GetObject(obj, i), m)
            return
        if kind != _PAGEOBJ_PATH:
            return
        if lib.FPDFPath_GetDrawMode(obj, self.rfill, self.rstroke) and not self.fill.value \
                and not self.stroke.value:
            return
        a, b, c, d, e, f = _times(self.matrix(obj), outer)
        get_seg, get_point = lib.FPDFPath_GetPathSegment, lib.FPDFPathSegment_GetPoint
        get_type, get_close = lib.FPDFPathSegment_GetType, lib.FPDFPathSegment_GetClose
        x, y, rx, ry = self.x, self.y, self.rx, self.ry
        MOVE, BEZIER = _SEGMENT_MOVETO, _SEGMENT_BEZIERTO
        ops: list[str] = []
        pts: list[tuple] = []
        bezier = 0
        start = 0
        for i in range(lib.FPDFPath_CountSegments(obj)):
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
