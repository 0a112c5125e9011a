"""A tab-separated line splits into the same cells — text, column, offset — as the split first
written (tests/oracles/tab_cells.py): every line of the sample disclosure, and random lines of
tabs, blanks, form feeds and amounts. The cells with text alone (``filled_tab_cells``, a block's
``filled_cells`` in any layout and any other split of a doubted table) are those of the split with
the empty ones left out."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources.disclosure.layouts import Block, Cell, Line, filled_tab_cells, split_lines, tab_cells
from narrator.sources.disclosure.reread import _alternatives
from tests.sources.test_reading_doubted import spaced
from tests.oracles import tab_cells as former

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")


def _fields(cells: list[Cell]) -> list[tuple]:
    return [(c.text, c.start, c.end, c.offset, c.center) for c in cells]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="\t \u3000\x0c\r1,.合计科目-", max_size=40), st.integers(0, 10_000), st.integers(1, 500))
def test_random_lines_split_as_first_written(raw, offset, no):
    line = Line(no, offset, raw)
    got = tab_cells(line)
    assert _fields(got) == _fields(former.tab_cells(line))
    assert got == former.tab_cells(line)
    assert all(type(c) is Cell for c in got)
    assert len(got) == raw.count("\t") + 1
    assert _fields(filled_tab_cells(line)) == _fields([c for c in former.tab_cells(line) if c.text])


def test_every_line_of_the_sample_splits_as_first_written():
    lines = [ln for ln in split_lines(TEXT) if "\t" in ln.raw]
    assert len(lines) > 400
    for ln in lines:
        got = tab_cells(ln)
        assert _fields(got) == _fields(former.tab_cells(ln))
        for c in got:                          # a cell's offset is where its text is
            if c.text:
                assert TEXT[c.offset:c.offset + len(c.text)].replace("\x0c", " ") == c.text


def test_a_blocks_filled_cells_are_its_cells_with_text():
    for text in (TEXT, spaced(TEXT)):
        lines = split_lines(text)
        for tabbed in (True, False):
            block = Block("收入支出决算总表", "总表", lines[0], lines, tabbed)
            splits = [block] + [r.block for r in _alternatives(block)]
            for b in splits:
                for ln in lines[::7]:
                    assert _fields(b.filled_cells(ln)) == _fields([c for c in b.cells(ln) if c.text])
    assert len(_alternatives(Block("收入支出决算总表", "总表", lines[0], lines, False))) >= 2
