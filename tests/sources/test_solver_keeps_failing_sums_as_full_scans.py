"""The repair solver keeps the sums that fail between its steps (and the truncated cells from
the start) instead of scanning every sum and cell each step: the same repairs, findings and
figures as the full scans (tests/oracles/solver_scans.py), on the sample disclosure with random
cells damaged — blanked, a digit changed, a point printed as a comma, decimals cut short, a
stray number in an optional row."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources.disclosure import parse_tables, repair
from tests.oracles.solver_scans import SCANS

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
AMOUNTS = [m.span() for m in re.finditer(r"(?<=\t)\d[\d,. ]*\.\d\d(?=\t|\n)", TEXT)]
BLANKS = [m.span() for m in re.finditer(r"(?<=\t)(?=\t)", TEXT)]     # empty cells: a stray number


def _reading(text: str):
    tree, findings = parse_tables(text, "t")
    return repr(tree), [(f.code, f.severity, f.message, f.line, f.found, f.expected, f.extra) for f in findings]


def _damaged(text: str, damage) -> str:
    for (a, b), how, d in sorted(damage, reverse=True):
        cell = text[a:b]
        if how == "blank":
            new = ""
        elif how == "digit":
            k = max((i for i, ch in enumerate(cell) if ch.isdigit() and i < len(cell) - 3), default=0)
            new = cell[:k] + str(d) + cell[k + 1:]
        elif how == "short":
            new = cell[:-1 - d % 2]                     # "3,042.92" → "3,042.9" or "3,042."
        elif how == "stray":
            new = f"{d + 1}{d}.{d}0"
        else:
            new = cell.replace(".", ",")
        text = text[:a] + new + text[b:]
    return text


def _as_full_scans(text: str):
    saved = {name: getattr(repair._Solver, name) for name in SCANS}
    try:
        for name, fn in SCANS.items():
            setattr(repair._Solver, name, fn)
        return _reading(text)
    finally:
        for name, fn in saved.items():
            setattr(repair._Solver, name, fn)


_DAMAGE = st.one_of(
    st.tuples(st.sampled_from(AMOUNTS), st.sampled_from(["blank", "digit", "comma", "short"]), st.integers(0, 9)),
    st.tuples(st.sampled_from(BLANKS), st.just("stray"), st.integers(0, 9)))


@settings(max_examples=40, deadline=None)
@given(st.lists(_DAMAGE, min_size=1, max_size=5, unique_by=lambda x: x[0]))
def test_damaged_cells_are_repaired_as_with_full_scans(damage):
    text = _damaged(TEXT, damage)
    assert _reading(text) == _as_full_scans(text)


@settings(max_examples=25, deadline=None)
@given(st.lists(_DAMAGE, min_size=1, max_size=5, unique_by=lambda x: x[0]))
def test_the_kept_failing_sums_and_residuals_are_those_a_full_scan_finds(damage):
    text = _damaged(TEXT, damage)
    kept = repair._Solver._failing
    asked = []

    def checked(self):
        got = kept(self)
        full = [i for i in self.ids if i.residual(self.val) not in (None, 0)]
        assert [id(i) for i in got] == [id(i) for i in full]
        # each kept residual is the identity's own, digits and exponent alike
        assert [repr(self.residual(i)) for i in self.ids] == [repr(i.residual(self.val)) for i in self.ids]
        asked.append(len(got))
        return got

    try:
        repair._Solver._failing = checked
        _reading(text)
    finally:
        repair._Solver._failing = kept
    assert asked


def test_the_sample_needs_the_solver_and_reads_as_with_full_scans():
    kept = _reading(TEXT)
    assert kept == _as_full_scans(TEXT)
    assert any(f[0] == "D001" for f in kept[1])
    assert len(AMOUNTS) > 150 and len(BLANKS) > 100
