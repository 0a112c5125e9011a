"""narrator.check.extract: every number in real disclosure prose, with unit, meaning and exact span."""

from __future__ import annotations

import dataclasses
import re
from decimal import Context, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrator.check.extract import CLAIM_KINDS, KINDS, Mention, extract, normalize

ROOT = Path(__file__).resolve().parents[2]
DISCLOSURE = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
TEMPLATE = ROOT / "samples" / "reference" / "shanghai-2024-template.txt"

_CN_NUMERAL = set("零〇一二两三四五六七八九十百千万亿点")
_FULLWIDTH_DIGITS = str.maketrans("0123456789.", "０１２３４５６７８９．")


@pytest.fixture(scope="module")
def part3() -> str:
    """第三部分 (the prose the checker reads) of the real disclosure, noise included."""
    text = DISCLOSURE.read_text(encoding="utf-8")
    start = text.index("第三部分 区人社局 2024 年度 部门决算情况说明")
    end = text.index("第四部分 2024年重点工作完成情况")
    return text[start:end]


@pytest.fixture(scope="module")
def part3_mentions(part3) -> list[Mention]:
    return extract(part3)


def at(text: str, mentions: list[Mention], anchor: str, number: str) -> Mention:
    """The mention whose text is ``number``, first found at or after ``anchor``."""
    start = text.index(number, text.index(anchor))
    found = [m for m in mentions if m.start == start]
    assert found, f"no mention at {number!r} after {anchor!r}"
    assert found[0].text == number
    return found[0]


def only(text: str) -> Mention:
    ms = extract(text)
    assert len(ms) == 1, [(m.text, m.kind) for m in ms]
    return ms[0]


def check_invariants(text: str, mentions: list[Mention]) -> None:
    """Spans are valid, in order, non-overlapping, and the digits spell the value."""
    prev_end = 0
    for m in mentions:
        assert isinstance(m, Mention)
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert 0 <= m.unit_start <= m.unit_end <= len(text)
        assert m.start >= prev_end, "mentions overlap or are out of order"
        prev_end = m.end
        assert m.kind in KINDS
        if m.kind not in CLAIM_KINDS:
            assert m.claim is False
        assert isinstance(m.value, Decimal) and m.value.is_finite()
        if m.kind == "date" or any(c in _CN_NUMERAL for c in m.text):
            continue
        written, _ = normalize(m.text)
        written = re.sub(r"</?u>|\s", "", written)
        head, comma, tail = written.rpartition(",")
        if comma and len(tail) == 2 and "." not in written:
            written = head + "." + tail  # "14,344,12": that comma is a misread decimal point
        written = written.replace(",", "")
        assert re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", written), m.text
        digits = Decimal(written)
        assert m.places == max(0, -digits.as_tuple().exponent)
        with localcontext(Context(prec=1000)):
            assert any(m.value == digits * k for k in (1, 1000, 10000, 100000000)), m.text


# --------------------------------------------------------------------------------------------
# the real 第三部分

def test_part3_invariants(part3, part3_mentions):
    check_invariants(part3, part3_mentions)
    assert len(part3_mentions) > 150


def test_part3_amounts(part3, part3_mentions):
    m = at(part3, part3_mentions, "2024年度收、支总计", "14344.12")
    assert (m.value, m.unit, m.kind, m.places, m.claim) == (Decimal("14344.12"), "万元", "amount", 2, True)
    assert part3[m.unit_start:m.unit_end] == "万元"

    m = at(part3, part3_mentions, "社会保障和就业支出 10855", "10855. 22")
    assert m.value == Decimal("10855.22") and m.places == 2 and m.unit == "万元"

    m = at(part3, part3_mentions, "卫生健康支出", "114. 2")
    assert (m.value, m.places, m.unit, m.kind) == (Decimal("114.2"), 1, "万元", "amount")

    m = at(part3, part3_mentions, "财政拨款收入 11301", "11301.2")
    assert m.places == 1 and m.value == Decimal("11301.2")

    m = at(part3, part3_mentions, "人员经费", "1527.57")
    assert part3[m.start - 3:m.start] == "<u>" and part3[m.end:m.end + 4] == "</u>"
    assert m.value == Decimal("1527.57") and m.unit == "万元"

    m = at(part3, part3_mentions, "支出决算为 180 万 元", "180")
    assert m.unit == "万元" and part3[m.unit_start:m.unit_end] == "万 元"

    m = at(part3, part3_mentions, "公务用车购置及运行费全年预算为", "0")
    assert (m.value, m.unit, m.kind, m.claim) == (Decimal(0), "万元", "amount", True)


