"""Fuzzy name matching skips the names that cannot reach the threshold (length bound, difflib's
quick ratio) without scoring them: the matches are exactly those of scoring every name."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.sources.disclosure.layouts import match_name, norm, title_of
from oracles.name_matching import full_scoring

NAMES = ["一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入", "上级补助收入",
         "事业收入", "经营收入", "附属单位上缴收入", "其他收入", "本年收入合计", "使用非财政拨款结余",
         "年初结转和结余", "收入总计", "一般公共服务支出", "社会保障和就业支出", "卫生健康支出", "住房保障支出",
         "本年支出合计", "结余分配", "年末结转和结余", "支出总计", "基本支出", "项目支出", "上缴上级支出"]


def _garble(name: str, data) -> str:
    """A printed label: characters dropped, doubled or replaced, as OCR and copy-paste do."""
    chars = list(name)
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, max(0, len(chars) - 1)))
        op = data.draw(st.sampled_from(["drop", "double", "swap", "other"]))
        if not chars:
            break
        if op == "drop":
            chars.pop(i)
        elif op == "double":
            chars.insert(i, chars[i])
        elif op == "swap" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = data.draw(st.sampled_from("收入支出合计预算基金年末初结余财政拨款款项类"))
    return "".join(chars)


@settings(max_examples=400, deadline=None)
@given(st.data(), st.sampled_from([(0.75, 0.05), (0.8, 0.05), (0.6, 0.0), (0.9, 0.1)]))
def test_pruned_matching_equals_scoring_every_name(data, limits):
    threshold, margin = limits
    pool = data.draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=12, unique=True))
    names = {norm(n): n for n in pool}
    label = _garble(data.draw(st.sampled_from(NAMES)), data)
    assert match_name(label, names, threshold, margin) == full_scoring(label, names, threshold, margin)


def test_a_title_with_a_wrong_character_is_still_found():
    assert title_of("五、一般公共预算财政拨款支出決算表") == "一般公共预算财政拨款支出决算表"   # 14 of 15 alike
    assert title_of("二、收入決算表") is None                                              # 4 of 5: too few
