"""pdfplumber's layout steps that the fast PDF reader (pdf_fast.py) runs on pdfium's characters and
edges, written again here so that reading a PDF does not import pdfplumber and pdfminer (~70–110 ms
at each start): its word grouping (``extract_words``), its text of a set of characters
(``extract_text``, default settings) and its ruled-table finder (``find_tables()`` with the default
"lines" settings). The same steps in the same order on the same values, so the same results down to
the last bit of every float: tests/sources/test_pdf_layout_matches_pdfplumber.py compares each with
pdfplumber's on generated input and on every page of the test PDFs.

Characters and edges are pdfplumber's dicts (x0, x1, top, bottom, ... ); only upright text is read
(pdf_fast leaves any other page to the reference reader).
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

# pdfplumber.utils.text.LIGATURES: expanded in words and cell texts
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}

# pdfplumber.table.TableSettings() resolved: every tolerance 3, edges of at least 1 (prefilter) and 3
SNAP, JOIN, INTERSECT, MIN_LENGTH, MIN_LENGTH_PREFILTER = 3, 3, 3, 3, 1

_top = itemgetter("top")
_x0 = itemgetter("x0")


# --------------------------------------------------------------------------- clustering

def cluster_objects(xs: list, key, tolerance: float) -> list[list]:
    """pdfplumber.utils.cluster_objects (preserve_order=False): the objects grouped by runs of
    sorted distinct key values no more than ``tolerance`` apart, each group in input order."""
    values = sorted(set(map(key, xs)))
    index: dict = {}
    if tolerance == 0 or len(values) < 2:
        for i, v in enumerate(values):
            index[v] = i
    else:
        i, last = 0, values[0]
        for v in values:
            if v > last + tolerance:
                i += 1
            index[v] = i
            last = v
    tagged = sorted(((x, index[key(x)]) for x in xs), key=itemgetter(1))
    return [[x for x, _ in group] for _, group in groupby(tagged, key=itemgetter(1))]


# --------------------------------------------------------------------------- words

def extract_words(chars: list, x_tolerance: float = 3, y_tolerance: float = 3,
                  extra_attrs: tuple = ()) -> list[dict]:
    """pdfplumber.utils.extract_words(chars, x_tolerance=, y_tolerance=, extra_attrs=) for upright
    characters read left to right (keep_blank_chars, use_text_flow and split_at_punctuation off).
    A character starts a new word when it begins left of the last one's start, more than
    ``x_tolerance`` right of its end, or more than ``y_tolerance`` above or below its top."""
    words = []
    group_key = itemgetter("upright", *extra_attrs)
    for _, run in groupby(chars, group_key):
        for line in cluster_objects(list(run), _top, y_tolerance):
            line.sort(key=_x0)
            word: list = []
            for c in line:
                text = c["text"]
                if text.isspace():
                    if word:
                        words.append(_merge(word, extra_attrs))
                    word = []
                elif text == "":                  # ``"" in ""``: pdfplumber's punctuation split
                    if word:
                        words.append(_merge(word, extra_attrs))
                    words.append(_merge([c], extra_attrs))
                    word = []
                elif word:
                    prev = word[-1]
                    cx = c["x0"]
                    if cx < prev["x0"] or cx > prev["x1"] + x_tolerance \
                            or abs(c["top"] - prev["top"]) > y_tolerance:
                        words.append(_merge(word, extra_attrs))
                        word = [c]
                    else:
                        word.append(c)
                else:
                    word.append(c)
            if word:
                words.append(_merge(word, extra_attrs))
    return words


def _merge(chars: list, extra_attrs) -> dict:
    first = chars[0]
    x0, top, x1, bottom = first["x0"], first["top"], first["x1"], first["bottom"]
    for c in chars[1:]:                    # min and max keep the first of equal values, as here
        if c["x0"] < x0:
            x0 = c["x0"]
        if c["top"] < top:
            top = c["top"]
        if c["x1"] > x1:
            x1 = c["x1"]
        if c["bottom"] > bottom:
            bottom = c["bottom"]
    word = {"text": "".join(LIGATURES.get(c["text"], c["text"] or "") for c in chars),
            "x0": x0, "x1": x1, "top": top, "doctop": top + (first["doctop"] - first["top"]),
            "bottom": bottom, "upright": first["upright"], "height": bottom - top, "width": x1 - x0,
            "direction": "ltr"}
    for key in extra_attrs:
        word[key] = first[key]
    return word


def extract_text(chars: list) -> str:
    """pdfplumber.utils.extract_text(chars) with its default settings: words (tolerances 3) in
    lines clustered by top, words joined by a space and lines by a newline."""
    if not chars:
        return ""
    lines = cluster_objects(extract_words(chars), _top, 3)
    return "\n".join(" ".join(w["text"] for w in line) for line in lines)


# --------------------------------------------------------------------------- ruled tables

def find_tables(edges: list) -> list:
    """pdfplumber's ``Page.find_tables()`` ("lines" strategy, default settings) on these edges:
    each table as (bbox, rows), a row as (bbox, cells) with None where the grid has no cell."""
    found = _filter_edges(edges, "v", MIN_LENGTH_PREFILTER) + _filter_edges(edges, "h", MIN_LENGTH_PREFILTER)
    found = _filter_edges(_merge_edges(found), None, MIN_LENGTH)
    points = edges_to_intersections(found)
    return [(_bbox(cells), _rows(cells)) for cells in cells_to_tables(intersections_to_cells(points))]


def _filter_edges(edges: list, orientation, min_length: float) -> list:
    out = []
    for e in edges:
        o = e["orientation"]
        if orientation is not None and o != orientation:
            continue
        if (e["height"] if o == "v" else e["width"]) >= min_length:
            out.append(e)
    return out


def _merge_edges(edges: list) -> list:
    """pdfplumber.table.merge_edges: snapped to their cluster's mean, then joined along a line."""
    snapped = _snap([e for e in edges if e["orientation"] == "v"], "x0", "x1") \
        + _snap([e for e in edges if e["orientation"] == "h"], "top", "bottom")

    def group(e):
        return ("h", e["top"]) if e["orientation"] == "h" else ("v", e["x0"])

    out = []
    for (kind, _), items in groupby(sorted(snapped, key=group), key=group):
        out.extend(_join(items, kind))
    return out


