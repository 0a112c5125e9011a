"""pdfplumber's layout steps written again in sources/pdf_layout.py (so that reading a PDF does not
import pdfplumber) give exactly pdfplumber's results — the same words with the same float
coordinates, the same cell texts, the same tables and rows — on generated characters and ruling
lines, and on every page of the test PDFs (and of the Jiangsu PDFs in ../shared when it is there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources import pdf_fast, pdf_layout

utils = pytest.importorskip("pdfplumber.utils")
pt = pytest.importorskip("pdfplumber.table")

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpus" / "budget"
PDFS = [ROOT / "tests" / "fixtures" / "renshe-2024-disclosure.pdf",
        ROOT / "samples" / "reference" / "shanghai-2024-template.pdf"]
JIANGSU = sorted(SHARED.glob("B*_jiangsu-*.pdf")) if SHARED.is_dir() else []


def _char(text, x0, width, top, size):
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + size, "doctop": top,
            "upright": True, "size": size, "width": width, "height": size}


@st.composite
def pages_of_chars(draw):
    """Characters of a few lines in page order, with blanks, ligatures, size changes, lines whose
    tops differ by about the tolerance, overlapping glyphs and gaps about the word tolerance."""
    out = []
    top = draw(st.floats(0, 700, allow_nan=False))
    for _ in range(draw(st.integers(1, 5))):
        x = draw(st.floats(0, 300, allow_nan=False))
        for _ in range(draw(st.integers(1, 12))):
            text = draw(st.sampled_from(["1", "2", ".", "元", "合", "计", " ", "\u3000", "ﬁ", "ﬀ", "A", ""]))
            size = draw(st.sampled_from([9.0, 10.0, 10.5]))
            width = draw(st.sampled_from([0.0, 2.5, 5.0, 10.0, 10.000000000000002]))
            jitter = draw(st.sampled_from([0.0, 0.4, 1.4999, 2.9, 3.0, 3.1, -1.0]))
            out.append(_char(text, x, width, top + jitter, size))
            x = max(0.0, x + width + draw(st.sampled_from([-4.0, -0.5, 0.0, 1.0, 1.5, 1.51, 2.99, 3.0, 3.01, 40.0])))
        top += draw(st.sampled_from([0.0, 2.0, 3.0, 3.5, 14.0]))
    return out


@settings(max_examples=400, deadline=None)
@given(pages_of_chars(), st.sampled_from([(1.5, 3), (3, 3), (0, 0)]))
def test_words_are_pdfplumbers(chars, tolerances):
    x_tol, y_tol = tolerances
    theirs = utils.extract_words(chars, keep_blank_chars=False, use_text_flow=False, x_tolerance=x_tol,
                                 y_tolerance=y_tol, extra_attrs=["size"])
    assert pdf_layout.extract_words(chars, x_tol, y_tol, ("size",)) == theirs
    assert pdf_layout.extract_words(chars, x_tol, y_tol) == utils.extract_words(chars, x_tolerance=x_tol,
                                                                                y_tolerance=y_tol)


@settings(max_examples=400, deadline=None)
@given(pages_of_chars())
def test_text_of_characters_is_pdfplumbers(chars):
    assert pdf_layout.extract_text(chars) == utils.extract_text(chars)


def _edge(x0, top, x1, bottom):
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": "h" if top == bottom else "v", "object_type": "edge", "doctop": top}


@st.composite
def rulings(draw):
    """Ruling lines of one or two grids: rules cut into pieces, nudged off their line by less or more
    than the snap tolerance, overlapping or a little apart (joined or not), short strokes, strays."""
    edges = []
    for _ in range(draw(st.integers(1, 2))):
        ox, oy = draw(st.integers(0, 300)), draw(st.integers(0, 300))
        xs = sorted(draw(st.sets(st.integers(0, 30), min_size=2, max_size=6)))
        ys = sorted(draw(st.sets(st.integers(0, 30), min_size=2, max_size=6)))
        nudge = st.sampled_from([0.0, 0.0, 0.25, -0.7, 1.5, 2.9, 3.2, 0.1 + 0.2])
        for y in ys:
            for a, b in zip(xs, xs[1:]):
                if draw(st.integers(0, 5)):
                    yy = oy + y * 10 + draw(nudge)
                    edges.append(_edge(ox + a * 10 - draw(nudge), yy, ox + b * 10 + draw(nudge), yy))
        for x in xs:
            for a, b in zip(ys, ys[1:]):
                if draw(st.integers(0, 5)):
                    xx = ox + x * 10 + draw(nudge)
                    edges.append(_edge(xx, oy + a * 10 - draw(nudge), xx, oy + b * 10 + draw(nudge)))
    for _ in range(draw(st.integers(0, 3))):
        x, y, n = draw(st.integers(0, 400)), draw(st.integers(0, 400)), draw(st.sampled_from([0.5, 2, 3, 40, 120]))
        edges.append(_edge(x, y, x + n, y) if draw(st.booleans()) else _edge(x, y, x, y + n))
    return draw(st.permutations(edges))


def pdfplumbers_tables(edges: list) -> list:
    """pdfplumber's TableFinder("lines") steps on these edges, as (bbox, [(row bbox, cells)])."""
    s = pt.TableSettings.resolve(None)
    found = (utils.filter_edges(edges, "v", min_length=s.edge_min_length_prefilter)
             + utils.filter_edges(edges, "h", min_length=s.edge_min_length_prefilter))
    found = pt.merge_edges(found, snap_x_tolerance=s.snap_x_tolerance, snap_y_tolerance=s.snap_y_tolerance,
                           join_x_tolerance=s.join_x_tolerance, join_y_tolerance=s.join_y_tolerance)
    found = utils.filter_edges(found, min_length=s.edge_min_length)
    points = pt.edges_to_intersections(found, s.intersection_x_tolerance, s.intersection_y_tolerance)
    out = []
    for cells in pt.cells_to_tables(pt.intersections_to_cells(points)):
        t = pt.Table(None, cells)
        out.append((t.bbox, [(r.bbox, r.cells) for r in t.rows]))
    return out


