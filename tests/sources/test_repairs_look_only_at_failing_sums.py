"""The repair solver looks for a blank to fill or a misread digit only among the cells of the
sums that fail (a cell in a sum that holds is what the sum says): the same repairs, findings
and figures as looking at every cell, on the sample disclosure with random cells damaged."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources.disclosure import parse_tables
from narrator.sources.disclosure import repair

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
AMOUNTS = [m.span() for m in re.finditer(r"(?<=\t)\d[\d,. ]*\.\d\d(?=\t|\n)", TEXT)]


def _reading(text: str):
    tree, findings = parse_tables(text, "t")
    return repr(tree), [(f.code, f.severity, f.message, f.line, f.found, f.expected) for f in findings]


def _every_cell(self):
    return set(self.slots)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(AMOUNTS), st.sampled_from(["", "blank", "digit"]), st.integers(0, 9)),
                min_size=1, max_size=4))
def test_damaged_cells_are_repaired_as_when_every_cell_is_looked_at(damage):
    text = TEXT
    for (a, b), how, d in sorted(damage, reverse=True):
        cell = text[a:b]
        if how == "blank":
            new = ""
        elif how == "digit":
            k = max(i for i, ch in enumerate(cell) if ch.isdigit() and i < len(cell) - 3) if len(cell) > 3 else 0
            new = cell[:k] + str(d) + cell[k + 1:]
        else:
            new = cell.replace(".", ",") if "." in cell else cell
        text = text[:a] + new + text[b:]
    fast = _reading(text)
    saved = repair._Solver._in_failing_sums
    try:
        repair._Solver._in_failing_sums = _every_cell
        slow = _reading(text)
    finally:
        repair._Solver._in_failing_sums = saved
    assert fast == slow


def test_the_sample_is_read_with_repairs():
    _tree, findings = _reading(TEXT)
    assert any("D001" == f[0] for f in findings)
    assert len(AMOUNTS) > 150