def _snap(objs: list, attr: str, other: str) -> list:
    out = []
    for cluster in cluster_objects(objs, itemgetter(attr), SNAP):
        avg = sum(o[attr] for o in cluster) / len(cluster)
        for o in cluster:
            shift = avg - o[attr]
            moved = dict(o)
            moved[attr] = o[attr] + shift
            moved[other] = o[other] + shift
            if attr == "top" and "doctop" in o:
                moved["doctop"] = o["doctop"] + shift
            out.append(moved)
    return out


def _join(items, kind: str) -> list:
    lo, hi, size = ("x0", "x1", "width") if kind == "h" else ("top", "bottom", "height")
    ordered = sorted(items, key=itemgetter(lo))
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + JOIN:
            if e[hi] > last[hi]:
                grown = dict(last)
                grown[hi] = e[hi]
                grown[size] = (e[hi] - last["x0"]) if kind == "h" else last["height"] + (e[hi] - last["bottom"])
                joined[-1] = grown
        else:
            joined.append(e)
    return joined


def edges_to_intersections(edges: list) -> dict:
    """pdfplumber.table.edges_to_intersections (tolerance 3): each crossing point of a vertical and
    a horizontal edge with the edges through it. The horizontal edges a vertical one can reach are
    looked up by their top in a sorted list rather than all tried (the same points and edges)."""
    import bisect

    v_edges = sorted((e for e in edges if e["orientation"] == "v"), key=itemgetter("x0", "top"))
    h_edges = sorted((e for e in edges if e["orientation"] == "h"), key=itemgetter("top", "x0"))
    tops = [h["top"] for h in h_edges]
    out: dict = {}
    for v in v_edges:
        vx, vtop, vbottom = v["x0"], v["top"], v["bottom"]
        # v.top <= h.top + 3 and v.bottom >= h.top - 3, as pdfplumber writes it, at the ends too
        lo = bisect.bisect_left(tops, vtop - INTERSECT - 1)
        for h in h_edges[lo:]:
            htop = h["top"]
            if htop - INTERSECT > vbottom + 1:
                break
            if vtop <= htop + INTERSECT and vbottom >= htop - INTERSECT \
                    and vx >= h["x0"] - INTERSECT and vx <= h["x1"] + INTERSECT:
                point = out.get((vx, htop))
                if point is None:
                    point = out[(vx, htop)] = {"v": [], "h": []}
                point["v"].append(v)
                point["h"].append(h)
    return out


