"""A disclosure's 情况说明 is segmented on its own: ``structure(text, lo, hi)`` gives the
headings, sections, sentences and numbered items of ``text[lo:hi]`` in offsets of ``text`` —
not the table of contents' headings, nor table rows read as headings — and the draft is chosen
by the 情况说明's own headings."""

from __future__ import annotations

from dataclasses import astuple, replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.checker import choose_pack
from narrator.check.claims import simplified
from narrator.check.segment import structure
from narrator.sources.disclosure import split_disclosure

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = simplified((ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8"))
SHANGHAI = simplified((ROOT / "tests" / "fixtures" / "shanghai-filled.txt").read_text(encoding="utf-8"))


def shifted(s, lo: int):
    return ([astuple(replace(x, start=x.start + lo, end=x.end + lo, heading_end=x.heading_end + lo))
             for x in s.sections],
            [astuple(replace(x, start=x.start + lo, end=x.end + lo)) for x in s.sentences],
            [(a + lo, b + lo, n, k) for a, b, n, k in s.items])


def flat(s):
    return [astuple(x) for x in s.sections], [astuple(x) for x in s.sentences], list(s.items)


def _starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]


_PIECES = ["一、收入决算情况说明\n", "二、支出决算情况说明\n", "（一）总体情况\n", "1. 行政运行（项）。\n", "2、卫生健康支出\n",
           "第三部分 情况说明\n", "\n", "\n\n", "  ", "收入合计14344.12万元。", "其中：", "主要用于：\n",
           "七、政府性基金预算财政拨款收入支出决算情况说明 本部门当年无政府性基金预算财政拨款收入支出。\n",
           "208\t社会保障和就业支出\t13,898.14\n", "说明文字；", "完成年初预算的91.74%！", "\u3000\u3000正文\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30), st.data())
def test_a_region_is_segmented_as_its_own_text(pieces, data):
    text = "".join(pieces)
    starts = _starts(text) + [len(text)]
    lo = data.draw(st.sampled_from(starts))
    hi = data.draw(st.sampled_from([s for s in starts if s >= lo]))
    assert flat(structure(text, lo, hi)) == shifted(structure(text[lo:hi]), lo)
    assert flat(structure(text, 0, len(text))) == flat(structure(text))


def test_the_sample_disclosures_narrative_has_only_its_own_headings():
    lo, hi = split_disclosure(SAMPLE).narrative
    whole, own = structure(SAMPLE), structure(SAMPLE, lo, hi)
    assert len(whole.sections) > 60                     # 目录, tables, rows read as headings …
    titles = [s.title for s in own.sections]
    assert titles[0].startswith("第三部分") and len(titles) == 14 and titles[-1] == "预算绩效情况说明"
    assert all(lo <= s.start and s.end <= hi for s in own.sentences)
    assert choose_pack(own) == "standard"
    lo, hi = split_disclosure(SHANGHAI).narrative
    assert choose_pack(structure(SHANGHAI, lo, hi)) == "shanghai"


def test_a_skipped_subheading_is_reported_at_its_number():
    from narrator.check.segment import list_skips

    text = "一、收入决算情况说明\n（一）总体情况\n正文。\n（三）结构情况\n正文。\n"
    ((start, end, found, want),) = list_skips(text, structure(text))
    assert (text[start:end], found, want) == ("三", 3, 2)     # (was the offset within its line)
