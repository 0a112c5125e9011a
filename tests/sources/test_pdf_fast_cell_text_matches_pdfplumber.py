"""The fast PDF reader's text of a table cell (pdf_fast.cell_text) is pdfplumber's
``extract_text`` of the cell's characters, character for character: on any characters — one line
or several, blanks, gaps around the word tolerance, overlapping glyphs, ligatures — and on every
cell of the sample disclosure PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources import pdf_fast

utils = pytest.importorskip("pdfplumber.utils")

PDF = Path(__file__).resolve().parents[1] / "fixtures" / "renshe-2024-disclosure.pdf"


def _char(text: str, x0: float, width: float, top: float, size: float = 10.0) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + size, "doctop": top,
            "upright": True, "size": size, "width": width, "height": size}


@st.composite
def cells(draw):
    n = draw(st.integers(1, 14))
    base = draw(st.floats(0, 500, allow_nan=False))
    spread = draw(st.sampled_from([0.0, 0.5, 2.4, 2.5, 3.0, 3.1, 12.0]))   # around one line's tolerance
    out, x = [], draw(st.floats(0, 300, allow_nan=False))
    for _ in range(n):
        text = draw(st.sampled_from(["1", "2", ".", ",", "%", "元", "合", "计", " ", "\u3000", "ﬁ", "ﬀ", "A"]))
        width = draw(st.sampled_from([0.0, 2.5, 5.0, 10.0]))
        gap = draw(st.sampled_from([-4.0, -0.5, 0.0, 1.0, 2.99, 3.0, 3.01, 6.0, 40.0]))
        top = base + draw(st.floats(0, spread, allow_nan=False)) if spread else base
        out.append(_char(text, x, width, top))
        x = max(0.0, x + width + gap)
    return draw(st.permutations(out))


@settings(max_examples=400, deadline=None)
@given(cells())
def test_cell_text_is_pdfplumbers_on_any_characters(chars):
    assert pdf_fast.cell_text(list(chars), utils.extract_text) == utils.extract_text(list(chars))


def test_cell_text_is_pdfplumbers_on_every_cell_of_the_sample_pdf(monkeypatch):
    seen, fast = [], []

    def both(chars, extract_text):
        got = original(chars, extract_text)
        seen.append((got, utils.extract_text(chars)))
        fast.append(max(c["top"] for c in chars) - min(c["top"] for c in chars) < 2.5)
        return got

    original = pdf_fast.cell_text
    monkeypatch.setattr(pdf_fast, "cell_text", both)
    assert pdf_fast.read_pdf(PDF.read_bytes(), str(PDF)) is not None
    assert len(seen) > 2000 and sum(fast) > 0.9 * len(seen)       # most cells take the short way
    assert [g for g, w in seen if g != w] == []