def intersections_to_cells(intersections: dict) -> list[tuple]:
    """pdfplumber.table.intersections_to_cells, with each point's edges and its neighbours below
    and to the right looked up rather than searched for. Two points of a column are joined by a
    common vertical edge, two of a row by a common horizontal one (pdfplumber's ``edge_connects``
    for points that share their x or their top)."""
    points = sorted(intersections)
    vs: dict = {}
    hs: dict = {}
    by_x: dict = {}
    by_y: dict = {}
    for p in points:                       # sorted by (x, top): each list stays in that order
        d = intersections[p]
        vs[p] = {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["v"]}
        hs[p] = {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["h"]}
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)
    at_x = {p: i for ps in by_x.values() for i, p in enumerate(ps)}
    at_y = {p: i for ps in by_y.values() for i, p in enumerate(ps)}
    cells = []
    for pt in points[:-1]:
        x, y = pt
        right = by_y[y][at_y[pt] + 1:]          # the points after pt on its row, left to right
        if not right:
            continue
        pv, ph = vs[pt], hs[pt]
        found = None
        for b in by_x[x][at_x[pt] + 1:]:        # and below it in its column, top to bottom
            if pv.isdisjoint(vs[b]):
                continue
            bh = hs[b]
            for r in right:
                if ph.isdisjoint(hs[r]):
                    continue
                corner = (r[0], b[1])
                if corner in intersections and not vs[corner].isdisjoint(vs[r]) \
                        and not hs[corner].isdisjoint(bh):
                    found = (x, y, corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def cells_to_tables(cells: list) -> list[list]:
    """pdfplumber.table.cells_to_tables: cells grouped into tables by shared corners, top to
    bottom then left to right, tables of one cell dropped. pdfplumber grows a group pass by pass
    until no cell joins, which makes each group a connected set of cells sharing corners; here
    each set is walked at once from its first cell (its cells kept in their order). A group's
    least (top, x0) corner is its own, so the order of the groups is the same too."""
    at: dict = {}
    corners = []
    for i, (x0, top, x1, bottom) in enumerate(cells):
        cc = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
        corners.append(cc)
        for c in cc:
            at.setdefault(c, []).append(i)
    seen = [False] * len(cells)
    tables = []
    for i in range(len(cells)):
        if seen[i]:
            continue
        seen[i] = True
        members = [i]
        stack = [i]
        while stack:
            for c in corners[stack.pop()]:
                for k in at[c]:
                    if not seen[k]:
                        seen[k] = True
                        members.append(k)
                        stack.append(k)
        members.sort()
        tables.append([cells[k] for k in members])
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def _bbox(cells: list) -> tuple:
    return (min(c[0] for c in cells), min(c[1] for c in cells),
            max(c[2] for c in cells), max(c[3] for c in cells))


def _rows(cells: list) -> list[tuple]:
    """pdfplumber's ``Table.rows``: (bbox, cells) per distinct top, a cell per distinct x0."""
    xs = sorted({c[0] for c in cells})
    rows = []
    for _, row_cells in groupby(sorted(cells, key=itemgetter(1, 0)), itemgetter(1)):
        at = {c[0]: c for c in row_cells}
        row = [at.get(x) for x in xs]
        rows.append((_bbox([c for c in row if c]), row))
    return rows