def test_part3_percents(part3, part3_mentions):
    m = at(part3, part3_mentions, "10855. 22 万元,占", "97. 51")
    assert (m.value, m.places, m.unit, m.kind) == (Decimal("97.51"), 2, "%", "percent")
    m = at(part3, part3_mentions, "执行率情况为", "72")
    assert (m.value, m.places, m.kind, m.claim) == (Decimal(72), 0, "percent", True)
    m = at(part3, part3_mentions, "较上年增加 0.05 万元,增长", "22.73")
    assert m.value == Decimal("22.73") and m.kind == "percent"
    m = at(part3, part3_mentions, "完成全年预算的 <u>", "100")
    assert m.kind == "percent" and part3[m.unit_start:m.unit_end] == "%"


def test_part3_counts(part3, part3_mentions):
    m = at(part3, part3_mentions, "接待国内来访团组", "4")
    assert (m.value, m.unit, m.kind) == (Decimal(4), "个", "count")
    m = at(part3, part3_mentions, "接待国内来访团组 4 个,", "34")
    assert (m.value, m.unit, m.kind) == (Decimal(34), "人次", "count")
    m = at(part3, part3_mentions, "共有车辆", "1")
    assert (m.value, m.unit, m.kind) == (Decimal(1), "辆", "count")
    m = at(part3, part3_mentions, "设备(不含车辆)", "0")
    assert (m.value, m.unit, m.kind, m.claim) == (Decimal(0), "台(套)", "count", True)
    m = at(part3, part3_mentions, "共涉及项目", "9")
    assert (m.value, m.unit, m.kind) == (Decimal(9), "个", "count")
    m = at(part3, part3_mentions, "注册求职者", "3. 4")
    assert (m.value, m.places, m.unit, m.qualifier) == (Decimal(34000), 1, "人", "余")
    m = at(part3, part3_mentions, "登记注册零工", "8600")
    assert (m.value, m.unit, m.qualifier) == (Decimal(8600), "人", "余")
    m = at(part3, part3_mentions, "财政局对我部门抽取", "一")
    assert (m.value, m.unit, m.kind) == (Decimal(1), "个", "count")


def test_part3_threshold_score_year(part3, part3_mentions):
    m = at(part3, part3_mentions, "单价", "100")
    assert m.claim is False and m.kind == "threshold" and m.unit == "万元"

    m = at(part3, part3_mentions, "再评得分", "96.51")
    assert (m.value, m.kind, m.unit, m.claim) == (Decimal("96.51"), "score", "分", True)
    assert m.unit_start == m.unit_end == m.end
    m = at(part3, part3_mentions, "自评得分", "96.6")
    assert m.kind == "score" and part3[m.unit_start:m.unit_end] == "分"

    m = at(part3, part3_mentions, "2023年本部门整体支出年末执行数", "2023")
    assert (m.kind, m.value, m.unit, m.claim) == ("year", Decimal(2023), "年", True)
    heading = part3_mentions[0]
    assert (heading.text, heading.kind, heading.claim) == ("2024", "year", False)
    m = at(part3, part3_mentions, "截至", "2024 年 12 月 31")
    assert (m.kind, m.value, m.unit) == ("date", Decimal(20241231), "日期")
    assert all(m.kind != "amount" for m in part3_mentions if m.text.strip() in ("2023", "2024"))


