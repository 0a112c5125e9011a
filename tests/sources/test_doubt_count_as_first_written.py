"""The doubt check counts a table's held and failed sums (each term allowed one unit in its last
printed place) and cut_short's tolerance as they were first written (tests/oracles/doubt_count.py),
on the sample disclosure with random cells damaged, in its tab layout and laid out with spaces (a
re-read: every other split of a doubted table counted too)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources.disclosure import parse_tables, reread
from tests.oracles import doubt_count
from tests.sources.test_reading_doubted import spaced

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
AMOUNTS = [m.span() for m in re.finditer(r"(?<=\t)\d[\d,. ]*\.\d\d(?=\t|\n)", TEXT)]


def _damaged(damage) -> str:
    text = TEXT
    for (a, b), how, d in sorted(damage, reverse=True):
        cell = text[a:b]
        if how == "blank":
            new = ""
        elif how == "digit":
            new = cell[:-4] + str(d) + cell[-3:]
        else:
            new = cell[:-1]                      # a decimal cut off
        text = text[:a] + new + text[b:]
    return text


def _compared(text: str) -> tuple[int, int]:
    """Read ``text`` with every count and tolerance checked against the former code; how many
    counts and tolerances were compared."""
    kept_count, kept_tolerance = reread._count, reread._tolerance
    seen = [0, 0]

    def count(r, slots, ids, own=None):
        former = copy.copy(r)
        doubt_count.count(former, slots, ids, own)
        kept_count(r, slots, ids, own)
        assert (r.held, r.failed, r.cells) == (former.held, former.failed, former.cells)
        seen[0] += 1

    def tolerance(ctx, idt):
        got = kept_tolerance(ctx, idt)
        assert got == doubt_count.tolerance(ctx, idt)
        seen[1] += 1
        return got

    try:
        reread._count, reread._tolerance = count, tolerance
        parse_tables(text, "t")
    finally:
        reread._count, reread._tolerance = kept_count, kept_tolerance
    return seen[0], seen[1]


_DAMAGE = st.tuples(st.sampled_from(AMOUNTS), st.sampled_from(["blank", "digit", "short"]), st.integers(0, 9))


@settings(max_examples=30, deadline=None)
@given(st.lists(_DAMAGE, min_size=1, max_size=6, unique_by=lambda x: x[0]), st.booleans())
def test_damaged_tables_are_counted_as_first_written(damage, with_spaces):
    text = _damaged(damage)
    counts, _tolerances = _compared(spaced(text) if with_spaces else text)
    assert counts >= 9                            # each of the nine tables once at least


def test_the_sample_and_its_spaced_layout_count_as_first_written():
    assert _compared(TEXT)[0] == 9
    counts, tolerances = _compared(spaced(TEXT))
    assert counts > 9 and tolerances > 0          # tables doubted and read again
