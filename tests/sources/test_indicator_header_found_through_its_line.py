"""The 绩效 reader looks for the indicator header (一级指标) in a line's normalised text before
looking at its cells: a cell that normalises to the header word leaves the word in its line's
normalised text, whatever the layout (tabs, spaces, form feeds, full-width forms, marks around it),
so no header row is passed over. And the self-evaluation tables are found from the body's lines
only, the 情况说明's skipped, as when every line was looked at."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from narrator.sources.disclosure import performance
from narrator.sources.disclosure.layouts import Line, norm, space_cells, split_lines, tab_cells
from narrator.sources.disclosure.parts import split_disclosure

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
KEY = norm(performance._perf_vocab()["指标表头"])

_PIECE = st.sampled_from([KEY, "一级", "指标", "一 级 指 标", "一级\x0c指标", "（一级指标）", "\u0301", "\u3000",
                          "ｱ", "가", "\u1100", "\u1161", "二级指标", "12.5", "", " ", "\x0c", "-", "：", "㈠"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_PIECE, max_size=3).map("".join), min_size=1, max_size=6), st.sampled_from(["\t", " ", "  "]))
@example(["\x0c" + KEY, "12.5"], "\t")
@example(["一 级 指 标", "（一级指标）"], "  ")
def test_a_header_cell_leaves_the_word_in_its_line(cells, sep):
    line = Line(1, 0, sep.join(cells))
    for split in (tab_cells, space_cells):
        if any(norm(c.text) == KEY for c in split(line)):
            assert KEY in norm(line.text)


def _titles_of_every_line(lines, parts):
    out = []
    for ln in lines:
        if ln.offset < parts.body_start:
            continue
        if parts.narrative and parts.narrative[0] <= ln.offset < parts.narrative[1]:
            continue
        t = performance.perf_title(ln.text)
        if t:
            out.append((ln.offset, t))
    return out


def test_the_tables_are_found_as_from_every_line():
    for text in (TEXT, TEXT.replace("\t", "  "), TEXT[: len(TEXT) // 2], TEXT[len(TEXT) // 3:]):
        lines, parts = split_lines(text), split_disclosure(text)
        found = [(t.title.offset, (t.kind, t.title_name)) for t in performance._perf_tables(lines, parts)]
        assert found == _titles_of_every_line(lines, parts)
    assert len(performance._perf_tables(split_lines(TEXT), split_disclosure(TEXT))) >= 10
