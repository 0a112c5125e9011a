"""``extract(text, span)`` reads only the numbers that start inside the span (a disclosure's
情况说明 among its tables), and reads them exactly as extracting the whole text would."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from narrator.check.extract import extract
from narrator.sources.disclosure import split_disclosure

ROOT = Path(__file__).resolve().parents[2]
DISCLOSURE = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
NARRATIVE = (ROOT / "samples" / "renshe-2024" / "narrative.txt").read_text(encoding="utf-8")
TEXTS = {"disclosure": DISCLOSURE, "narrative": NARRATIVE}
WHOLE = {name: extract(t) for name, t in TEXTS.items()}


def _line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"] + [len(text)]


def _same(a, b) -> bool:
    return [(m.start, m.end, m.value, m.unit, m.kind, m.claim, m.qualifier) for m in a] == \
        [(m.start, m.end, m.value, m.unit, m.kind, m.claim, m.qualifier) for m in b]


def test_the_narrative_of_the_sample_disclosure():
    parts = split_disclosure(DISCLOSURE)
    lo, hi = parts.narrative
    whole = [m for m in WHOLE["disclosure"] if lo <= m.start < hi]
    inside = extract(DISCLOSURE, (lo, hi))
    assert len(inside) > 200 and _same(inside, whole)
    assert len(WHOLE["disclosure"]) > 5 * len(inside)      # the tables are most of the numbers


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(TEXTS)), st.data())
def test_any_span_of_whole_lines(name, data):
    text = TEXTS[name]
    starts = _line_starts(text)
    a = data.draw(st.integers(0, len(starts) - 2))
    b = data.draw(st.integers(a + 1, len(starts) - 1))
    lo, hi = starts[a], starts[b]
    whole = [m for m in WHOLE[name] if lo <= m.start < hi]
    assert _same(extract(text, (lo, hi)), whole)


def test_a_text_the_normaliser_shortens():
    # markup removed before matching: the span is in the text's own offsets
    text = "一、收入<u>情况</u>\n本年收入合计 100.5 万元。\n<u>二、</u>支出 80.25 万元，占 80%。\n"
    lo = text.index("<u>二")
    got = extract(text, (lo, len(text)))
    assert _same(got, [m for m in extract(text) if m.start >= lo])
    assert [str(m.value) for m in got] == ["2", "80.25", "80"]     # 二、 is an ordinal


_PIECES = ["收入合计14,344.12万元，", "比上年增长7.87%。", "<u>1527.57</u>万元", "<span\nclass='x'>", "</span>",
           "\u200b", "（一）", "二、", "2024年度", "共3辆，", "预算数为0.27万元", "\t11,121.20\t", "\n", "\n\n",
           "主要用于：", "一般公共预算财政拨款支出" * 8, "208\t社会保障和就业支出\t13, 898. 14\n", "注：本表反映"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=20, max_size=160), st.data())
def test_any_span_of_a_long_text_with_markup(pieces, data):
    # texts far longer than the part of them a span is read with; spans of whole lines (a span cut inside a number reads its tail)
    text = "".join(pieces)
    starts = _line_starts(text)
    a = data.draw(st.integers(0, len(starts) - 2))
    b = data.draw(st.integers(a + 1, len(starts) - 1))
    lo, hi = starts[a], starts[b]
    assert _same(extract(text, (lo, hi)), [m for m in extract(text) if lo <= m.start < hi])
