"""The shanghai template pack: Shanghai's 2024 第三部分 (11 sections) rendered from figures.

Regenerate the golden file with ``NARRATOR_UPDATE_GOLDEN=1 pytest tests/render/test_pack_shanghai.py``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import check_golden
from narrator.figures.model import figures_from_tree
from narrator.figures.load import load_figures
from narrator.render.engine import render
from narrator.core.yamlio import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024" / "figures.yaml"
GOLDEN = ROOT / "tests" / "golden" / "renshe-2024.shanghai.txt"

HEADINGS = [
    "一、收入支出决算总体情况说明",
    "二、收入决算情况说明",
    "三、支出决算情况说明",
    "四、财政拨款收入支出决算总体情况说明",
    "五、一般公共预算财政拨款支出决算情况说明",
    "六、一般公共预算财政拨款基本支出决算情况说明",
    "七、财政拨款“三公”经费支出决算情况说明",
    "八、政府性基金预算财政拨款收入支出决算情况说明",
    "九、国有资本经营预算财政拨款收入支出决算情况说明",
    "十、预算绩效管理情况",
    "十一、其他重要事项的情况说明",
]

# Digits that are fixed wording of the template, not figures: the device threshold, the
# year-end date, and list numbering at the start of a line ("1、").
FIXED_DIGITS = [
    re.compile(r"单价(100)万元（含）以上"),
    re.compile(r"年(12)月(31)日"),
    re.compile(r"^(\d+)、", re.M),
]


def _tree() -> dict:
    return parse_yaml(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE), with_lines=False)


def _render_tree(tree: dict):
    return render(figures_from_tree(tree, "<test>"), "shanghai")


@pytest.fixture(scope="module")
def draft():
    return render(load_figures(SAMPLE), "shanghai")


def _section(d, number: str) -> str:
    for s in d.sections:
        if s.number == number:
            return d.text[s.start:s.end]
    raise KeyError(number)


def _line(text: str, needle: str) -> str:
    for line in text.splitlines():
        if needle in line:
            return line
    raise AssertionError(f"no line containing {needle!r} in:\n{text}")


# -- structure -------------------------------------------------------------------------
def test_title_and_eleven_headings_in_order(draft):
    assert draft.text.splitlines()[0] == "第三部分 区人社局2024年度部门决算情况说明"
    assert [s.title for s in draft.sections] == HEADINGS
    heading_lines = [ln for ln in draft.text.splitlines() if re.match(r"^[一二三四五六七八九十]+、", ln)]
    assert heading_lines == HEADINGS


def test_subheadings(draft):
    lines = draft.text.splitlines()
    for sub in ["（一）一般公共预算财政拨款支出决算总体情况", "（二）一般公共预算财政拨款支出决算结构情况",
                "（三）一般公共预算财政拨款支出决算具体情况",
                "（一）“三公”经费财政拨款支出决算总体情况说明。", "（二）“三公”经费财政拨款支出决算具体情况说明。",
                "（一）机关运行经费支出情况", "（二）政府采购支出情况", "（三）国有资产占有使用情况说明"]:
        assert sub in lines


# -- key sentences and their numbers -----------------------------------------------------
def test_key_numbers(draft):
    t = draft.text
    assert "区人社局2024年度收入支出总计14351.53万元。" in t
    assert "本年收入合计14344.12万元，其中：财政拨款收入11301.20万元，占78.79%；其他收入3042.92万元，占21.21%。" in t
    assert "本年支出合计14344.12万元，其中：基本支出1699.45万元，占11.85%；项目支出12644.67万元，占88.15%。" in t
    assert "一般公共预算财政拨款支出11121.20万元，占本年支出合计的77.53%。" in t
    assert "一般公共预算财政拨款支出增加583.74万元，增长5.54%。" in t
    assert "社会保障和就业支出（类）10855.22万元，占97.61%" in t
    assert ("一般公共预算财政拨款支出年初预算为8371.59万元，支出决算为11121.20万元，完成年初预算的132.84%。"
            "决算数大于预算数的主要原因：") in t
    assert "“三公”经费财政拨款支出年初预算为0.27万元，支出决算为0.27万元，完成预算的100.00%" in t
    assert "2024年度“三公”经费支出决算数与预算数持平。" in t
    assert "2024年度“三公”经费财政拨款支出决算数比2023年度增加0.05万元，增长22.73%" in t
    assert "机关运行经费支出171.87万元" in t
    assert "共有车辆1辆，其中：其他用车1辆。单价100万元（含）以上设备（不含车辆）0台（套）。" in t


def test_numbers_are_slots(draft):
    by_text = {}
    for s in draft.slots:
        by_text.setdefault(s.text, []).append(s)
        assert draft.text[s.start:s.end] == s.text
    pct = [s for s in by_text["78.79"] if s.kind == "percent"]
    assert pct and pct[0].rule == "占比" and pct[0].value.quantize(Decimal("0.01")) == Decimal("78.79")
    assert any(s.kind == "percent" and "完成率" in (s.rule or "") for s in by_text["132.84"])
    assert any(s.kind == "amount" for s in by_text["10855.22"])
    # 持平 is a direction word slot with value 0, not fixed text
    assert any(s.kind == "word" and s.value == 0 for s in by_text["持平"])


def test_item_level_subjects(draft):
    sec = _section(draft, "五")
    line = _line(sec, "就业管理事务（项）")
    assert line.startswith("3、社会保障和就业支出（类）人力资源和社会保障管理事务（款）就业管理事务（项）。主要用于：")
    assert "年初预算为500.00万元，支出决算为458.70万元。决算数小于预算数的主要原因：人力资源市场运营费项目资金延缓支付。" in line
    # no 年初预算 for this 项: the 缺数 placeholder, direction left to fill
    line = _line(sec, "提租补贴（项）")
    assert "年初预算为【缺数：2210202 提租补贴的年初预算】万元，支出决算为24.44万元。" in line
    assert "决算数【待填：大于/小于】预算数" in line
    # every 项 with spending, numbered 1..17
    items = [ln for ln in sec.splitlines() if re.match(r"^\d+、", ln)]
    assert len(items) == 17 and items[-1].startswith("17、")


def test_sanggong_detail(draft):
    sec = _section(draft, "七")
    assert "公务接待费支出增加的主要原因是人社部来我区调研，公务接待支出增加。" in sec
    assert "“三公”经费财政拨款支出决算中，公务接待费支出决算0.27万元，占100.00%。具体情况如下：" in sec
    # zero kinds are not listed in the detail
    assert "因公出国（境）费支出" not in sec and "公务用车购置及运行维护费支出" not in sec
    assert "1、公务接待费支出0.27万元。其中：" in sec
    assert "共接待4批次、34人次，其中：接待外宾【缺数：" in sec


def test_performance_fallbacks(draft):
    sec = _section(draft, "十")
    # 绩效自评: 项目数 from 项目自评, 预算金额 = Σ 预算数 of the listed projects
    assert "绩效自评的2024年度项目9个，涉及预算金额12327.33万元，平均得分【缺数：" in sec
    assert "【待填：预算绩效管理制度名称】" in sec
    slot = next(s for s in draft.slots if s.text == "12327.33")
    assert slot.formula and slot.formula.count("+") == 8


def test_procurement(draft):
    sec = _section(draft, "十一")
    assert ("区人社局2024年度政府采购金额（以合同签订为准）为2210.75万元，其中：货物采购金额3.01万元、"
            "工程采购金额0.00万元、服务采购金额2207.74万元。") in sec
    assert "面向中小企业预留政府采购项目预算金额【缺数：政府采购 面向中小企业预留项目预算金额】万元" in sec


def test_state_capital_and_no_fund(draft):
    assert "区人社局2024年度无政府性基金预算财政拨款收入和支出。" in _section(draft, "八")
    sec = _section(draft, "九")
    assert "国有资本经营预算财政拨款收入180.00万元，支出180.00万元，支出具体情况如下：" in sec
    assert "1、国有资本经营预算支出（类）解决历史遗留问题及改革成本支出（款）国有企业办职教幼教补助支出（项）。主要用于：职教幼教特殊人群统筹外发放生活补助支出。" in sec


# -- 持平 ------------------------------------------------------------------------------
def test_flat_wording():
    tree = _tree()
    tree["上年"]["收入支出决算总表"]["收入"]["总计"] = Decimal("14351.53")
    tree["上年"]["机关运行经费"] = {"决算数": Decimal("171.87")}
    tree["上年"]["财政拨款“三公”经费支出决算表"]["决算数"] = {"合计": Decimal("0.27"), "公务接待费": Decimal("0.27")}
    tree["年初预算"]["科目"]["2080101"] = Decimal("1688.19")
    d = _render_tree(tree)

    one = _section(d, "一")
    assert "与2023年度相比，收入支出总计持平。" in one
    for w in ("增加", "减少", "增长", "下降", "主要原因"):
        assert w not in one

    line = _line(_section(d, "五"), "行政运行（项）")
    assert "年初预算为1688.19万元，支出决算为1688.19万元。决算数与预算数持平。" in line
    assert "主要原因" not in line and "大于" not in line and "小于" not in line

    line = _line(_section(d, "七"), "决算数与2023年度")
    assert "2024年度“三公”经费财政拨款支出决算数与2023年度持平，其中：公务接待费支出决算持平。" in line
    assert "主要原因" not in line and "增加" not in line and "减少" not in line

    line = _line(_section(d, "十一"), "机关运行经费支出171.87万元")
    assert line == "机关运行经费支出171.87万元，与2023年度持平。"


def test_change_without_rate_when_last_year_zero():
    tree = _tree()
    tree["财政拨款“三公”经费支出决算表"]["预算数"] = {"合计": Decimal("2.27"), "公务接待费": Decimal("0.27"),
                                              "因公出国（境）费": Decimal("2")}
    tree["财政拨款“三公”经费支出决算表"]["决算数"] = {"合计": Decimal("1.77"), "公务接待费": Decimal("0.27"),
                                              "因公出国（境）费": Decimal("1.5")}
    d = _render_tree(tree)
    sec = _section(d, "七")
    assert "其中：因公出国（境）费决算为1.50万元，完成预算的75.00%；公务接待费支出决算为0.27万元，完成预算的100.00%。" in sec
    assert "2024年度“三公”经费支出决算数小于预算数的主要原因：【待填：主要原因】。" in sec
    # 上年 因公出国 was 0 (blank in the table): amount only, no growth rate
    assert "其中：因公出国（境）费支出决算增加1.50万元；公务接待费支出决算增加0.05万元，增长22.73%。" in sec
    # two kinds changed: each needs its own reason
    assert "因公出国（境）费支出增加的主要原因是【待填：主要原因】。公务接待费支出增加的主要原因是【待填：主要原因】。" in sec
    assert "1、因公出国（境）费支出1.50万元。全年安排因公出国（境）团组【缺数：" in sec
    assert "2、公务接待费支出0.27万元。" in sec


# -- 不涉及的不列 ------------------------------------------------------------------------
def test_absent_items_not_listed(draft):
    two = _section(draft, "二")
    for name in ("事业收入", "经营收入", "上级补助收入", "附属单位上缴收入"):
        assert name not in two
    three = _section(draft, "三")
    for name in ("经营支出", "上缴上级支出", "对附属单位补助支出"):
        assert name not in three


def test_present_and_zero_items():
    tree = _tree()
    tree["收入决算表"]["合计"]["事业收入"] = Decimal("100.00")
    for row in tree["一般公共预算财政拨款基本支出决算明细表"]["科目"]:
        if row["科目编码"] == "30239":
            row["决算数"] = Decimal("0")
    for row in tree["一般公共预算财政拨款支出决算表"]["科目"]:
        if row["科目编码"].startswith("221"):
            row["合计"] = Decimal("0")
            row["基本支出"] = Decimal("0")
    d = _render_tree(tree)
    assert "；事业收入100.00万元，占0.70%；" in _section(d, "二")
    six = _section(d, "六")
    assert "其他交通费用" not in six and "福利费、办公设备购置。" in six
    five = _section(d, "五")
    assert "住房保障支出（类）" not in five and "住房公积金（项）" not in five
    assert "卫生健康支出（类）114.20万元，占1.03%。" in five


# -- 无……的部门 ---------------------------------------------------------------------------
def test_none_sentences():
    tree = _tree()
    del tree["财政拨款“三公”经费支出决算表"]
    del tree["国有资本经营预算财政拨款支出决算表"]
    del tree["收入支出决算总表"]["收入"]["国有资本经营预算财政拨款收入"]
    del tree["财政拨款收入支出决算总表"]["收入"]["国有资本经营预算财政拨款"]
    tree["机关运行经费"]["决算数"] = Decimal("0")
    d = _render_tree(tree)
    assert _section(d, "七").splitlines()[1:] == ["区人社局2024年度无“三公”经费财政拨款支出。"]
    assert _section(d, "八").splitlines()[1:] == ["区人社局2024年度无政府性基金预算财政拨款收入和支出。"]
    assert _section(d, "九").splitlines()[1:] == ["区人社局2024年度无国有资本经营预算财政拨款收入和支出。"]
    assert "区人社局2024年度无机关运行经费支出。" in _section(d, "十一").splitlines()


def test_zero_sanggong_table_is_none():
    tree = _tree()
    tree["财政拨款“三公”经费支出决算表"] = {"预算数": {"合计": Decimal("0")}, "决算数": {"合计": Decimal("0")}}
    d = _render_tree(tree)
    assert "区人社局2024年度无“三公”经费财政拨款支出。" in _section(d, "七")


# -- every number is a slot ----------------------------------------------------------------
def _uncovered_digits(d) -> list[str]:
    covered = [(s.start, s.end) for s in d.slots]
    for rx in FIXED_DIGITS:
        for m in rx.finditer(d.text):
            covered.extend(m.span(g) for g in range(1, (rx.groups or 0) + 1))
    bad = []
    for m in re.finditer(r"\d+", d.text):
        if not any(a <= m.start() and m.end() <= b for a, b in covered):
            ctx = d.text[max(0, m.start() - 12):m.end() + 12]
            bad.append(f"{m.group()} in …{ctx}…")
    return bad


def test_every_digit_is_in_a_slot(draft):
    assert _uncovered_digits(draft) == []


def test_every_digit_is_in_a_slot_variants():
    tree = _tree()
    tree["三公经费说明"].update({"因公出国团组数": 1, "因公出国人次": 3, "公务用车保有量": 2,
                           "外宾接待批次": 0, "外宾接待人次": 0, "外宾接待支出": Decimal("0")})
    tree["财政拨款“三公”经费支出决算表"]["决算数"].update(
        {"合计": Decimal("10.27"), "因公出国（境）费": Decimal("4"), "公务用车购置及运行维护费": Decimal("6"),
         "公务用车运行维护费": Decimal("6")})
    d = _render_tree(tree)
    assert _uncovered_digits(d) == []
    sec = _section(d, "七")
    # 购置 derived as 6 − 6 = 0 → not listed; 运行维护 listed with the 保有量
    assert "公务用车购置支出" not in sec
    assert "公务用车运行维护支出6.00万元。主要用于【待填：主要用于】。2024年，区人社局所属各预算单位开支财政拨款的公务用车保有量为2辆。" in sec


# -- golden ------------------------------------------------------------------------------
def test_golden(draft):
    check_golden(GOLDEN.name, draft.text)
