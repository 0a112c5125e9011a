"""The fast PDF reader's cell search (pdf_layout.intersections_to_cells) finds exactly the cells of pdfplumber's
``intersections_to_cells`` on any grid of ruling lines — merged cells, missing lines, stray
segments — and a turned page falls back to the reference reader."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.core import fast
from narrator.sources import pdf_fast, pdf_layout
from narrator.sources.documents import load_document

pt = pytest.importorskip("pdfplumber.table")


def _edge(x0, top, x1, bottom):
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": "h" if top == bottom else "v", "object_type": "edge", "doctop": top}


@st.composite
def grids(draw):
    xs = sorted(draw(st.sets(st.integers(0, 40), min_size=2, max_size=7)))
    ys = sorted(draw(st.sets(st.integers(0, 40), min_size=2, max_size=7)))
    edges = []
    for y in ys:               # horizontal rules, some cut into pieces (merged or missing cells)
        for a, b in zip(xs, xs[1:]):
            if draw(st.integers(0, 5)):
                edges.append(_edge(a * 10, y * 10, b * 10, y * 10))
    for x in xs:
        for a, b in zip(ys, ys[1:]):
            if draw(st.integers(0, 5)):
                edges.append(_edge(x * 10, a * 10, x * 10, b * 10))
    for _ in range(draw(st.integers(0, 3))):   # stray segments
        x, y, n = draw(st.integers(0, 400)), draw(st.integers(0, 400)), draw(st.integers(5, 120))
        edges.append(_edge(x, y, x + n, y) if draw(st.booleans()) else _edge(x, y, x, y + n))
    return edges


@settings(max_examples=300, deadline=None)
@given(grids())
def test_cells_are_pdfplumbers(edges):
    st_ = pt.TableSettings.resolve(None)
    merged = pt.merge_edges(edges, snap_x_tolerance=st_.snap_x_tolerance, snap_y_tolerance=st_.snap_y_tolerance,
                            join_x_tolerance=st_.join_x_tolerance, join_y_tolerance=st_.join_y_tolerance)
    points = pt.edges_to_intersections(merged, st_.intersection_x_tolerance, st_.intersection_y_tolerance)
    assert pdf_layout.intersections_to_cells(points) == pt.intersections_to_cells(points)


def test_a_turned_page_is_read_by_the_reference(tmp_path, monkeypatch):
    pytest.importorskip("reportlab")
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "收入支出决算总表 本年收入合计 14,344.12")
    c.save()
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(buf.getvalue())).pages:
        writer.add_page(page.rotate(90))
    path = tmp_path / "turned.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    assert pdf_fast.read_pdf(path.read_bytes(), str(path)) is None        # not placed as pdfminer would
    text = load_document(path).text
    monkeypatch.setattr(fast, "ENABLED", False)
    assert text == load_document(path).text and "收入支出决算总表" in text