def test_part3_ordinals(part3, part3_mentions):
    lo = part3.index("(三)一般公共预算财政拨款支出决算具体情况")
    hi = part3.index("六、一般公共预算财政拨款基本支出决算情况说明")
    items = [m for m in part3_mentions
             if m.kind == "ordinal" and lo < m.start < hi
             and part3[m.start:part3.find("\n", m.start)].count("社会保障和就业支出(类)")]
    assert [int(m.value) for m in items] == [1, 2, 3, 5, 6]
    assert all(not m.claim and m.unit == "" for m in items)

    sections = [int(m.value) for m in part3_mentions
                if m.kind == "ordinal" and any("\u4e00" <= c <= "\u9fff" for c in m.text)
                and part3[m.end] == "、"]
    assert sections == list(range(1, 14))
    first_list = at(part3, part3_mentions, "主要用于以下方面", "1")
    assert first_list.kind == "ordinal"


# --------------------------------------------------------------------------------------------
# PDF noise and small cases

@pytest.mark.parametrize("text, number, value, places", [
    ("收入合计14, 344, 12万元", "14, 344, 12", "14344.12", 2),
    ("基本支出 1, 699. 45 万元", "1, 699. 45", "1699.45", 2),
    ("一般公共预算财政拨款收入 11,121.20 万元", "11,121.20", "11121.20", 2),
    ("支出 10855. 22 万元", "10855. 22", "10855.22", 2),
    ("支出决算为 467.\n89万元，", "467.\n89", "467.89", 2),
    ("支出决算为1688.\n19万元", "1688.\n19", "1688.19", 2),
    ("支出１２３．４５万元", "１２３．４５", "123.45", 2),
    ("支出 <u>0.27</u> 万元", "0.27", "0.27", 2),
    ("完成预算的（ 0 ）万元", "0", "0", 0),
    ("下降-5.2万元", "-5.2", "-5.2", 1),
])
def test_noise(text, number, value, places):
    m = only(text)
    assert m.text == number and text[m.start:m.end] == number
    assert m.value == Decimal(value) and m.places == places
    assert m.unit == "万元" or m.unit == ""


def test_chinese_comma_is_not_a_separator():
    ms = extract("增加583.74万元，增长5.54%")
    assert [(m.text, m.unit, m.kind) for m in ms] == [("583.74", "万元", "amount"),
                                                     ("5.54", "%", "percent")]
    ms = extract("共1、2、3项")
    assert [m.value for m in ms] == [1, 2, 3]


def test_break_inside_number_span_crosses_newline():
    text = "项目支出决算为\n467.\n89万元，"
    m = only(text)
    assert "\n" in m.text and m.value == Decimal("467.89") and m.unit == "万元"


@pytest.mark.parametrize("text, value, unit, kind, qualifier", [
    ("注册求职者３.４万余人", "34000", "人", "count", "余"),
    ("提供岗位超 5 万个次", "50000", "个次", "count", "超"),
    ("全年发放各类养老待遇 35 亿余元", "35", "亿元", "amount", "余"),
    ("创业担保贷款 1.2 亿元", "1.2", "亿元", "amount", None),
    ("国内公务接待支出 0.27 万（含外宾）", "0.27", "万元", "amount", None),
    ("比上年下降0.5个百分点", "0.5", "个百分点", "points", None),
    ("累计三十四人次", "34", "人次", "count", None),
    ("招聘一千二百名", "1200", "名", "count", None),
    ("提高两个百分点", "2", "个百分点", "points", None),
    ("投入三千万元", "3000", "万元", "amount", None),
    ("约5万元", "5", "万元", "amount", "约"),
    ("不足10家", "10", "家", "count", "不足"),
    ("30人左右", "30", "人", "count", "左右"),
    ("60 余家", "60", "家", "count", "余"),
    ("全区 90%以上的企业", "90", "%", "percent", "以上"),
    ("自评得分96.6分", "96.6", "分", "score", None),
    ("总分 93. 7", "93.7", "分", "score", None),
    ("单价 5000元", "5000", "元", "threshold", None),
    ("增幅13.5%", "13.5", "%", "percent", None),
    ("年度扩面 3.9 万人", "39000", "人", "count", None),
    ("设备 0 台（套）", "0", "台(套)", "count", None),
    ("为期3.5年", "3.5", "年", "count", None),
])
def test_units_and_qualifiers(text, value, unit, kind, qualifier):
    m = only(text)
    assert (m.value, m.unit, m.kind, m.qualifier) == (Decimal(value), unit, kind, qualifier)


