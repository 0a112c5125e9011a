"""Finding the parts and reading the nine tables of a disclosure, with the repairs reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrator.sources.disclosure import parse_tables, read_amount, split_disclosure, title_of
from narrator.core.findings import line_col

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
TEMPLATE = ROOT / "samples" / "reference" / "shanghai-2024-template.txt"
FILLED = Path(__file__).resolve().parents[1] / "fixtures" / "shanghai-filled.txt"
D = Decimal


@pytest.fixture(scope="module")
def seed():
    text = SEED.read_text(encoding="utf-8")
    tree, findings = parse_tables(text, str(SEED))
    return text, tree, findings


@pytest.fixture(scope="module")
def filled():
    text = FILLED.read_text(encoding="utf-8")
    tree, findings = parse_tables(text, str(FILLED))
    return text, tree, findings


def row(table, code):
    return next(r for r in table["科目"] if r["科目编码"] == code)


def at(findings, line):
    return [f for f in findings if f.line == line]


# --------------------------------------------------------------------------- the seed

def test_seed_heading_values(seed):
    _, tree, _ = seed
    assert tree["单位"] == "区人社局" and tree["年度"] == 2024 and tree["金额单位"] == "万元"
    inc = tree["收入支出决算总表"]["收入"]
    exp = tree["收入支出决算总表"]["支出"]
    assert inc == {"一般公共预算财政拨款收入": D("11121.20"), "国有资本经营预算财政拨款收入": D("180.00"),
                   "其他收入": D("3042.92"), "本年收入合计": D("14344.12"), "年初结转和结余": D("7.41"),
                   "总计": D("14351.53")}
    assert exp["本年支出合计"] == D("14344.12") and exp["总计"] == D("14351.53")
    assert exp["年末结转和结余"] == D("7.41") and "结余分配" not in exp
    assert exp["社会保障和就业支出"] == D("13898.15")     # as printed; the audit compares tables
    assert all(isinstance(v, Decimal) for v in inc.values())


def test_seed_subject_tables(seed):
    _, tree, _ = seed
    income, spend = tree["收入决算表"], tree["支出决算表"]
    assert income["合计"] == {"本年收入合计": D("14344.12"), "财政拨款收入": D("11301.20"), "其他收入": D("3042.92")}
    assert row(income, "208")["其他收入"] == D("3042.92")
    assert row(income, "2080101")["科目名称"] == "行政运行"
    assert row(spend, "2080109") == {"科目编码": "2080109", "科目名称": "社会保险经办机构",
                                     "本年支出合计": D("467.89"), "项目支出": D("467.89")}
    gp = tree["一般公共预算财政拨款支出决算表"]
    assert row(gp, "20801")["项目支出"] == D("2495.79")      # printed; not visibly damaged: kept
    assert row(gp, "2080102")["项目支出"] == D("68.37")
    assert row(gp, "2080705")["项目支出"] == D("222.02")
    assert row(gp, "208")["项目支出"] == D("9421.7")         # the sums disagree: kept as printed
    assert gp["合计"] == {"合计": D("11121.20"), "基本支出": D("1699.45"), "项目支出": D("9421.76")}
    soe = tree["国有资本经营预算财政拨款支出决算表"]
    assert [r["科目编码"] for r in soe["科目"]] == ["223", "22301", "2230103"]   # 类/款/项 columns joined
    assert soe["合计"] == {"合计": D("180.00"), "项目支出": D("180.00")}
    assert "政府性基金预算财政拨款收入支出决算表" not in tree        # "本部门无政府性基金收支"


def test_seed_fiscal_overview(seed):
    _, tree, _ = seed
    t = tree["财政拨款收入支出决算总表"]
    assert t["收入"]["年初财政拨款结转和结余"] == {"小计": D("7.41"), "一般公共预算财政拨款": D("7.41")}
    assert t["收入"]["总计"] == D("11308.61")
    assert t["支出"]["总计"] == {"小计": D("11308.61"), "一般公共预算财政拨款": D("11128.61"),
                               "国有资本经营预算财政拨款": D("180.00")}
    assert t["支出"]["国有资本经营预算支出"] == {"小计": D("180.00"), "国有资本经营预算财政拨款": D("180.00")}


def test_seed_basic_spending_detail_and_sangong(seed):
    _, tree, _ = seed
    detail = tree["一般公共预算财政拨款基本支出决算明细表"]
    assert row(detail, "301")["决算数"] == D("1390.96")
    assert row(detail, "30101")["决算数"] == D("220.43")
    assert row(detail, "30201") == {"科目编码": "30201", "科目名称": "办公费", "决算数": D("7.96")}
    assert row(detail, "31002")["决算数"] == D("1.98")                 # third column group
    assert detail["人员经费合计"] == D("1527.57")
    assert detail["公用经费合计"] == D("171.8")                        # undecided: kept
    sg = tree["财政拨款“三公”经费支出决算表"]
    assert sg == {"预算数": {"合计": D("0.27"), "公务接待费": D("0.27")},
                  "决算数": {"合计": D("0.27"), "公务接待费": D("0.27")}}


def test_seed_repairs_are_reported_with_lines(seed):
    text, _, findings = seed
    repairs = {(f.line, f.found, f.expected) for f in findings if f.code == "D001"}
    assert (99, "14, 344, 12", "14344.12") in repairs
    assert (102, "14, 351, 53", "14351.53") in repairs
    assert (111, "3, 042. 9", "3042.92") in repairs
    assert (232, "68.3", "68.37") in repairs
    assert (242, "222.00", "222.02") in repairs
    assert (243, "1,339.6", "1339.68") in repairs
    assert (319, "0.2", "0.27") in repairs
    assert (218, "11, 128, 61", "11128.61") in repairs
    assert (110, "숨计", "合计") in repairs
    assert (101, "E初结转和结余", "年初结转和结余") in repairs
    assert (113, "行歌运行", "行政运行") in repairs
    assert (264, "か公費", "办公费") in repairs
    f = next(f for f in findings if f.found == "14, 344, 12")
    assert (f.code, f.name, f.severity) == ("D001", "extraction-repair", "info")
    assert (f.line, f.column) == (99, 11) and text[f.start:f.end] == "14, 344, 12"
    assert "收入决算表" in f.message and f.formula
    trunc = next(f for f in findings if f.found == "3, 042. 9")
    assert "13898.14 − 10855.22 = 3042.92" in trunc.message


def test_seed_stray_value_and_forced_blank(seed):
    _, _, findings = seed
    stray = at(findings, 100)
    assert len(stray) == 1 and stray[0].found == "11,011.12" and "已舍去" in stray[0].message
    filled = [f for f in at(findings, 101) if f.expected == "7.41"]
    assert len(filled) == 1 and "年初财政拨款结转和结余" in filled[0].message


def test_seed_undecidable_cells_are_warnings_not_guesses(seed):
    _, _, findings = seed
    warn = {f.line: f for f in findings if f.code == "D002"}
    assert set(warn) == {229, 291}
    assert warn[229].found == "9, 421. 7" and "9421.75" in warn[229].message and "9421.76" in warn[229].message
    assert warn[291].found == "171.8" and "不作推测" in warn[291].message
    assert all(w.name == "unrepaired-cell" and w.severity == "warning" for w in warn.values())
    assert at(findings, 230) == []          # 2495.79: kept, left to the audit


def test_seed_tree_validates_as_figures(seed):
    from narrator.figures.model import figures_from_tree

    _, tree, _ = seed
    fig = figures_from_tree(tree, "seed")
    assert fig.data["收入支出决算总表"]["收入"]["本年收入合计"] == D("14344.12")


# --------------------------------------------------------------------------- parts

def test_split_seed(seed):
    text, _, _ = seed
    parts = split_disclosure(text)
    assert parts.has_tables and not split_disclosure("第三部分 情况说明\n").has_tables
    assert line_col(text, parts.body_start)[0] == 51
    assert line_col(text, parts.tables[0])[0] == 66
    assert [line_col(text, x)[0] for x in parts.narrative] == [323, 470]
    assert parts.narrative_text.startswith("第三部分 区人社局 2024 年度 部门决算情况说明")
    titles = [s.title for s in parts.sections]
    assert len(titles) == 13 and titles[0] == "一、收入支出决算总体情况说明"
    assert titles[6] == "七、政府性基金预算财政拨款收入支出决算情况说明"   # heading and body on one line
    assert "2024年度收、支总计14344.12万元" in text[parts.sections[0].start:parts.sections[0].end]


@pytest.mark.parametrize("path,narr,end,tables", [(TEMPLATE, 371, 658, 98), (FILLED, 524, 811, 98)])
def test_split_shanghai(path, narr, end, tables):
    text = path.read_text(encoding="utf-8")
    parts = split_disclosure(text)
    assert line_col(text, parts.narrative[0])[0] == narr
    assert line_col(text, parts.narrative[1])[0] == end
    assert line_col(text, parts.tables[0])[0] == tables
    titles = [s.title for s in parts.sections]
    assert titles[6] == "七、财政拨款三公经费支出决算情况说明" and titles[-1] == "十一、其他重要事项的情况说明"


# --------------------------------------------------------------------------- Shanghai's layout

def test_shanghai_filled(filled, seed):
    _, tree, findings = filled
    _, seed_tree, _ = seed
    assert findings == []
    assert tree["单位"] == "上海市XX局" and tree["年度"] == 2024
    assert tree["收入支出决算总表"]["收入"]["年初结转和结余"] == D("7.41")
    assert tree["收入支出决算总表"]["支出"]["社会保障和就业支出"] == D("13898.14")
    assert tree["收入决算表"] == seed_tree["收入决算表"]
    assert row(tree["收入决算表"], "2080505")["科目名称"] == "机关事业单位基本养老保险缴费支出"  # wrapped name
    gp = tree["一般公共预算财政拨款支出决算表"]
    assert gp["合计"] == {"合计": D("11121.20"), "基本支出": D("1699.45"), "项目支出": D("9421.75")}
    assert row(gp, "20801")["科目名称"] == "人力资源和社会保障管理事务"
    fiscal = tree["财政拨款收入支出决算总表"]
    assert fiscal["收入"]["年初财政拨款结转和结余"] == {"小计": D("7.41"), "一般公共预算财政拨款": D("7.41")}
    assert fiscal["支出"]["本年支出合计"] == {"小计": D("11301.20"), "一般公共预算财政拨款": D("11121.20"),
                                         "国有资本经营预算财政拨款": D("180.00")}
    detail = tree["一般公共预算财政拨款基本支出决算明细表"]
    assert row(detail, "30108")["决算数"] == D("126.31")            # name wrapped above and below
    assert row(detail, "30207") == {"科目编码": "30207", "科目名称": "邮电费", "决算数": D("7.38")}  # glued
    assert detail["公用经费合计"] == D("171.88") and detail["人员经费合计"] == D("1527.57")
    assert tree["财政拨款“三公”经费支出决算表"] == {
        "预算数": {"合计": D("1.47"), "公务用车购置及运行维护费": D("1.20"), "公务用车运行维护费": D("1.20"),
                "公务接待费": D("0.27")},
        "决算数": {"合计": D("1.32"), "公务用车购置及运行维护费": D("1.05"), "公务用车运行维护费": D("1.05"),
                "公务接待费": D("0.27")}}
    soe = tree["国有资本经营预算财政拨款支出决算表"]
    assert soe["合计"] == {"本年收入": D("180.00"), "合计": D("180.00"), "项目支出": D("180.00")}
    assert "政府性基金预算财政拨款收入支出决算表" not in tree          # "故本表无数据"
    from narrator.figures.model import figures_from_tree

    figures_from_tree(tree, str(FILLED))


def test_shanghai_template_has_empty_tables():
    tree, findings = parse_tables(TEMPLATE.read_text(encoding="utf-8"), "template")
    assert tree == {"单位": "上海市XX局", "年度": 2024, "金额单位": "万元"}
    assert findings == []


# --------------------------------------------------------------------------- small documents

MINI = """2024 年度测试局部门决算公开
第二部分 测试局 2024 年度部门决算表
二、收入决算表
功能分类科目编码\t科目名称\t本年收入合计\t财政拨款收入\t其他收入
\t合计\t{t0}\t{t1}\t{t2}
201\t一般公共服务支出\t{a0}\t{a1}\t{a2}
注：本表反映部门本年度取得的各项收入情况。
第三部分 测试局 2024 年度部门决算情况说明
一、收入支出决算总体情况说明
"""


def mini(**cells):
    base = dict(t0="100.00", t1="60.00", t2="40.00", a0="100.00", a1="60.00", a2="40.00")
    base.update(cells)
    return parse_tables(MINI.format(**base), "mini")


def test_truncated_cell_decided_by_row_and_column():
    tree, findings = mini(a1="60.0")
    assert tree["收入决算表"]["科目"][0]["财政拨款收入"] == D("60.00")
    assert [(f.code, f.line, f.found, f.expected) for f in findings
            if f.code != "D003"] == [("D001", 6, "60.0", "60.00")]


def test_sums_that_disagree_decide_nothing():
    tree, findings = mini(t1="60.01", a1="60.0")
    assert tree["收入决算表"]["科目"][0]["财政拨款收入"] == D("60.0")
    (w,) = [f for f in findings if f.code == "D002"]
    assert "60.00" in w.message and "60.01" in w.message and w.line == 6


def test_two_damaged_cells_in_one_row_without_a_total_row():
    text = MINI.replace("\t合计\t{t0}\t{t1}\t{t2}\n", "")
    tree, findings = parse_tables(text.format(a0="100.00", a1="60.0", a2="40.0"), "mini")
    assert tree["收入决算表"]["科目"][0]["财政拨款收入"] == D("60.0")
    assert sorted(f.found for f in findings if f.code == "D002") == ["40.0", "60.0"]


def test_a_misread_digit_is_repaired_only_when_every_sum_agrees():
    tree, findings = mini(a1="60.05")          # the row sum and the 合计 column both say 60.00
    assert tree["收入决算表"]["科目"][0]["财政拨款收入"] == D("60.00")
    (f,) = [f for f in findings if f.code == "D001"]
    assert (f.found, f.expected, f.line) == ("60.05", "60.00", 6) and "读错" in f.message
    text = MINI.replace("\t合计\t{t0}\t{t1}\t{t2}\n", "")   # one sum alone decides nothing
    tree, findings = parse_tables(text.format(a0="100.00", a1="60.05", a2="40.00"), "mini")
    assert tree["收入决算表"]["科目"][0]["财政拨款收入"] == D("60.05")
    assert [f for f in findings if f.code in ("D001", "D002")] == []
    tree, findings = mini(t0="100.05", a1="60.05")   # the sums contradict each other: left alone
    assert tree["收入决算表"]["科目"][0]["财政拨款收入"] == D("60.05")
    assert [f for f in findings if f.code in ("D001", "D002")] == []


def test_tables_after_the_narrative():
    text = ("测试局2024年度部门决算\n目录\n第一部分 测试局概况\n第二部分 测试局2024年度部门决算情况说明\n"
            "第三部分 测试局2024年度部门决算表\n第一部分 测试局概况\n一、主要职能\n"
            "第二部分 测试局2024年度部门决算情况说明\n一、收入支出决算总体情况说明\n本年收入合计100万元。\n"
            "第三部分 测试局2024年度部门决算表\n收入决算表\n"
            "功能分类科目编码\t科目名称\t本年收入合计\t财政拨款收入\t其他收入\n"
            "\t合计\t100.00\t60.00\t40.00\n201\t一般公共服务支出\t100.00\t60.00\t40.00\n"
            "第四部分 名词解释\n一、财政拨款收入：……\n")
    parts = split_disclosure(text)
    assert parts.narrative_text.splitlines()[-1] == "本年收入合计100万元。"
    assert parts.tables_text.startswith("第三部分") and "名词解释" not in parts.tables_text
    tree, _ = parse_tables(text, "x")
    assert tree["单位"] == "测试局" and tree["收入决算表"]["合计"]["其他收入"] == D("40.00")


def test_a_table_with_values_and_a_no_data_note():
    text = MINI.replace("注：本表反映", "说明：本表无数据。\n注：本表反映")
    tree, findings = parse_tables(text.format(t0="100.00", t1="60.00", t2="40.00", a0="100.00", a1="60.00",
                                              a2="40.00"), "mini")
    assert tree["收入决算表"]["合计"]["本年收入合计"] == D("100.00")
    (w,) = [f for f in findings if f.code == "D002"]
    assert w.line == 7 and "却又注明无数据" in w.message


def test_no_tables_at_all():
    tree, findings = parse_tables("第三部分 情况说明\n一、收入支出决算总体情况说明\n没有表。\n", "x")
    assert tree == {"金额单位": "万元"} and findings == []


# --------------------------------------------------------------------------- vocabulary

@pytest.mark.parametrize("line,key", [
    ("一、收入支出决算总表", "收入支出决算总表"),
    ("- 四、财政拨款收入支出决算总表", "财政拨款收入支出决算总表"),
    ("                      收入支出决算总表", "收入支出决算总表"),
    ("六、一般公共预算财政拨款基本支出决算表", "一般公共预算财政拨款基本支出决算明细表"),
    ("八、国有资本经营预算财政拨款收入支出决算表", "国有资本经营预算财政拨款支出决算表"),
    ('九、财政拨款"三公"经费支出决算表', "财政拨款“三公”经费支出决算表"),
    ("七、财政拨款“三公”经费支出决算表", "财政拨款“三公”经费支出决算表"),
    ("区人社局2024年度支出决算表", "支出决算表"),
    ("上海市 XX 局 2024 年度部门决算表", None),
    ("四、财政拨款收入支出决算总体情况说明", None),
    ("注：本表反映部门本年度取得的各项收入情况。", None),
])
def test_titles(line, key):
    assert title_of(line) == key


@pytest.mark.parametrize("text,kind,value", [
    ("11,121.20", "clean", "11121.20"), ("10, 855. 22", "clean", "10855.22"), ("467. 89", "clean", "467.89"),
    ("14, 344, 12", "comma", "14344.12"), ("１２３．４５", "clean", "123.45"), ("3, 042. 9", "clean", "3042.9"),
    ("-", "blank", None), ("", "blank", None), ("-12.50", "clean", "-12.50"),
])
def test_read_amount(text, kind, value):
    a = read_amount(text)
    assert a.kind == kind and a.value == (None if value is None else D(value))


@pytest.mark.parametrize("text", ["A.11", "11. 友 14.7+ 曲", "公务接待费", "3. 498 3. 498", "1020 10020"])
def test_read_amount_rejects_text(text):
    assert read_amount(text) is None


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.lists(st.booleans(), min_size=8, max_size=8))
def test_read_amount_survives_extraction_spaces(value, spaces):
    printed = f"{value:,.2f}"
    noisy = "".join(ch + (" " if ch in ",." and spaces[i % 8] else "") for i, ch in enumerate(printed))
    a = read_amount(noisy)
    assert a.kind == "clean" and a.value == value and isinstance(a.value, Decimal)


# --------------------------------------------------------------------------- 绩效自评表 (附件)

def test_seed_self_evaluation_tables(seed):
    _, tree, _ = seed
    perf = tree["预算绩效"]
    own = perf["项目自评"]
    assert own["项目数"] == 9 and [p["项目名称"] for p in own["项目"]] == [      # the tables' order
        "党员培训教育经费", "就业管理经费", "就业补助资金", "劳动维权工作经费", "人力资源服务费",
        "社会保险经办机构", "特殊人群统筹外发放生活补助", "支农返汉人员帮扶资金",
        "行政事业单位改革及人员考录考察考核培训、人才引进考察调配、职称评审经费"]
    first = own["项目"][0]
    assert first == {"项目名称": "党员培训教育经费", "预算数": D("1.6"), "执行数": D("1.52"), "执行率": D("95"),
                     "预算执行权重": D("20"), "预算执行得分": D("19"), "自评得分": D("97.94"),
                     "指标": [{"名称": "成本指标", "分值": D("20"), "得分": D("18.94")},
                            {"名称": "产出指标", "分值": D("20"), "得分": D("20")},
                            {"名称": "效益指标", "分值": D("30"), "得分": D("30")},
                            {"名称": "满意度指标", "分值": D("10"), "得分": D("10")}]}
    by = {p["项目名称"]: p for p in own["项目"]}
    assert by["人力资源服务费"]["执行率"] == D("100")                 # printed "1"
    assert by["就业补助资金"]["执行率"] == D("66") and by["就业补助资金"]["预算执行得分"] == D("13.2")
    assert by["社会保险经办机构"]["预算数"] == by["社会保险经办机构"]["执行数"] == D("467.89")
    assert by["支农返汉人员帮扶资金"]["预算数"] == D("3.498")
    # the 产出 block of 就业管理经费 starts a line above its name (7.8 + 5 + 5)
    assert by["就业管理经费"]["指标"][:2] == [{"名称": "成本指标", "分值": D("20"), "得分": D("15.6")},
                                         {"名称": "产出指标", "分值": D("20"), "得分": D("17.8")}]
    assert by["社会保险经办机构"]["指标"][1]["得分"] == D("19")     # 17 lines, one scored 0
    whole = perf["整体支出"]
    assert whole == {"部门数": 1, "预算数": D("19923.13"), "执行数": D("14344.12"), "执行率": D("72.00"),
                     "预算执行权重": D("20"), "预算执行得分": D("14.4"), "自评得分": D("93.7"),
                     "指标": [{"名称": "成本指标", "分值": D("20"), "得分": D("20")},
                            {"名称": "产出指标", "分值": D("20"), "得分": D("19.8")},
                            {"名称": "效益指标", "分值": D("30"), "得分": D("29.5")},
                            {"名称": "满意度指标", "分值": D("10"), "得分": D("10")}]}


def test_seed_self_evaluation_repairs(seed):
    _, tree, findings = seed
    by = {p["项目名称"]: p for p in tree["预算绩效"]["项目自评"]["项目"]}
    assert by["劳动维权工作经费"]["预算数"] == D("881.16")           # printed "1. 16"
    repairs = {(f.line, f.found, f.expected) for f in findings if f.code == "D001" and f.line > 540}
    assert repairs == {
        (762, "1. 16", "881.16"),            # lost leading digits: only 881.16 gives 执行率 100%
        (776, "10", ""),                     # 满意度 score cell extracted on two lines
        (892, "10", ""),                     # 数量指标 score cell extracted on two lines
        (661, "97. | 94", "97.94"), (696, "93 | . 4", "93.4"), (735, "93. | . 2", "93.2"),
        (777, "9 | 8", "98"), (810, "10 | 00", "100"), (862, "9 | 9", "99"),
        (940, "行政事业 | 行政事业单位改革及人员考录考察考核培训、人才引进考察调配、职称评审经费",
         "行政事业单位改革及人员考录考察考核培训、人才引进考察调配、职称评审经费"),
    }
    assert by["劳动维权工作经费"]["指标"][3] == {"名称": "满意度指标", "分值": D("10"), "得分": D("10")}
    assert by["特殊人群统筹外发放生活补助"]["指标"][1]["得分"] == D("20")
    assert not [f for f in findings if f.code == "D002" and f.line > 540]


PERF = """测试局2024年度部门决算
第六部分 附件
二、2024年度项目绩效自评表
2024年度测试项目绩效自评表
单位名称: 测试局
{name_row}
预算执行情况(万元)\t预算数(A)\t执行数(B)\t执行率(B/A)\t得分(20分*执行率)
(20分)\t年度财政资金总额\t{b}\t{e}\t{r}\t{s}
年度绩效目标\t一级指标\t二级指标\t三级指标\t年初目标值(A)\t实际完成值(B)\t得分
\t成本指标(20分)\t经济成本指标\t人均成本\t100元\t90元\t20
\t\t数量指标\t培训人次\t300\t311\t
\t产出指标(20分)\t质量指标\t合格率\t100%\t100%\t10
\t\t时效指标\t及时率\t100%\t100%\t10
{middle}\t效益指标(30分)\t社会效益指标\t提升水平\t明显\t明显\t{benefit}
\t满意度指标({sw}分)\t服务对象满意度指标\t满意度\t≥90%\t95%\t{ss}
{extra}总分\t{t}
偏差大或目标未完成原因分析\t无
"""


def perf(**kw):
    base = dict(name_row="项目名称\t测试项目\t\t", b="100.00", e="95.00", r="95%", s="19", middle="",
                benefit="30", sw="10", ss="10", extra="", t="99")
    base.update(kw)
    tree, findings = parse_tables(PERF.format(**base), "perf")
    items = tree.get("预算绩效", {}).get("项目自评", {}).get("项目", [])
    return (items[0] if items else None), [f for f in findings if f.code != "D003"]


def test_project_table_read():
    p, findings = perf()
    assert p == {"项目名称": "测试项目", "预算数": D("100.00"), "执行数": D("95.00"), "执行率": D("95"),
                 "预算执行权重": D("20"), "预算执行得分": D("19"), "自评得分": D("99"),
                 "指标": [{"名称": "成本指标", "分值": D("20"), "得分": D("20")},
                        # 311 is the 实际完成值 of a line whose score cell is merged: not a score
                        {"名称": "产出指标", "分值": D("20"), "得分": D("20")},
                        {"名称": "效益指标", "分值": D("30"), "得分": D("30")},
                        {"名称": "满意度指标", "分值": D("10"), "得分": D("10")}]}
    assert findings == []


def test_project_name_split_over_cells_and_from_the_title():
    p, _ = perf(name_row="项目\t名称\t\t测试\t项目")
    assert p["项目名称"] == "测试项目"
    p, findings = perf(name_row="主管部门\t测试局")
    assert p["项目名称"] == "测试"                         # "2024年度测试项目绩效自评表"
    (w,) = findings
    assert w.code == "D002" and "标题" in w.message


def test_rate_printed_as_a_fraction():
    p, _ = perf(r="0.95")
    assert p["执行率"] == D("95")
    p, _ = perf(b="95.00", r="1", s="20", t="100")
    assert p["执行率"] == D("100")


def test_budget_that_lost_its_leading_digits():
    p, findings = perf(b="1.00", e="190.00")            # 190 ÷ 201 = 94.53% → 95%
    assert p["预算数"] == D("201.00")
    (f,) = findings
    assert (f.code, f.found, f.expected, f.line) == ("D001", "1.00", "201.00", 8)
    p, findings = perf(b="5.00")                        # no amount ending in 5.00 gives 95%: kept
    assert p["预算数"] == D("5.00")
    (w,) = findings
    assert w.code == "D002" and "保留原表数" in w.message


def test_unreadable_budget_row_leaves_the_project_out():
    p, findings = perf(r="")
    assert p is None
    assert [f.code for f in findings] == ["D002", "D002"]
    assert any("未计入" in f.message for f in findings) and any("3 个数" in f.message for f in findings)


def test_merged_score_extracted_twice_counts_once():
    extra = "\t\t\t满意度B\t≥90%\t95%\t10\n"
    p, findings = perf(extra=extra)
    assert p["指标"][3] == {"名称": "满意度指标", "分值": D("10"), "得分": D("10")} and p["自评得分"] == D("99")
    (f,) = findings
    assert f.code == "D001" and f.line == 16 and "合并单元格" in f.message


def test_rows_between_names_decided_by_weights_and_level2_labels():
    # a line between 产出 and 效益 scoring 5: 产出 would have 25 > 20, so it is 效益's
    p, findings = perf(middle="\t\t\t提升满意\t明显\t明显\t5\n", benefit="25")
    assert [i["得分"] for i in p["指标"]] == [D("20"), D("20"), D("30"), D("10")] and findings == []
    # it fits either block: its 二级指标 label decides
    text = PERF.replace("\t\t时效指标\t及时率\t100%\t100%\t10\n", "\t\t时效指标\t及时率\t100%\t100%\t5\n")
    base = dict(name_row="项目名称\t测试项目", b="100.00", e="95.00", r="95%", s="19", benefit="25", sw="10",
                ss="10", extra="", t="99")
    tree, findings = parse_tables(text.format(**base, middle="\t\t时效指标\t及时\t明显\t明显\t5\n"), "p")
    p = tree["预算绩效"]["项目自评"]["项目"][0]
    assert [i["得分"] for i in p["指标"]] == [D("20"), D("20"), D("25"), D("10")]
    assert p["自评得分"] == D("99") and [f.code for f in findings if f.code != "D003"] == ["D002"]   # 总分 ≠
    # no label: either grouping fits; reported, not silently chosen
    tree, findings = parse_tables(text.format(**base, middle="\t\t\t及时\t明显\t明显\t5\n"), "p")
    warn = [f for f in findings if f.code == "D002" and "几种分组" in f.message]
    assert len(warn) == 1 and "产出指标 15" in warn[0].message and "产出指标 20" in warn[0].message


def test_a_level3_name_like_a_level1_name_is_no_heading():
    p, findings = perf(middle="\t\t\t满意度\t明显\t明显\t5\n", benefit="25")     # a 三级指标 "满意度"
    assert [i["名称"] for i in p["指标"]] == ["成本指标", "产出指标", "效益指标", "满意度指标"]
    assert [i["得分"] for i in p["指标"]] == [D("20"), D("20"), D("30"), D("10")] and findings == []


def test_weights_and_total_are_checked():
    p, findings = perf(sw="5", ss="5", t="94")
    (w,) = findings
    assert w.code == "D002" and "分值 = 95，不是 100" in w.message
    assert p["指标"][3] == {"名称": "满意度指标", "分值": D("5"), "得分": D("5")}
    p, findings = perf(sw="5")                           # 满意度 scores 10 of 5: nothing fits
    (w,) = findings
    assert w.code == "D002" and "对不上" in w.message
    assert "指标" not in p and p["自评得分"] == D("99")    # not read rather than guessed
    p, findings = perf(t="98")
    assert p["自评得分"] == D("98")                      # kept as printed
    (w,) = findings
    assert w.code == "D002" and w.expected == "99" and w.found == "98"


def test_total_printed_in_pieces():
    p, findings = perf(t="9\t9")
    assert p["自评得分"] == D("99") and findings[0].code == "D001"
    p, findings = perf(t="99.\t.9", s="19.9", r="99.5%", e="99.50")
    assert p["自评得分"] == D("99.9") and "两边各出现了一次" in findings[0].message
    p, findings = perf(t="9\t8\t7")
    assert "自评得分" not in p and findings[0].code == "D002"


def test_project_table_in_the_space_layout():
    base = dict(name_row="项目名称\t测试项目", b="100.00", e="95.00", r="95%", s="19", middle="", benefit="30",
                sw="10", ss="10", extra="", t="99")
    spaced = "\n".join("".join(c.ljust(16) for c in ln.split("\t")).rstrip() if "\t" in ln else ln
                       for ln in PERF.format(**base).split("\n"))
    tree, findings = parse_tables(spaced, "spaced")
    assert tree["预算绩效"]["项目自评"]["项目"][0] == perf()[0]
    assert [f for f in findings if f.code != "D003"] == []


WHOLE = """测试局2024年度部门决算
第六部分 附件
一、2024年度测试局整体绩效自评表
\t预算执行情况(万元)\t\t预算数(A)\t执行数(B)\t执行率(B/A)\t得分(20分*执行率)
\t\t部门整体支出总额\t200.00 150.00\t\t75.00%\t\t15
年度绩效目标1: 甲
\t一级指标\t二级指标\t三级指标\t年初目标值(A)\t实际完成值(B)\t得分
\t成本指标(10分)\t经济成本指标\t成本\t1\t1\t10
\t产出指标\t数量指标\t数量\t1\t1\t4
\t(10分)\t质量指标\t质量\t1\t1\t6
\t效益指标(15分)\t社会效益指标\t效益\t1\t1\t14
\t满意度\t服务对象\t满意度\t1\t1\t5
\t(5分)\t满意度 指标\t
年度绩效目标2: 乙
\t一级指标\t二级指标\t三级指标\t年初目标值(A)\t实际完成值(B)\t得分
\t成本指标(10分)\t经济成本指标\t成本\t1\t1\t10
\t产出指标(10分)\t数量指标\t数量\t1\t1\t10
\t效益指标(15分)\t社会效益指标\t效益\t1\t1\t14.5
\t满意度指标(5分)\t服务对象满意度指标\t满意度\t1\t1\t5
总分\t93.5
"""


def test_whole_department_table_adds_its_goals():
    tree, findings = parse_tables(WHOLE, "whole")
    assert tree["预算绩效"] == {"整体支出": {
        "部门数": 1, "预算数": D("200.00"), "执行数": D("150.00"), "执行率": D("75.00"), "预算执行权重": D("20"),
        "预算执行得分": D("15"), "自评得分": D("93.5"),
        "指标": [{"名称": "成本指标", "分值": D("20"), "得分": D("20")},
               {"名称": "产出指标", "分值": D("20"), "得分": D("20")},
               {"名称": "效益指标", "分值": D("30"), "得分": D("28.5")},
               {"名称": "满意度指标", "分值": D("10"), "得分": D("10")}]}}
    assert [f for f in findings if f.code != "D003"] == []


@pytest.mark.parametrize("line,got", [
    ("一、2024年度区人社局整体绩效自评表", ("whole", "区人社局")),
    ("2024年度党员培训教育经费项目绩效自评表", ("project", "党员培训教育经费")),
    ("2024 年度社会保险经办机构项目绩效自评表", ("project", "社会保险经办机构")),
    ("二、2024年度项目绩效自评表", None),
    ("第六部分 附件", None),
])
def test_perf_titles(line, got):
    from narrator.sources.disclosure import perf_title

    assert perf_title(line) == got
