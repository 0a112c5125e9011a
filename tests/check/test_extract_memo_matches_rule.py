"""extract()'s memo of number classifications gives what the rule itself gives.

``extract._Ctx.number`` remembers the classification of a number (unit, kind, qualifier, unit
span, claim) by the words before it, the characters after it and the class of its value;
``extract._MEMO = False`` sends every number through ``_Ctx._classify``, the rule itself. Every
field of every Mention (the value with its exponent) must be the same both ways, on the
bundled texts, on random edits of them and on random texts made of the rule vocabulary; the
memo is shared by all texts, so entries made on one text are used on the others.
"""

import random
import re

import pytest
from hypothesis import given, settings, strategies as st

from conftest import SAMPLE
from narrator.check import extract as E
from narrator.check import number_grammar as G

NARRATIVE = (SAMPLE / "narrative.txt").read_text(encoding="utf-8")
DISCLOSURE = (SAMPLE / "disclosure.txt").read_text(encoding="utf-8")

# words the rules react to, numbers, blanks and noise
_PIECES = [" ", "  ", "\n", "\n\n", "\t", "\r\n", "万", "亿", "千", "元", "余", "多", "%", "(", ")", "(含)", "（含）",
           "以上", "及以上", "左右", "年", "年度", "月", "日", "分", "个", "人次", "台(套)", "台（套）", "第", "约", "超过",
           "≥", "不低于", "单价", "得分", "得分为", "图", "附表", "-", "~", "至", "1", "12", "7", "2024", "1999", "3.5",
           "0", "0.00", "-0", "1,234.5", "14, 344, 12", "一", "三十", "两", "百分之", "〔", "〕", "A", "G", "，", "。",
           ":", "；", "（", "）", "１", "．", "〇", "<u>", "</u>", "\u200b", "\u3000", "资金", "支出", "说明", "情况",
           "  - ", "— 3 —", "十四五", "一次性", "1.", "2、", "(一)", "一、", "5.\n", "号", "度预算", "初", "旦", "万余",
           "万 元", "\n万元", "分钟", "个百分点", "百分点", "减少", "增长", "为", "比"]


def _fields(mentions):
    return [tuple(repr(getattr(m, f)) for f in E.Mention.__slots__) + (type(m),) for m in mentions]


def _reference(text):
    E._MEMO = False
    try:
        return E.extract(text)
    finally:
        E._MEMO = True


def _same(text):
    assert _fields(E.extract(text)) == _fields(_reference(text))


def test_the_memo_follows_the_switch_and_is_used():
    from narrator.core import fast

    assert E._MEMO is fast.ENABLED     # NARRATOR_REFERENCE=1 classifies every number afresh
    E._PLANS.clear()
    E.extract(NARRATIVE)
    assert bool(E._PLANS) is fast.ENABLED


@pytest.mark.parametrize("text", [NARRATIVE, DISCLOSURE], ids=["narrative", "disclosure"])
def test_bundled_texts_twice(text):
    _same(text)
    _same(text)    # now with the memo filled by the same text


def test_random_edits_of_the_bundled_texts():
    rng = random.Random(7)
    for i in range(150):
        t = list(rng.choice([NARRATIVE, DISCLOSURE]))
        for _ in range(rng.randint(1, 40)):
            pos = rng.randrange(len(t) + 1)
            op = rng.random()
            if op < 0.5:
                t[pos:pos] = [rng.choice(_PIECES)]
            elif op < 0.8:
                del t[pos:pos + rng.randint(1, 5)]
            else:
                t[pos:pos] = [rng.choice("0123456789")]
        t = "".join(t)
        if i % 2:
            a = rng.randrange(len(t))
            t = t[a:a + rng.randint(50, 2000)]
        _same(t)


@settings(max_examples=600, deadline=None)
@given(parts=st.lists(st.sampled_from(_PIECES), max_size=40))
def test_random_texts_of_the_rule_vocabulary(parts):
    _same("".join(parts))


def test_value_classes_and_multipliers():
    # the same context with values on both sides of the year and month bounds, and scaled counts
    for v in ["0", "1", "12", "13", "1899", "1900", "2100", "2101", "12.0", "2024.5", "3.4", "-1"]:
        for ctx in ["共{}年", "第{}年，", "共{}月。", "{}万人次，", "{}万余人。", "约{}万个", "{}千元，", "（{}）台（套）"]:
            text = ctx.format(v)
            _same(text)
            _same("资金" + text)


def test_contexts_that_differ_only_far_after_the_number():
    # the longest suffixes the rules read: [余][万][余] unit (含) 及以上/以下, after "( 0 )"
    for v in ["3", "2024", "12"]:
        for tail in ["余万余个工作日(含)及以上", "余万余个工作日(含)及以", "余万余个工作日(含)以",
                     "余万余个百分点(含)及以上", "余万余个百分点(含)以", "万余个工作日左右", "万余个工作日上",
                     ")余万余台(套)(含)及以上", ")余万余台(套)(含)及以", ")台(套)(含)及以上", ")台(套)(含)"]:
            _same("(" + v + tail)
            _same("约" + v + tail + "。")


# The gate of the master pattern before round 4: a line start, right after ：；。, or a
# character that can begin a number. The present gate (one character class) and the look-aheads
# at the head of some alternatives must give the same matches.
_FORMER_GATE = rf"(?:(?<=[\n{G._ORD_AFTER}])|\A|(?=[0-9(\-百{G._CN_START}]))"
_FORMER_ALTS = [re.sub(r"^(\(\?P<k_\w+>)\(\?=\[[^\]]+\]\)", r"\1", a) for a in G._ALTS]
_FORMER_MASTER = re.compile(_FORMER_GATE + "(?:" + "|".join(_FORMER_ALTS) + ")")


def _matches(pattern, text):
    norm = E.normalize(text)[0]
    return [(m.lastgroup, m.regs) for m in pattern.finditer(norm)]


def test_the_former_alternatives_had_no_head_look_ahead():
    assert [a for a in _FORMER_ALTS if "(?=[" in a[:20]] == []
    assert sum(a != b for a, b in zip(_FORMER_ALTS, G._ALTS)) == 4


@pytest.mark.parametrize("text", [NARRATIVE, DISCLOSURE], ids=["narrative", "disclosure"])
def test_master_matches_as_with_the_former_gate_on_the_bundled_texts(text):
    assert _matches(G._MASTER, text) == _matches(_FORMER_MASTER, text)


_GATE_PIECES = _PIECES + ["•", "· ", "* ", "●", "■ ", "□", "—", "–", "— ", " —", "：", "；", "。", "二〇二四", "一二三四"]


@settings(max_examples=800, deadline=None)
@given(parts=st.lists(st.sampled_from(_GATE_PIECES), max_size=40))
def test_master_matches_as_with_the_former_gate_on_random_texts(parts):
    text = "".join(parts)
    assert _matches(G._MASTER, text) == _matches(_FORMER_MASTER, text)
