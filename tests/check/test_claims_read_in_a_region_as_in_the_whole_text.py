"""The claim reader given a region (a disclosure's 情况说明) walks only the sentences around it,
and reads every number of the region exactly as a reading of the whole text does: the same
subjects, measures, years, ties between readings and relation verdicts (only the sentence and
section counters, which count from where the walk starts, differ by a constant)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.claim_words import sentence_bounds
from narrator.check.claims import read, reading_span, simplified
from narrator.check.extract import extract
from narrator.check.relations import relate

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")

# counters that start where the walk starts
_COUNTERS = {"sentence", "section"}


def _reading(r) -> tuple:
    return tuple((f.name, getattr(r, f.name)) for f in dataclasses.fields(r) if f.name not in _COUNTERS) \
        + (("narrative_section", r.section < 0),)


def _verdicts(doc) -> list[tuple]:
    rel = relate(doc, set())
    return [(v.code, v.start, v.end, v.found, v.expected, v.severity, v.formula, tuple(v.evidence))
            for v in rel.verdicts] + sorted(rel.confirmed.items())


def _both(text: str, region: tuple[int, int]):
    text = simplified(text)
    mentions = extract(text, region)
    return read(text, mentions), read(text, mentions, region)


def _assert_same(text: str, region: tuple[int, int]) -> None:
    whole, limited = _both(text, region)
    assert [_reading(r) for r in limited.readings] == [_reading(r) for r in whole.readings]
    assert (limited.year, limited.unit) == (whole.year, whole.unit)
    # the sentences walked are the whole reading's, from where the walk starts
    first = next(i for i, s in enumerate(whole.sentences) if s.start == limited.sentences[0].start) \
        if limited.sentences else 0
    assert [(s.start, s.end, s.readings) for s in limited.sentences] == \
        [(s.start, s.end, s.readings) for s in whole.sentences[first:first + len(limited.sentences)]]
    shift = {r.index: (w.sentence - r.sentence) for r, w in zip(limited.readings, whole.readings)}
    assert len(set(shift.values())) <= 1
    assert _verdicts(limited) == _verdicts(whole)


def test_the_sample_disclosure_read_in_its_narrative_as_in_the_whole():
    from narrator.sources.disclosure import split_disclosure

    region = split_disclosure(SAMPLE).narrative
    whole, limited = _both(SAMPLE, region)
    assert len(limited.sentences) < len(whole.sentences) / 3       # the tables are not walked
    assert len(limited.readings) > 100
    _assert_same(SAMPLE, region)


def test_the_walk_starts_at_the_heading_of_the_regions_first_section():
    text = "一、总体情况\n收入100万元。\n说明文字\n二、收入情况\n收入合计200万元，增长5%。\n"
    lo = text.index("说明文字")
    assert reading_span(text, (lo, len(text))) == (0, len(text))
    lo2 = text.index("收入合计")
    start, end = reading_span(text, (lo2, len(text)))
    assert start == text.index("二、收入情况") and end == len(text)
    # it ends with the first non-blank line after the region
    hi = text.index("说明文字")
    assert reading_span(text, (0, hi)) == (0, text.index("二、收入情况"))


def test_sentences_between_two_line_starts_are_the_whole_texts():
    text = simplified(SAMPLE)
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    whole = sentence_bounds(text)
    for lo, hi in [(starts[10], starts[300]), (starts[200], len(text)), (0, starts[50])]:
        assert sentence_bounds(text, lo, hi) == [(a, b) for a, b in whole if lo <= a and b <= hi]


_PIECES = [
    "一、收入支出决算总体情况说明\n", "二、收入决算情况说明\n", "三、部门主要职责\n", "十三、预算绩效情况说明\n",
    "（一）一般公共预算财政拨款支出决算总体情况\n", "第三部分 部门决算情况说明\n", "\n", "\n\n", "  ",
    "2024年度收入合计14344.12万元，", "与2023年度相比，收入合计减少1224.74万元，下降7.87%。",
    "其中：财政拨款收入11301.2万元，占本年收入78.79%；", "其他收入3042.92万元，占本年收入21.21%。",
    "年初预算为500万元，支出决算为458.7万元，完成年初预算的91.74%。", "决算数小于预算数。",
    "1. 社会保障和就业支出（类）行政运行（项）。", "2. 卫生健康支出114.2万元，占1.03%。",
    "（主要是", "工资福利支出1390.96万元）", "主要用于以下方面：", "较上年增加0.05万元，增长22.73%。",
    "208\t社会保障和就业支出\t13,898.14\t10,855.22\n", "合计\t14,344.12\t1,699.45\t12,644.67\n",
    "2023年“三公”经费支出0.22万元，", "元一、", "；", "。", "人员经费1527.57万元",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40), st.data())
def test_any_region_is_read_as_in_the_whole_text(pieces, data):
    text = "".join(pieces)
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    lo = data.draw(st.sampled_from(starts) | st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    _assert_same(text, (lo, hi))