@pytest.mark.parametrize("text", [
    "一般公共预算", "共涉及九个一级项目的一级", "一是落实", "第一部分", "一次性扩岗补助", "一方面",
    "统一", "进一步完善", "之一", "三公经费", "三支一扶", "千企万人", "零工驿站", "近三年来",
    "XXX 万元，占 XX%", "持续加强“六项制度”落实",
])
def test_words_with_numerals_are_not_numbers(text):
    assert [m for m in extract(text) if m.kind != "count" or m.text != "九"] == []


def test_nine_first_level_projects():
    ms = extract("共涉及9个一级项目")
    assert [(m.text, m.unit, m.kind) for m in ms] == [("9", "个", "count")]


@pytest.mark.parametrize("text, number, kind", [
    ("单价 100 万元(含)以上设备", "100", "threshold"),
    ("单价100万元（含）以上设备（不含车辆）", "100", "threshold"),
    ("年初目标值≥95%", "95", "threshold"),
    ("响应时间≤48 小时", "48", "threshold"),
    ("成本指标（20分）", "20", "label"),
    ("年度绩效目标 1: (20 分*执行率)", "20", "label"),
    ("第1季度", "1", "label"),
    ("5G网络", "5", "label"),
    ("图 1: 收、支决算总计变动情况", "1", "label"),
    ("鄂财预发〔2024〕号", "2024", "label"),
])
def test_not_claims(text, number, kind):
    found = [m for m in extract(text) if m.text == number]
    assert found and found[0].kind == kind and found[0].claim is False


def test_range_in_scoring_rules():
    text = "分值区间 100-80%（含 80%）、80-50%（含 50%）、50-0%合理确定分值"
    ms = extract(text)
    assert [m.value for m in ms] == [100, 80, 80, 80, 50, 50, 50, 0]
    assert all(m.kind == "threshold" and not m.claim and m.unit == "%" for m in ms)
    ms = extract("开展活动 1-2 次")
    assert [(m.value, m.unit, m.kind) for m in ms] == [(1, "次", "threshold"), (2, "次", "threshold")]
    ms = extract("2023-2025年，完成任务")
    assert [(m.value, m.kind, m.claim) for m in ms] == [(2023, "year", True), (2025, "year", True)]


def test_ordinals():
    text = "其中：\n1. 社会保障\n- 2. 卫生健康\n 3、住房\n(4) 其他\n（五）教育\n六、附件\n其中：7.教育；8、卫生。"
    ms = extract(text)
    assert [(int(m.value), m.kind, m.claim) for m in ms] == [(i, "ordinal", False) for i in range(1, 9)]
    assert [m.text for m in ms] == ["1", "2", "3", "4", "五", "六", "7", "8"]
    # a wrapped decimal at a line start is a number, not list numbering
    ms = extract("注册求职者\n3. 4 万余人，\n1. 2024年度收入")
    assert [(m.text, m.kind) for m in ms] == [("3. 4", "count"), ("1", "ordinal"), ("2024", "year")]


def test_years_and_dates():
    assert [(m.kind, m.claim) for m in extract("第三部分 区人社局 2024 年度 部门决算情况说明")] == \
        [("year", False)]
    assert [(m.kind, m.claim) for m in extract("二、2024年度项目绩效自评表")] == \
        [("ordinal", False), ("year", False)]
    m = only("2023年本部门整体支出年末执行数为多少。")
    assert (m.kind, m.value, m.claim, m.unit) == ("year", 2023, True, "年")
    m = only("2023 年度相比，")
    assert (m.kind, m.claim) == ("year", True)
    m = only("填报日期: 2025.4.22")
    assert (m.kind, m.value, m.unit, m.text) == ("date", 20250422, "日期", "2025.4.22")
    m = only("填报日期: 2025年4月22日")
    assert (m.kind, m.value, m.text) == ("date", 20250422, "2025年4月22")
    m = only("二〇二四年")
    assert (m.kind, m.value) == ("year", 2024)


def test_span_points_into_original_with_fullwidth_and_tags():
    text = "支出<u>１，２３４</u>与<u>1,234</u>万元"
    ms = extract(text)
    assert ms[-1].text == "1,234" and ms[-1].value == 1234 and ms[-1].unit == "万元"
    check_invariants(text, ms)


