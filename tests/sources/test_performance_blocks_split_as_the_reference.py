"""The 绩效 reader groups each section's scores into its 一级指标 blocks (performance._split) by
slicing the scored lines between the cuts: the same sums, alternatives and choice as placing
every line by a bisection (tests/oracles/performance_split.py), digits and exponents included,
on random sections and on every section of the sample disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import narrator.sources.disclosure.performance as perf
from narrator.sources.disclosure import parse_tables
from oracles.performance_split import split as reference

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["成本指标", "产出指标", "效益指标", "满意度指标"]


@dataclass
class Row:
    heading: tuple | None = None
    score: tuple | None = None


def _same(a, b) -> bool:
    show = lambda r: None if r is None else ([str(x) for x in r[0]], [[str(x) for x in alt] for alt in r[1]])  # noqa: E731
    return show(a) == show(b)


@st.composite
def sections(draw):
    n = draw(st.integers(1, 4))
    lines = draw(st.integers(n, 14))
    hpos = sorted(draw(st.lists(st.integers(0, lines - 1), min_size=n, max_size=n, unique=True)))
    weights = draw(st.lists(st.one_of(st.none(), st.sampled_from([Decimal(5), Decimal("7.5"), Decimal(10),
                                                                    Decimal(20), Decimal(30)])),
                            min_size=n, max_size=n))
    heads = [Row(heading=(NAMES[k], weights[k], None)) for k in range(n)]
    where = draw(st.lists(st.integers(0, lines - 1), max_size=10, unique=True))
    values = draw(st.lists(st.sampled_from(["0", "1", "2.5", "2.50", "5", "7.5", "10", "0.5", "15", "20"]),
                           min_size=len(where), max_size=len(where)))
    scored = [(p, Row(score=(Decimal(v), None))) for p, v in sorted(zip(where, values))]
    labelled = draw(st.lists(st.tuples(st.integers(0, lines - 1), st.sampled_from(NAMES)), max_size=4))
    return heads, hpos, scored, sorted(labelled)


@settings(max_examples=400, deadline=None)
@given(sections())
def test_random_sections_split_as_the_reference(case):
    heads, hpos, scored, labelled = case
    assert _same(perf._split(heads, hpos, scored, labelled), reference(heads, hpos, scored, labelled))


def test_the_sample_disclosures_sections_split_as_the_reference(monkeypatch):
    text = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
    seen = []
    fast = perf._split

    def both(heads, hpos, scored, labelled):
        got = fast(heads, hpos, scored, labelled)
        seen.append((_same(got, reference(heads, hpos, scored, labelled)), got is not None))
        return got

    monkeypatch.setattr(perf, "_split", both)
    parse_tables(text, "sample")
    assert len(seen) >= 10 and all(same for same, _ in seen) and sum(read for _, read in seen) >= 10
