"""The checker reads what each number means from its words, not from its place in a template.

Real sentences (quoted from published disclosures), the reworded sample with its injected
mistakes and its clean twin, and random figures written in the officers' wording.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check import check_text
from narrator.check.claims import ACT, CHG, COMPL, PY, RATE, SHARE, read, simplified
from narrator.check.extract import extract
from narrator.figures.load import load_figures

ROOT = Path(__file__).resolve().parent.parent.parent
REWORDED = ROOT / "tests" / "fixtures" / "reworded"
FIGURES = ROOT / "samples" / "renshe-2024" / "figures.yaml"


def readings(text: str):
    text = simplified(text)
    return read(text, extract(text))


def errors(text: str, figures=None):
    return [f for f in check_text(text, "t", figures).findings if f.severity == "error"]


# -- the reader ---------------------------------------------------------------------------
def test_subject_and_measure_come_from_the_words():
    doc = readings("2015本年收入54124.66万元，比2014年决算数5386.23万元增加48738.43万元，增长904.87％")
    act, py, chg, rate = doc.readings
    assert (act.subject, act.measure) == ("本年收入合计", ACT)
    assert (py.measure, py.year) == (PY, 2014)
    assert (chg.measure, chg.sign, chg.anchor) == (CHG, 1, act.index)
    assert (rate.measure, rate.anchor, rate.base, rate.change) == (RATE, act.index, py.index, chg.index)


def test_an_amount_in_parentheses_is_a_part_and_the_change_belongs_to_the_total():
    # corpus 25: 11.23% is right on 95.67 − 9.66, not on the 18 inside the parenthesis
    text = ("（八）住房保障支出（科目编码221）95.67万元（其中按照项级科目统计，科目编码2210201-住房公积金支出的金额为"
            "77.67万元；科目编码2210202-提租补贴的金额为18万元），总体较2017年决算数增加9.66万元，增长11.23%。")
    doc = readings(text)
    total = next(r for r in doc.readings if r.mention.text == "95.67")
    parts = [r for r in doc.readings if r.part_of == total.index]
    rate = next(r for r in doc.readings if r.measure == RATE)
    assert [p.mention.text for p in parts] == ["77.67", "18"]
    assert rate.anchor == total.index
    assert errors(text) == []


def test_a_share_finds_its_whole_by_name_or_by_the_list_it_is_in():
    doc = readings("本年收入合计597.52万元；其中：财政拨款收入177.28万元，占29.67%；事业收入375.81万元，占70.33%。")
    shares = [r for r in doc.readings if r.measure == SHARE]
    assert [doc.readings[s.whole].mention.text for s in shares] == ["597.52", "597.52"]
    (wrong,) = errors("本年收入合计597.52万元；其中：财政拨款收入177.28万元，占29.67%；事业收入375.81万元，占70.33%。")
    assert (wrong.code, wrong.found, wrong.expected) == ("N205", "70.33", "62.89")


def test_traditional_characters_are_read_like_simplified_ones():
    # corpus 14, as published on a mirror site
    text = "2017年總收入6628.72萬元。\n相比2016年的總收入6871.82減少243.10萬元,下降3.54%。"
    doc = readings(text)
    assert [r.measure for r in doc.readings] == [ACT, PY, CHG, RATE]
    assert errors(text) == []
    assert errors(text.replace("3.54", "3.45"))[0].expected == "3.54"


def test_an_item_heading_names_the_subject_of_the_sentence_after_it():
    doc = readings("1. 社会保障和就业支出（类）人力资源和社会保障管理事务（款）行政运行（项）（科目编码2080101）。"
                   "支出决算为1688.19万元，年初预算为1783.76万元，完成年初预算的94.64%。")
    act, bud, compl = doc.readings
    assert act.subject == bud.subject == "科目2080101"
    assert (compl.measure, compl.anchor, compl.budget) == (COMPL, act.index, bud.index)


# -- mistakes a reader catches without any table -----------------------------------------
REAL_MISTAKES = [
    # (quoted text, code, found, expected)
    ("城乡社区环境卫生23.72万元, 较2016年决算数增加23.46万元,增长90.23%。", "N202", "90.23", "9023.08"),   # ×100
    ("对村级一事一议的补助8.00万元，较2016年决算数增加8万元，增长122.6%。", "N202", "122.6", None),     # base 0
    ("2016年机关运行经费支出309.51万元，比2015年增长35.77万元，增长11.55%。", "N202", "11.55", "13.07"),
    ("三、“三公”经费支出决算情况2017年度“三公”经费一般公共预算拨款80.96万元，同比增长16.42%。具体情况如下："
     "（一）因公出国（境）费43.13万元。（二）公务用车购置及运行费8.29万元。（三）公务接待费26.14万元。",
     "N207", "80.96", "77.56"),
    ("公务用车购置及运行费33.17元。其中：公务用车运行费33.17万元，主要用于车辆燃油。", "N210", "元", "万元"),
    ("四、2015年决算收支总体情况2015年年初结转和结余55.87万元，本年收入488.62万元，本年支出470.91万元。"
     "五、收入决算情况（一）2015本年收入488.32万元。", "N208", "488.32", "488.62"),
    ("七、“三公”经费公共财政拨款支出决算情况 2016年“三公”经费公共财政拨款支出2.42万元，较2016年决算增加0.55万元。",
     "N209", "2016", "2017"),
    ("年初预算为500万元，支出决算为458.7万元，决算数大于预算数。", "N203", "大于", "小于"),
]


@pytest.mark.parametrize("text,code,found,expected", REAL_MISTAKES)
def test_real_mistakes_are_found_from_the_text_alone(text, code, found, expected):
    if code == "N209":
        text = "2017年度平潭综合实验区岚城乡人民政府决算说明\n" + text
    hits = [f for f in errors(text) if f.code == code]
    assert hits, [f.render() for f in errors(text)]
    assert (hits[0].found, hits[0].expected) == (found, expected)
    assert hits[0].formula


CORRECT_REAL_TEXT = [
    "（二）2010601一般公共服务支出（类）财政事务支出（款）行政运行（项）拨款支出44.18万元（其中人员经费41.16万元，"
    "日常公用经费3.02万元），较2016年决算数减少15.08万元，下降25.45%。",
    "2、财政事务（科目编码：20106）35.41万元，其中行政运行（科目编码: 2010601）35.41万元，较2015决算数9.62万元，"
    "较2015决算数上升37.30%。",
    "2016本年收入 74.93 万元，比2015年决算数增加74.93万元，增长100％，具体情况如下：",
    "（二）文化体育与传媒支出（科目编码：207）10.57万元，包括：文化（科目编码：20701）10.57万元，其中行政运行"
    "（科目编码：2070101）10.57万元。",
    "2018年度一般公共预算收入总计1085.31万元,本年支出1070.67万元,年末结转和结余30.65万元。"
    "2018年度本年支出1095.67万元，年末结转和结余164.61万元。",
    "共有车辆1辆（其他用车），单价100万元以上设备0台（套）。",
    # one code, two lines of different economic kind (corpus budget/B2)
    "（一）[2011501]行政运行中人员经费支出1789.59万元。主要用于在职人员工资及福利。"
    "（二）[2011501]行政运行中公用支出250.69万元。主要用于办公经费、差旅经费。",
]


@pytest.mark.parametrize("text", CORRECT_REAL_TEXT)
def test_correct_real_text_gets_no_error(text):
    assert errors(text) == []


# -- the reworded sample ------------------------------------------------------------------
@pytest.fixture(scope="module")
def figures():
    return load_figures(FIGURES)


def _hit(f, start: int, text: str) -> bool:
    end = start + len(text)
    return f.start < end + 2 and start - 8 < f.end


def test_every_mistake_injected_into_the_reworded_sample_is_reported(figures):
    text = (REWORDED / "mistakes.txt").read_text(encoding="utf-8")
    injected = yaml.safe_load((REWORDED / "mistakes.yaml").read_text(encoding="utf-8"))
    assert len(injected) >= 12 and len({m["kind"] for m in injected}) >= 12
    found = [f for f in check_text(text, "m", figures).findings
             if f.code.startswith("N") and f.severity == "error"]
    missed = [(m["kind"], m["text"]) for m in injected if not any(_hit(f, m["start"], str(m["text"])) for f in found)]
    assert missed == []
    # and each is reported once, with what it should say
    for m in injected:
        (f,) = [f for f in found if _hit(f, m["start"], str(m["text"]))]
        assert f.expected is not None


def test_the_reworded_sample_without_mistakes_gets_no_error(figures):
    text = (REWORDED / "clean.txt").read_text(encoding="utf-8")
    with_figures = [f.render() for f in check_text(text, "c", figures).findings
                    if f.code.startswith("N") and f.severity == "error"]
    assert with_figures == []
    assert [f.render() for f in errors(text)] == []


def test_claims_in_json_carry_subject_measure_year_and_evidence():
    out = subprocess.run([sys.executable, "-m", "narrator.cli", "check", str(REWORDED / "clean.txt"),
                          "--figures", str(FIGURES), "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    report = json.loads(out.stdout)
    claims = report["claims"]
    assert all({"subject", "measure", "year", "evidence"} <= set(c) for c in claims)
    total = next(c for c in claims if c["text"] == "14351.53")
    assert (total["subject"], total["measure"], total["status"]) == ("收支总计", "决算数", "confirmed")
    assert sum(c["evidence"] is not None for c in claims) > 60
    assert report["summary"]["errors"] == sum(f["severity"] == "error" for f in report["findings"])


# -- random figures in the officers' wording ---------------------------------------------
def _q(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


money = st.decimals(min_value=Decimal("1000.00"), max_value=Decimal("99999.99"), places=2)
change = st.decimals(min_value=Decimal("100.00"), max_value=Decimal("50000.00"), places=2)

FRAMES = [
    "{name}{now}万元，比上年增加{chg}万元，增长{rate}%。",
    "{name}{now}万元，较上年决算数增加{chg}万元，增幅{rate}%。",
    "与上年相比，{name}增加{chg}万元，增长{rate}%，{name}为{now}万元。",
    "{name}（科目编码2080101）{now}万元（其中人员经费{part}万元），总体较上年决算数增加{chg}万元，增长{rate}%。",
]


@settings(max_examples=150, deadline=None)
@given(before=money, chg=change, frame=st.sampled_from(FRAMES))
def test_random_changes_are_confirmed_when_right_and_reported_when_wrong(before, chg, frame):
    after = before + chg
    rate = _q(chg / before * 100)
    part = _q(after / 3)
    name = "本年支出合计" if "科目编码" not in frame else "行政运行"
    right = frame.format(name=name, now=after, chg=chg, rate=rate, part=part)
    assert errors(right) == [], right
    off = _q(rate * Decimal("1.05") + Decimal("0.11"))      # far outside the printed intervals
    wrong = frame.format(name=name, now=after, chg=chg, rate=off, part=part)
    (f,) = errors(wrong)
    assert (f.code, f.found, f.expected) == ("N202", str(off), str(rate))


def test_a_no_change_word_between_different_amounts_is_reported_as_written():
    (f,) = errors("因公出國（境）費年初預算20萬元，支出決算0萬元，與預算相比無增減。")
    assert (f.code, f.found, f.expected) == ("N105", "無增減", "减少")
    assert errors("因公出国（境）费年初预算20万元，支出决算20万元，与预算相比无增减。") == []


def test_the_changes_of_the_three_sangong_items_add_up_to_the_total_change():
    lead = "2016年“三公”经费支出16.55万元，比上年减少3.66万元。（一）因公出国（境）费0万元，{}。" \
           "（二）公务用车购置及运行费15.04万元，比上年减少3.79万元。（三）公务接待费1.51万元，比上年增加0.14万元。"
    assert errors(lead.format("与上年持平")) == []
    (f,) = errors(lead.format("比上年减少0.5万元"))
    assert (f.code, f.found, f.expected) == ("N207", "3.66", "4.15")


def test_yuan_among_wan_amounts_is_a_warning_unless_a_relation_proves_it():
    r = check_text("公务接待费1.51万元，公务用车运行费2.7元，因公出国（境）费0万元。", "t")
    assert [(f.code, f.severity, f.found, f.expected) for f in r.findings] == [("N210", "warning", "元", "万元")]
    assert [f.code for f in check_text("事业基金弥补收支差额0元，结余分配0万元。", "t").findings] == []


def test_a_count_is_never_compared_with_a_count_of_another_thing(figures):
    # "共有车辆1辆（其他用车），单价100万元以上设备0台（套）": the 1 is vehicles, not equipment
    text = (ROOT / "samples" / "renshe-2024" / "narrative.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if "共有车辆" in line)
    lines[i] = "截至2024年12月31日，共有车辆1辆（其他用车），单价100万元以上设备0台（套）。"
    r = check_text("\n".join(lines), "t", figures)
    assert [f.render() for f in r.findings if f.code.startswith("N") and f.line == i + 1] == []
