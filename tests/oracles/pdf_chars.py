"""The fast PDF reader's characters and ruling lines as it read them through pypdfium2's own
bindings (before sources/pdf_fast.py bound pdfium itself): three pdfium calls a character,
pypdfium2's helpers for the text and the page boxes. Used by tests only."""

from __future__ import annotations

import ctypes

from narrator.sources import pdf_fast

_BLANK = frozenset(" \r\n\xa0\u3000\ufffe\x00")


def pages(data: bytes) -> list[tuple[list[dict], list[dict]]]:
    """(characters, edges) of each page, or None for a page pdf_fast leaves to the reference."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(data)
    out = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                x0, y0, x1, y1 = page.get_mediabox()
                if page.get_rotation() or x0 or y0:
                    out.append(None)
                    continue
                try:
                    chars = _chars(page, raw, y1 - y0)
                except pdf_fast._NotUpright:
                    out.append(None)
                    continue
                out.append((chars, _edges(page, raw, y1 - y0)))
            finally:
                page.close()
    finally:
        doc.close()
    return out


def _chars(page, raw, height: float) -> list[dict]:
    tp = page.get_textpage()
    try:
        h = tp.raw
        n = raw.FPDFText_CountChars(h)
        text = tp.get_text_range(0, n) if n else ""
        if len(text) != n:
            text = "".join(chr(raw.FPDFText_GetUnicode(h, k)) for k in range(n))
        box = raw.FS_RECTF()
        m = raw.FS_MATRIX()
        out = []
        for k, ch in enumerate(text):
            if ch in _BLANK and (ch in "\r\n\x00\ufffe" or raw.FPDFText_IsGenerated(h, k)):
                continue
            if not raw.FPDFText_GetLooseCharBox(h, k, ctypes.byref(box)):
                continue
            size = raw.FPDFText_GetFontSize(h, k)
            if raw.FPDFText_GetMatrix(h, k, ctypes.byref(m)):
                if m.b or m.c or m.a <= 0 or m.d <= 0:
                    raise pdf_fast._NotUpright
                size *= m.d
            bottom = height - box.bottom
            top = bottom - size
            if out:
                prev = out[-1]
                if prev["x0"] < box.left < prev["x1"] and abs(prev["bottom"] - bottom) < 1:
                    prev["x1"] = box.left
                    prev["width"] = box.left - prev["x0"]
            out.append({"text": ch, "x0": box.left, "x1": box.right, "top": top, "bottom": bottom,
                        "doctop": top, "upright": True, "size": size, "width": box.right - box.left,
                        "height": size})
        return out
    finally:
        tp.close()


def _edges(page, raw, height: float) -> list[dict]:
    edges: list[dict] = []
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    hp = page.raw
    for i in range(raw.FPDFPage_CountObjects(hp)):
        _object(raw, raw.FPDFPage_GetObject(hp, i), identity, height, edges)
    return edges


def _matrix(raw, obj) -> tuple:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _object(raw, obj, outer, height, edges) -> None:
    kind = raw.FPDFPageObj_GetType(obj)
    if kind == raw.FPDF_PAGEOBJ_FORM:
        m = pdf_fast._times(_matrix(raw, obj), outer)
        for i in range(raw.FPDFFormObj_CountObjects(obj)):
            _object(raw, raw.FPDFFormObj_GetObject(obj, i), m, height, edges)
        return
    if kind != raw.FPDF_PAGEOBJ_PATH:
        return
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)) and not fill.value \
            and not stroke.value:
        return
    a, b, c, d, e, f = pdf_fast._times(_matrix(raw, obj), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    ops: list[str] = []
    pts: list[tuple] = []
    bezier = start = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        t = raw.FPDFPathSegment_GetType(seg)
        raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        p = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if t == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:
                ops.append("c")
                pts.append(p)
        else:
            bezier = 0
            if t == raw.FPDF_SEGMENT_MOVETO:
                start = len(ops)
                ops.append("m")
            else:
                ops.append("l")
            pts.append(p)
        if raw.FPDFPathSegment_GetClose(seg):
            ops.append("h")
            pts.append(pts[start])
    start = 0
    for i in range(1, len(ops) + 1):
        if i == len(ops) or ops[i] == "m":
            pdf_fast._subpath_edges("".join(ops[start:i]), pts[start:i], height, edges)
            start = i