@settings(max_examples=300, deadline=None)
@given(rulings())
def test_tables_are_pdfplumbers(edges):
    assert pdf_layout.find_tables(edges) == pdfplumbers_tables(edges)


@settings(max_examples=200, deadline=None)
@given(rulings())
def test_merged_edges_and_crossings_are_pdfplumbers(edges):
    edges = [e for e in edges if e["orientation"] in ("h", "v")]
    merged = pt.merge_edges(edges, 3, 3, 3, 3)
    assert pdf_layout._merge_edges(edges) == merged
    assert pdf_layout.edges_to_intersections(merged) == pt.edges_to_intersections(merged, 3, 3)


@pytest.mark.parametrize("path", PDFS + JIANGSU, ids=lambda p: p.name)
def test_every_page_of_the_test_pdfs_is_laid_out_as_pdfplumber_would(path, monkeypatch):
    """pdf_fast reads the file; each page's edges, characters and words outside the tables go
    through pdf_layout and, here, through pdfplumber too: the results must be equal."""
    seen = {"tables": 0, "words": 0}

    def tables(edges):
        got = pdf_layout.find_tables(edges)
        assert got == pdfplumbers_tables(edges)
        seen["tables"] += len(got)
        return got

    def words(chars, **kw):
        got = pdf_layout.extract_words(chars, **kw)
        assert got == utils.extract_words(chars, keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5,
                                          y_tolerance=3, extra_attrs=["size"])
        seen["words"] += len(got)
        return got

    monkeypatch.setattr(pdf_fast, "find_tables", tables)
    monkeypatch.setattr(pdf_fast, "extract_words", words)
    assert pdf_fast.read_pdf(path.read_bytes(), str(path)) is not None
    assert seen["words"] > 100
    assert seen["tables"] > 5 or path in JIANGSU          # B4 draws its tables without rules