# --------------------------------------------------------------------------------------------
# Mention and normalize

def test_scaled():
    m = only("创业担保贷款1.2亿元")
    assert m.scaled("万元") == Decimal(12000)
    assert m.scaled("亿元") == Decimal("1.2")
    assert m.scaled("元") == Decimal(120000000)
    m = only("人均成本5000元")
    assert m.scaled("万元") == Decimal("0.5")
    m = only("增长5.54%")
    assert m.scaled("%") == Decimal("5.54")
    with pytest.raises(ValueError):
        m.scaled("万元")
    with pytest.raises(ValueError):
        only("共4个").scaled("万元")


def test_mention_is_a_frozen_dataclass():
    m = only("支出1.2万元")
    assert type(m) is Mention
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.value = Decimal(0)  # type: ignore[misc]
    assert m == dataclasses.replace(m) and hash(m) == hash(dataclasses.replace(m))
    assert Mention(0, 1, "5", Decimal(5), 0, "", "bare", None, 1, 1, True).value == 5


def test_normalize_maps_back():
    text = "支出<u>１２３．４５</u>万元（含）\u3000〇"
    norm, offs = normalize(text)
    assert norm == "支出123.45万元(含) 0"
    assert len(offs) == len(norm)
    assert all(offs[i] < offs[i + 1] for i in range(len(offs) - 1))
    assert text[offs[2]] == "１" and text[offs[7] + 1:offs[8]] == "</u>"
    assert normalize("增长，下降")[0] == "增长，下降"


def test_shanghai_template_runs_and_placeholders_are_not_numbers():
    text = TEMPLATE.read_text(encoding="utf-8")
    ms = extract(text)
    check_invariants(text, ms)
    for ph in re.finditer(r"X+", text):
        assert not [m for m in ms if m.start < ph.end() + 1 and m.end > ph.start() - 1
                    and m.kind != "year"], text[ph.start() - 10:ph.end() + 10]
    line = "本年收入合计 XXX 万元，其中：财政拨款收入 XXX 万元，占\n\nXX%；事业收入 XXX 万元，占 XX%"
    assert extract(line) == []
    m = [m for m in ms if m.text == "100"][0]
    assert m.kind == "threshold" and not m.claim        # 单价 100 万元（含）以上设备


def test_whole_disclosure_invariants():
    text = DISCLOSURE.read_text(encoding="utf-8")
    check_invariants(text, extract(text))


# --------------------------------------------------------------------------------------------
# properties

@given(st.text())
def test_any_text_never_raises(text):
    check_invariants(text, extract(text))


_ALPHABET = ("0123456789０１２３.．,， 、\n\t-%％~至一二两三十百千万亿零〇点第统之"
             "元万亿人次个家项分年月日度余多约超近以上左右(（)）含≥:：;。得单价<u>/")


@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_number_like_text_never_raises(text):
    check_invariants(text, extract(text))


@st.composite
def noisy_amounts(draw):
    places = draw(st.integers(0, 4))
    units = draw(st.integers(0, 10 ** 12))
    value = Decimal(units).scaleb(-places)
    whole, _, frac = f"{value:f}".partition(".")
    sep = draw(st.sampled_from(["", ",", ", "]))
    if sep:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = sep.join([whole] + groups)
    text = whole
    if frac:
        text += draw(st.sampled_from([".", ". ", ".\n", "．"])) + frac
    if draw(st.booleans()):
        text = text.translate(_FULLWIDTH_DIGITS)
    return value, places, text


@given(noisy_amounts(), st.sampled_from(["", " "]))
def test_noisy_amounts_in_a_sentence(case, space):
    value, places, written = case
    sentence = f"本年支出{space}{written}{space}万元，"
    ms = extract(sentence)
    assert len(ms) == 1, [(m.text, m.kind) for m in ms]
    m = ms[0]
    assert m.value == value and m.places == places
    assert (m.unit, m.kind, m.claim) == ("万元", "amount", True)
    assert m.text == written
    assert sentence[m.unit_start:m.unit_end] == "万元"
    assert m.scaled("元") == value * 10000
