"""Direction words of a change the figures confirm are judged by the figures, not by the draft's
sentence they were aligned with (principle 7: no false alarm; the words win).

"（四）2210202提租补贴11.98万元，较上年减少1.19万元，下降9.04%。" on its own, in a text whose
sections match none of the draft's, was aligned with the draft's “三公” sentence (较上年增加…，
增长…) and both of its right words were reported as wrong (found checking a `generate --like`
draft). The claim reader ties the change and the rate to 科目2210202, whose figures confirm their
size: each word is then right or wrong by the figures' sign alone — the rate's word too
("减少1.19万元，增长9.04%": 增长 is wrong).
"""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.checker import check_text
from narrator.figures.model import figures_from_tree

CENT = Decimal("0.01")


def _rows(v: Decimal) -> list[dict]:
    return [{"科目编码": "2210202", "科目名称": "科目（2210202）", "合计": v}]


def _figures(now: Decimal, before: Decimal):
    tree = {"单位": "测试乡", "年度": 2017, "金额单位": "万元",
            "一般公共预算财政拨款支出决算表": {"合计": {"合计": Decimal("1534.63")}, "科目": _rows(now)},
            "财政拨款“三公”经费支出决算表": {"决算数": {"合计": Decimal("2.02"), "公务用车运行维护费": Decimal("2.02")}},
            "上年": {"一般公共预算财政拨款支出决算表": {"科目": _rows(before)},
                   "财政拨款“三公”经费支出决算表": {"决算数": {"合计": Decimal("0.095")}}}}
    return figures_from_tree(tree, "test.yaml", required=False)


def _sentence(now: Decimal, before: Decimal, change_word: str, rate_word: str) -> str:
    change = abs(now - before).quantize(CENT, ROUND_HALF_UP)
    rate = (abs(now - before) / before * 100).quantize(CENT, ROUND_HALF_UP)
    return f"（四）2210202提租补贴{now}万元，较上年{change_word}{change}万元，{rate_word}{rate}%。"


def _n105(text: str, figures) -> list[str]:
    return sorted(text[f.start:f.end] for f in check_text(text, "t.txt", figures).findings
                  if f.code == "N105" and f.severity == "error")


def test_right_words_are_not_blamed_for_another_sentence_s_figures():
    figures = _figures(Decimal("11.98"), Decimal("13.17"))
    assert _n105(_sentence(Decimal("11.98"), Decimal("13.17"), "减少", "下降"), figures) == []


def test_a_wrong_word_is_reported_by_the_figures():
    figures = _figures(Decimal("11.98"), Decimal("13.17"))
    assert _n105(_sentence(Decimal("11.98"), Decimal("13.17"), "减少", "增长"), figures) == ["增长"]
    assert _n105(_sentence(Decimal("11.98"), Decimal("13.17"), "增加", "增长"), figures) == ["增加", "增长"]


cents = st.integers(min_value=100, max_value=1_000_000).map(lambda n: Decimal(n) / 100)


@settings(max_examples=30, deadline=None)
@given(now=cents, before=cents, flip_change=st.booleans(), flip_rate=st.booleans())
def test_exactly_the_words_against_the_figures_sign_are_reported(now, before, flip_change, flip_rate):
    if now == before:
        return
    up = now > before
    change_word = "增加" if up != flip_change else "减少"
    rate_word = "增长" if up != flip_rate else "下降"
    expected = sorted(([change_word] if flip_change else []) + ([rate_word] if flip_rate else []))
    assert _n105(_sentence(now, before, change_word, rate_word), _figures(now, before)) == expected
