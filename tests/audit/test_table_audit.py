"""Table audit (rules/audit.yaml, narrator.audit): 审核公式 with rounding tolerance."""

import copy
import json
import random
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import ROOT, SAMPLE
from narrator.audit.engine import audit_figures, identities, validate_file
from narrator.audit.model import audit_rules
from narrator.core.catalogue import catalogue
from narrator.figures.model import figures_from_tree
from narrator.batch.synth import department
from narrator.core.yamlio import parse_yaml

D = Decimal
GP = "一般公共预算财政拨款支出决算表"
BASIC = "一般公共预算财政拨款基本支出决算明细表"
SOE = "国有资本经营预算财政拨款支出决算表"
FUND = "政府性基金预算财政拨款收入支出决算表"
FISCAL = "财政拨款收入支出决算总表"
SUMMARY = "收入支出决算总表"
SANGONG = "财政拨款“三公”经费支出决算表"


def errors(findings, severity=("error",)):
    return [f for f in findings if f.severity in severity]


def rules_of(f):
    return {f.code, *f.extra.get("rules", [])}


# -- the sample ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_findings():
    return validate_file(SAMPLE / "figures.yaml")


def test_sample_reports_exactly_the_20801_project_spending(sample_findings, sample_figures):
    errs = errors(sample_findings)
    assert len(errs) == 1, "\n".join(f.render() for f in errs)
    f = errs[0]
    path = (GP, "科目", "20801", "项目支出")
    assert tuple(f.extra["path"]) == path
    assert f.line == sample_figures.line_of(path) and f.line > 1
    assert f.file.endswith("figures.yaml")
    assert (f.found, f.expected) == ("2495.79", "2495.75")
    assert "20801" in f.message and "项目支出" in f.message and len(f.message) <= 80
    assert "2495.76" in f.formula  # 合计 − 基本支出, the row's own account (the details follow the message)
    assert ("2080101 619.63 + 2080102 68.37 + 2080106 458.70 + 2080109 467.89 + 2080110 881.16 = 2495.75 ≠ "
            in f.formula)
    # the same cell also breaks the row (合计 = 基本 + 项目) and 208 = Σ 款: one finding, not three
    assert rules_of(f) == {"T102", "T103"} and f.extra["rules"].count("T102") == 2


def test_sample_rounding_residues_are_not_errors(sample_findings):
    infos = errors(sample_findings, ("info",))

    def info_at(code, path):
        return [f for f in infos if f.code == code and tuple(f.extra["path"]) == path]

    # 人员经费 + 公用经费 = 1699.44 vs 基本支出 1699.45
    assert info_at("T108", (GP, "合计", "基本支出"))
    # 支出决算表 208 13898.14 vs 总表 社会保障和就业支出 13898.15; 卫生健康 114.20 vs 114.19
    assert info_at("T135", ("支出决算表", "科目", "208", "本年支出合计"))
    assert info_at("T135", ("支出决算表", "科目", "210", "本年支出合计"))
    assert info_at("T135", (GP, "科目", "208", "合计"))
    # 301 类 1390.96 vs Σ款 1390.98 (0.02 inside 12 × 0.005); 302 169.90 vs 169.89
    assert info_at("T102", (BASIC, "科目", "301", "决算数"))
    # 公用经费 171.87 vs 302 + 310 = 171.88; 合计行 项目支出 12644.67 vs Σ类 12644.66
    assert info_at("T107", (BASIC, "公用经费合计"))
    assert info_at("T101", ("支出决算表", "合计", "项目支出"))
    # 基本 + 项目 vs 合计 residues of 0.01
    assert info_at("T103", ("支出决算表", "科目", "2080101", "本年支出合计"))
    assert info_at("T103", (GP, "合计", "合计"))
    for f in infos:
        assert abs(D(f.extra["residue"])) <= D(f.extra["tolerance"])
        assert "舍入尾差" in f.message
    assert not [f for f in sample_findings if f.severity == "info" and f.extra["residue"] == "0"]


def test_sample_warnings_are_only_the_prose_derived_funds(sample_findings):
    # 涉及资金 8985.42 is taken from the prose; the nine tables' 执行数 add up to 8985.618
    warns = errors(sample_findings, ("warning",))
    assert [f.code for f in warns] == ["T157"]
    assert warns[0].expected == "8985.618"


def test_sample_self_evaluation_is_consistent(sample_figures):
    ids, direct = identities(sample_figures)
    assert [f.code for f in direct] == ["T157"]  # 执行率, 预算执行得分, 分值, 满分, 项目数, 再评价 all hold
    totals = [i for i in ids if i.code == "T153"]
    assert len(totals) == 10 and all(i.ok for i in totals)


def test_audit_without_info(sample_figures):
    assert not errors(audit_figures(sample_figures, info=False), ("info",))


def test_findings_are_json_and_sorted(sample_findings):
    data = json.dumps([f.to_json() for f in sample_findings], ensure_ascii=False)
    assert "T102" in data
    lines = [f.line or 0 for f in sample_findings]
    assert lines == sorted(lines)


# -- catalogue -------------------------------------------------------------------------
def test_every_table_rule_is_in_the_catalogue():
    cat = catalogue()
    codes = [r.code for r in audit_rules()]
    assert len(codes) >= 30 and codes == sorted(codes)
    for c in codes:
        r = cat[c]
        assert r.group == "tables" and r.doc and r.wrong and r.right and r.severity in ("error", "warning")


def test_rules_command_lists_table_rules_beside_prose_rules():
    out = subprocess.run([sys.executable, "-m", "narrator.cli", "rules"], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "N101" in out.stdout and "T102" in out.stdout and "subject-hierarchy" in out.stdout


# -- each rule: a minimal broken tree fires it, the corrected one is silent -----------------
def _rows(*rows):
    return [{"科目编码": c, "科目名称": n, **cols} for c, n, cols in rows]


BASE = {
    "单位": "测试局",
    "年度": 2024,
    SUMMARY: {
        "收入": {"一般公共预算财政拨款收入": D("100.00"), "国有资本经营预算财政拨款收入": D("20.00"),
                 "其他收入": D("30.00"), "本年收入合计": D("150.00"), "年初结转和结余": D("5.00"),
                 "总计": D("155.00")},
        "支出": {"社会保障和就业支出": D("130.00"), "国有资本经营预算支出": D("20.00"), "本年支出合计": D("150.00"),
                 "年末结转和结余": D("5.00"), "总计": D("155.00")},
    },
    "收入决算表": {
        "合计": {"本年收入合计": D("150.00"), "财政拨款收入": D("120.00"), "其他收入": D("30.00")},
        "科目": _rows(("208", "社会保障和就业支出", {"本年收入合计": D("130.00"), "财政拨款收入": D("100.00"), "其他收入": D("30.00")}),
                      ("20801", "人力资源和社会保障管理事务", {"本年收入合计": D("130.00"), "财政拨款收入": D("100.00"), "其他收入": D("30.00")}),
                      ("2080101", "行政运行", {"本年收入合计": D("80.00"), "财政拨款收入": D("80.00")}),
                      ("2080102", "一般行政管理事务", {"本年收入合计": D("50.00"), "财政拨款收入": D("20.00"), "其他收入": D("30.00")}),
                      ("223", "国有资本经营预算支出", {"本年收入合计": D("20.00"), "财政拨款收入": D("20.00")}),
                      ("22301", "解决历史遗留问题及改革成本支出", {"本年收入合计": D("20.00"), "财政拨款收入": D("20.00")}),
                      ("2230103", "国有企业办职教幼教补助支出", {"本年收入合计": D("20.00"), "财政拨款收入": D("20.00")})),
    },
    "支出决算表": {
        "合计": {"本年支出合计": D("150.00"), "基本支出": D("60.00"), "项目支出": D("90.00")},
        "科目": _rows(("208", "社会保障和就业支出", {"本年支出合计": D("130.00"), "基本支出": D("60.00"), "项目支出": D("70.00")}),
                      ("20801", "人力资源和社会保障管理事务", {"本年支出合计": D("130.00"), "基本支出": D("60.00"), "项目支出": D("70.00")}),
                      ("2080101", "行政运行", {"本年支出合计": D("80.00"), "基本支出": D("60.00"), "项目支出": D("20.00")}),
                      ("2080102", "一般行政管理事务", {"本年支出合计": D("50.00"), "项目支出": D("50.00")}),
                      ("223", "国有资本经营预算支出", {"本年支出合计": D("20.00"), "项目支出": D("20.00")}),
                      ("22301", "解决历史遗留问题及改革成本支出", {"本年支出合计": D("20.00"), "项目支出": D("20.00")}),
                      ("2230103", "国有企业办职教幼教补助支出", {"本年支出合计": D("20.00"), "项目支出": D("20.00")})),
    },
    FISCAL: {
        "收入": {"一般公共预算财政拨款": D("100.00"), "国有资本经营预算财政拨款": D("20.00"), "本年收入合计": D("120.00"),
                 "年初财政拨款结转和结余": {"小计": D("5.00"), "一般公共预算财政拨款": D("5.00")}, "总计": D("125.00")},
        "支出": {"社会保障和就业支出": {"小计": D("100.00"), "一般公共预算财政拨款": D("100.00")},
                 "国有资本经营预算支出": {"小计": D("20.00"), "国有资本经营预算财政拨款": D("20.00")},
                 "本年支出合计": {"小计": D("120.00"), "一般公共预算财政拨款": D("100.00"), "国有资本经营预算财政拨款": D("20.00")},
                 "年末财政拨款结转和结余": {"小计": D("5.00"), "一般公共预算财政拨款": D("5.00")},
                 "总计": {"小计": D("125.00"), "一般公共预算财政拨款": D("105.00"), "国有资本经营预算财政拨款": D("20.00")}},
    },
    GP: {
        "合计": {"合计": D("100.00"), "基本支出": D("60.00"), "项目支出": D("40.00")},
        "科目": _rows(("208", "社会保障和就业支出", {"合计": D("100.00"), "基本支出": D("60.00"), "项目支出": D("40.00")}),
                      ("20801", "人力资源和社会保障管理事务", {"合计": D("100.00"), "基本支出": D("60.00"), "项目支出": D("40.00")}),
                      ("2080101", "行政运行", {"合计": D("80.00"), "基本支出": D("60.00"), "项目支出": D("20.00")}),
                      ("2080102", "一般行政管理事务", {"合计": D("20.00"), "项目支出": D("20.00")})),
    },
    BASIC: {
        "人员经费合计": D("50.00"), "公用经费合计": D("10.00"),
        "科目": _rows(("301", "工资福利支出", {"决算数": D("45.00")}), ("30101", "基本工资", {"决算数": D("40.00")}),
                      ("30102", "津贴补贴", {"决算数": D("5.00")}), ("302", "商品和服务支出", {"决算数": D("8.00")}),
                      ("30201", "办公费", {"决算数": D("8.00")}), ("303", "对个人和家庭的补助", {"决算数": D("5.00")}),
                      ("30302", "退休费", {"决算数": D("5.00")}), ("310", "资本性支出", {"决算数": D("2.00")}),
                      ("31002", "办公设备购置", {"决算数": D("2.00")})),
    },
    SOE: {
        "合计": {"合计": D("20.00"), "项目支出": D("20.00")},
        "科目": _rows(("223", "国有资本经营预算支出", {"合计": D("20.00"), "项目支出": D("20.00")}),
                      ("22301", "解决历史遗留问题及改革成本支出", {"合计": D("20.00"), "项目支出": D("20.00")}),
                      ("2230103", "国有企业办职教幼教补助支出", {"合计": D("20.00"), "项目支出": D("20.00")})),
    },
    SANGONG: {
        "预算数": {"合计": D("3.00"), "因公出国（境）费": D("1.00"), "公务用车购置及运行维护费": D("1.50"),
                   "公务用车购置费": D("1.00"), "公务用车运行维护费": D("0.50"), "公务接待费": D("0.50")},
        "决算数": {"合计": D("2.00"), "公务用车购置及运行维护费": D("1.20"), "公务用车运行维护费": D("1.20"),
                   "公务接待费": D("0.80")},
    },
    "三公经费说明": {"国内公务接待支出": D("0.80")},
    "政府采购": {"政府采购支出总额": D("100.00"), "货物": D("10.00"), "服务": D("90.00"),
                 "授予中小企业合同金额": D("80.00"), "货物授予中小企业合同金额": D("10.00"),
                 "服务授予中小企业合同金额": D("70.00"), "授予小微企业合同金额": D("50.00")},
    "国有资产占用": {"车辆": {"执法执勤用车": 2, "其他用车": 1}, "车辆合计": 3},
    "预算绩效": {
        "项目自评": {"项目数": 1, "涉及资金": D("60.00"), "项目": [{
            "项目名称": "甲项目", "预算数": D("80.00"), "执行数": D("60.00"), "执行率": 75, "预算执行权重": 20,
            "预算执行得分": 15, "自评得分": 92,
            "指标": [{"名称": "成本指标", "分值": 20, "得分": 20}, {"名称": "产出指标", "分值": 20, "得分": 19},
                     {"名称": "效益指标", "分值": 30, "得分": 28}, {"名称": "满意度指标", "分值": 10, "得分": 10}]}]},
        "整体支出": {"预算数": D("200.00"), "执行数": D("150.00"), "执行率": D("75.00"), "预算执行权重": 20,
                     "预算执行得分": D("15.0"), "自评得分": D("95.0"),
                     "指标": [{"名称": "成本指标", "分值": 20, "得分": 20}, {"名称": "产出指标", "分值": 20, "得分": 20},
                              {"名称": "效益指标", "分值": 30, "得分": 30}, {"名称": "满意度指标", "分值": 10, "得分": 10}]},
        "再评价": {"项目名称": "甲项目", "再评得分": 90, "自评得分": 92},
    },
}

FUND_TABLE = {
    "合计": {"年初结转和结余": D("10.00"), "本年收入": D("50.00"), "合计": D("40.00"), "项目支出": D("40.00"),
             "年末结转和结余": D("20.00")},
    "科目": _rows(("212", "城乡社区支出", {"年初结转和结余": D("10.00"), "本年收入": D("50.00"), "合计": D("40.00"),
                                             "项目支出": D("40.00"), "年末结转和结余": D("20.00")})),
}


def _dump(node, indent=0) -> str:
    """JSON text (which is YAML) keeping Decimals as written, so findings get real line numbers."""
    pad = "  " * indent
    if isinstance(node, dict):
        if not node:
            return "{}"
        items = [f'{pad}  {json.dumps(str(k), ensure_ascii=False)}: {_dump(v, indent + 1)}' for k, v in node.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(node, list):
        items = [f"{pad}  {_dump(v, indent + 1)}" for v in node]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    if isinstance(node, (Decimal, int)):
        return str(node)
    return json.dumps(node, ensure_ascii=False)


def _figures(tree):
    return figures_from_tree(parse_yaml(_dump(tree), "case.yaml"), "case.yaml")


def _set(tree, path, value):
    node = tree
    for i, p in enumerate(path[:-1]):
        if p == "科目":
            code = path[i + 1]
            node = next(r for r in node["科目"] if r["科目编码"] == code)
            continue
        if i > 0 and path[i - 1] == "科目":
            continue
        node = node[p]
    node[path[-1]] = value


def _case_tree(keep, extra=None):
    tree = {k: copy.deepcopy(v) for k, v in BASE.items() if k in ("单位", "年度", SUMMARY) or k in keep}
    for k, v in (extra or {}).items():
        tree[k] = copy.deepcopy(v)
    return tree


I = ("预算绩效", "项目自评", "项目", 0)
# code, tables kept besides 收入支出决算总表, extra tables, changes, the cell the finding names
CASES = [
    ("T101", ["支出决算表"], None, [(("支出决算表", "合计", "项目支出"), D("95.00"))], ("支出决算表", "合计", "项目支出")),
    ("T102", [GP], None, [((GP, "科目", "20801", "项目支出"), D("40.04"))], (GP, "科目", "20801", "项目支出")),
    ("T103", ["支出决算表"], None, [(("支出决算表", "科目", "2080102", "本年支出合计"), D("51.00"))],
     ("支出决算表", "科目", "2080102", "本年支出合计")),
    ("T104", ["收入决算表"], None, [(("收入决算表", "科目", "2080102", "其他收入"), D("31.00"))],
     ("收入决算表", "科目", "2080102", "其他收入")),
    ("T105", [], {FUND: FUND_TABLE}, [((FUND, "科目", "212", "年末结转和结余"), D("21.00"))],
     (FUND, "科目", "212", "年末结转和结余")),
    ("T106", [BASIC, GP], None, [((BASIC, "人员经费合计"), D("51.00"))], (BASIC, "人员经费合计")),
    ("T107", [BASIC, GP], None, [((BASIC, "公用经费合计"), D("11.00"))], (BASIC, "公用经费合计")),
    ("T108", [BASIC, GP], None, [((GP, "合计", "基本支出"), D("61.00"))], (GP, "合计", "基本支出")),
    ("T111", [], None, [((SUMMARY, "收入", "总计"), D("156.00"))], (SUMMARY, "收入", "总计")),
    ("T112", [], None, [((SUMMARY, "支出", "年末结转和结余"), D("6.00"))], (SUMMARY, "支出", "总计")),
    ("T113", [], None, [((SUMMARY, "支出", "年末结转和结余"), D("6.00")), ((SUMMARY, "支出", "总计"), D("156.00"))],
     (SUMMARY, "收入", "总计")),
    ("T114", [], None, [((SUMMARY, "收入", "其他收入"), D("31.00"))], (SUMMARY, "收入", "本年收入合计")),
    ("T115", [], None, [((SUMMARY, "支出", "社会保障和就业支出"), D("131.00"))], (SUMMARY, "支出", "本年支出合计")),
    ("T121", [FISCAL], None, [((FISCAL, "收入", "总计"), D("126.00"))], (FISCAL, "收入", "总计")),
    ("T122", [FISCAL], None, [((FISCAL, "支出", "总计", "国有资本经营预算财政拨款"), D("21.00"))],
     (FISCAL, "支出", "总计", "国有资本经营预算财政拨款")),
    ("T123", [], {FISCAL: {"收入": {"总计": D("125.00")}, "支出": {"总计": {"小计": D("125.00")}}}},
     [((FISCAL, "支出", "总计", "小计"), D("126.00"))], (FISCAL, "收入", "总计")),
    ("T124", [FISCAL], None, [((FISCAL, "收入", "本年收入合计"), D("121.00"))], (FISCAL, "收入", "本年收入合计")),
    ("T125", [FISCAL], None, [((FISCAL, "支出", "社会保障和就业支出", "一般公共预算财政拨款"), D("101.00"))],
     (FISCAL, "支出", "社会保障和就业支出", "一般公共预算财政拨款")),
    ("T126", [FISCAL], None, [((FISCAL, "支出", "社会保障和就业支出", "小计"), D("101.00"))],
     (FISCAL, "支出", "社会保障和就业支出", "小计")),
    ("T127", [FISCAL], None, [((FISCAL, "收入", "年初财政拨款结转和结余", "一般公共预算财政拨款"), D("6.00"))],
     (FISCAL, "收入", "年初财政拨款结转和结余", "一般公共预算财政拨款")),
    ("T131", ["收入决算表"], None, [(("收入决算表", "合计", "本年收入合计"), D("151.00"))],
     ("收入决算表", "合计", "本年收入合计")),
    ("T132", ["支出决算表"], None, [(("支出决算表", "合计", "本年支出合计"), D("151.00"))],
     ("支出决算表", "合计", "本年支出合计")),
    ("T133", [FISCAL], None, [((FISCAL, "收入", "一般公共预算财政拨款"), D("101.00"))],
     (FISCAL, "收入", "一般公共预算财政拨款")),
    ("T134", [FISCAL, SOE], None, [((SOE, "合计", "合计"), D("21.00"))], (SOE, "合计", "合计")),
    ("T135", [FISCAL, SOE], None, [((SOE, "科目", "223", "合计"), D("21.00"))], (SOE, "科目", "223", "合计")),
    ("T136", [], {"支出决算表": {"合计": {"本年支出合计": D("150.00"), "基本支出": D("60.00"), "项目支出": D("90.00")}},
                  GP: {"合计": {"合计": D("100.00"), "基本支出": D("60.00"), "项目支出": D("40.00")}}},
     [((GP, "合计", "基本支出"), D("70.00")), ((GP, "合计", "项目支出"), D("30.00"))], ("支出决算表", "合计", "基本支出")),
    ("T137", [], {FISCAL: {"收入": {"国有资本经营预算财政拨款": D("20.00")}}, SOE: {"合计": {"本年收入": D("20.00")}}},
     [((SOE, "合计", "本年收入"), D("21.00"))], (SOE, "合计", "本年收入")),
    ("T138", [SANGONG], None, [((SANGONG, "决算数", "公务接待费"), D("0.90"))], (SANGONG, "决算数", "合计")),
    ("T139", [SANGONG, "三公经费说明"], None, [(("三公经费说明", "国内公务接待支出"), D("0.90"))],
     (SANGONG, "决算数", "公务接待费")),
    ("T141", ["政府采购"], None, [(("政府采购", "货物"), D("11.00"))], ("政府采购", "政府采购支出总额")),
    ("T142", ["政府采购"], None, [(("政府采购", "授予小微企业合同金额"), D("90.00"))], ("政府采购", "授予中小企业合同金额")),
    ("T143", ["国有资产占用"], None, [(("国有资产占用", "车辆合计"), 4)], ("国有资产占用", "车辆合计")),
    ("T151", ["预算绩效"], None, [(I + ("执行率",), 70)], I + ("执行率",)),
    ("T152", ["预算绩效"], None, [(I + ("预算执行得分",), 16)], I + ("预算执行得分",)),
    ("T153", ["预算绩效"], None, [(I + ("自评得分",), 93)], I + ("自评得分",)),
    ("T154", ["预算绩效"], None, [(I + ("指标", 1, "得分"), 21), (I + ("自评得分",), 94)], I + ("指标", 1, "得分")),
    ("T155", ["预算绩效"], None, [(I + ("指标", 3, "分值"), 20)], I + ("预算执行权重",)),
    ("T156", ["预算绩效"], None, [(("预算绩效", "项目自评", "项目数"), 2)], ("预算绩效", "项目自评", "项目数")),
    ("T157", ["预算绩效"], None, [(("预算绩效", "项目自评", "涉及资金"), D("70.00"))], ("预算绩效", "项目自评", "涉及资金")),
    ("T158", ["预算绩效"], None, [(("预算绩效", "再评价", "自评得分"), 90)], ("预算绩效", "再评价", "自评得分")),
]


def test_every_rule_has_a_case():
    assert sorted(c[0] for c in CASES) == sorted(r.code for r in audit_rules())


def test_the_base_tree_is_silent():
    findings = audit_figures(_figures(BASE))
    assert not findings, "\n".join(f.render() for f in findings)
    assert not audit_figures(_figures(_case_tree([], {FUND: FUND_TABLE})))


@pytest.mark.parametrize("code,keep,extra,changes,blamed", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_broken_and_is_silent_on_corrected(code, keep, extra, changes, blamed):
    tree = _case_tree(keep, extra)
    ok = audit_figures(_figures(tree))
    assert not errors(ok, ("error", "warning")), "\n".join(f.render() for f in ok)
    broken = copy.deepcopy(tree)
    for path, value in changes:
        _set(broken, path, value)
    fig = _figures(broken)
    found = errors(audit_figures(fig), ("error", "warning"))
    hits = [f for f in found if code in rules_of(f)]
    assert hits, f"{code} did not fire:\n" + "\n".join(f.render() for f in found)
    named = [f for f in hits if tuple(f.extra["path"]) == blamed]
    assert named, f"{code} does not name {blamed}:\n" + "\n".join(f.render() for f in hits)
    f = named[0]
    assert f.severity == catalogue()[code].severity
    assert f.line is not None and f.line == fig.line_of(blamed) and f.line > 1
    assert f.file == "case.yaml" and f.formula
    # a changed cell is in the arithmetic shown (other changes only keep further rules quiet)
    assert any(list(path) in f.extra["cells"] for path, _ in changes)


def test_blank_parts_count_as_zero_but_absent_tables_skip():
    tree = _case_tree(["支出决算表"])
    del tree["支出决算表"]["合计"]["基本支出"]   # blank 合计 cell, rows still give 基本支出
    found = errors(audit_figures(_figures(tree)))
    assert any(tuple(f.extra["path"]) == ("支出决算表", "合计", "基本支出") for f in found)
    # no 收入决算表: T131 and the income-table rules are skipped, not failed
    assert not audit_figures(_figures(_case_tree([])))


def test_interval_tolerance_band():
    # 2 parts + total at 2 places: tolerance 3 × 0.005 = 0.015
    tree = _case_tree([], {GP: {"合计": {"合计": D("100.01"), "基本支出": D("60.00"), "项目支出": D("40.00")}}})
    f = audit_figures(_figures(tree))
    assert not errors(f) and [x.code for x in f] == ["T103"] and f[0].severity == "info"
    assert f[0].extra["residue"] == "0.01"
    tree[GP]["合计"]["合计"] = D("100.02")
    f = errors(audit_figures(_figures(tree)))
    assert [x.code for x in f] == ["T103"] and f[0].extra["tolerance"] == "0.015"


# -- properties ------------------------------------------------------------------------
@given(st.integers(0, 10**6))
def test_synthetic_departments_are_clean(seed):
    found = errors(audit_figures(figures_from_tree(department(seed))), ("error", "warning"))
    assert not found, "\n".join(f.render() for f in found)


_TABLES = [SUMMARY, "收入决算表", "支出决算表", FISCAL, GP, BASIC, SANGONG]


def _amount_cells(tree):
    out = []

    def walk(node, path):
        for k, v in node.items():
            if k == "科目" and isinstance(v, list):
                for r in v:
                    out.extend((path + ("科目", r["科目编码"], c), r, c) for c, x in r.items() if isinstance(x, Decimal))
            elif isinstance(v, Decimal):
                out.append((path + (k,), node, k))
            elif isinstance(v, dict):
                walk(v, path + (k,))
    for t in _TABLES:
        if t in tree:
            walk(tree[t], (t,))
    return out


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(10, 10**6), st.booleans())
def test_one_perturbed_cell_is_always_reported(seed, pick, cents, up):
    """A cell in a table moved by ≥ 0.10: an error whose arithmetic contains that cell.

    Cells that take part in two or more identities (合计 rows, 类/款 rows, 总表 figures, …) are
    named themselves: only that cell explains every failing identity. A cell that takes part in
    one identity only (a 项 row's cell whose row has no other column to check against, an 经济分类
    款) cannot be told from the total it breaks: the finding names that total and lists the
    cell among the rows summed.
    """
    tree = department(seed)
    path, holder, key = _amount_cells(tree)[pick % len(_amount_cells(tree))]
    # a cell no identity holds (a 合计 given without its parts) cannot be checked by any sum
    assume(any(path in [c.path for c in i.cells()] for i in identities(figures_from_tree(tree))[0]))
    delta = D(cents) / 100 * (1 if up else -1)
    holder[key] = holder[key] + delta
    found = errors(audit_figures(figures_from_tree(tree)))
    assert any(list(path) in f.extra["cells"] for f in found), (path, delta, [f.render() for f in found])
    involved = sum(1 for i in identities(figures_from_tree(tree))[0]
                   if not i.ok and path in [c.path for c in i.cells()])
    if involved >= 2:
        assert any(tuple(f.extra["path"]) == path for f in found), (path, [f.render() for f in found])
    else:
        assert any(str(holder[key]) in (f.formula or "") for f in found)


def _round(d):
    return d.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@st.composite
def exact_departments(draw):
    """Figures consistent at 4 decimals, then every cell rounded half-up to 0.01."""
    seed = draw(st.integers(0, 10**6))
    rng = random.Random(seed)
    q = D("0.0001")
    classes = rng.sample(["201", "205", "208", "210", "212", "213", "221"], rng.randint(1, 4))
    names = {"201": "一般公共服务支出", "205": "教育支出", "208": "社会保障和就业支出", "210": "卫生健康支出",
             "212": "城乡社区支出", "213": "农林水支出", "221": "住房保障支出"}
    items = {}
    for c in classes:
        for k in range(rng.randint(1, 3)):
            for x in range(rng.randint(1, 6)):
                b = D(rng.randint(0, 5_000_000)) * q if rng.random() < 0.7 else D(0)
                p = D(rng.randint(0, 20_000_000)) * q
                o = D(rng.randint(0, 3_000_000)) * q if rng.random() < 0.3 else D(0)
                items[f"{c}{k + 1:02d}{x + 1:02d}"] = (b, p, o)

    def agg(prefix):
        vals = [v for code, v in items.items() if code.startswith(prefix)]
        return tuple(sum((v[i] for v in vals), D(0)) for i in range(3))

    codes = sorted(set(classes) | {c[:5] for c in items} | set(items))
    gp_rows, exp_rows, inc_rows = [], [], []
    for code in codes:
        b, p, o = agg(code)
        nm = names.get(code, f"科目{code}")
        gp_rows.append({"科目编码": code, "科目名称": nm, "合计": _round(b + p), "基本支出": _round(b), "项目支出": _round(p)})
        exp_rows.append({"科目编码": code, "科目名称": nm, "本年支出合计": _round(b + p + o), "基本支出": _round(b),
                         "项目支出": _round(p + o)})
        inc_rows.append({"科目编码": code, "科目名称": nm, "本年收入合计": _round(b + p + o), "财政拨款收入": _round(b + p),
                         "其他收入": _round(o)})
    B, P, O = agg("")
    carry = D(rng.randint(0, 2_000_000)) * q
    basic_split = D(rng.randint(0, 10_000)) / 10_000
    personnel = B * basic_split
    p301 = personnel * D(rng.randint(0, 100)) / 100
    g302 = (B - personnel) * D(rng.randint(0, 100)) / 100
    return {
        "单位": "舍入局", "年度": 2024,
        SUMMARY: {"收入": {"一般公共预算财政拨款收入": _round(B + P), "其他收入": _round(O), "本年收入合计": _round(B + P + O),
                           "年初结转和结余": _round(carry), "总计": _round(B + P + O + carry)},
                  "支出": {**{names[c]: _round(sum(agg(c), D(0))) for c in classes}, "本年支出合计": _round(B + P + O),
                           "年末结转和结余": _round(carry), "总计": _round(B + P + O + carry)}},
        "收入决算表": {"合计": {"本年收入合计": _round(B + P + O), "财政拨款收入": _round(B + P), "其他收入": _round(O)},
                       "科目": inc_rows},
        "支出决算表": {"合计": {"本年支出合计": _round(B + P + O), "基本支出": _round(B), "项目支出": _round(P + O)},
                       "科目": exp_rows},
        FISCAL: {"收入": {"一般公共预算财政拨款": _round(B + P), "本年收入合计": _round(B + P),
                          "年初财政拨款结转和结余": {"小计": _round(carry), "一般公共预算财政拨款": _round(carry)},
                          "总计": _round(B + P + carry)},
                 "支出": {**{names[c]: {"小计": _round(agg(c)[0] + agg(c)[1]),
                                        "一般公共预算财政拨款": _round(agg(c)[0] + agg(c)[1])} for c in classes},
                          "本年支出合计": {"小计": _round(B + P), "一般公共预算财政拨款": _round(B + P)},
                          "年末财政拨款结转和结余": {"小计": _round(carry), "一般公共预算财政拨款": _round(carry)},
                          "总计": {"小计": _round(B + P + carry), "一般公共预算财政拨款": _round(B + P + carry)}}},
        GP: {"合计": {"合计": _round(B + P), "基本支出": _round(B), "项目支出": _round(P)}, "科目": gp_rows},
        BASIC: {"人员经费合计": _round(personnel), "公用经费合计": _round(B - personnel),
                "科目": [{"科目编码": "301", "科目名称": "工资福利支出", "决算数": _round(p301)},
                         {"科目编码": "30101", "科目名称": "基本工资", "决算数": _round(p301 / 3)},
                         {"科目编码": "30102", "科目名称": "津贴补贴", "决算数": _round(p301 - p301 / 3)},
                         {"科目编码": "302", "科目名称": "商品和服务支出", "决算数": _round(g302)},
                         {"科目编码": "303", "科目名称": "对个人和家庭的补助", "决算数": _round(personnel - p301)},
                         {"科目编码": "310", "科目名称": "资本性支出", "决算数": _round(B - personnel - g302)}]},
    }


@given(exact_departments())
def test_consistent_then_rounded_never_errs(tree):
    found = audit_figures(figures_from_tree(tree))
    assert not errors(found, ("error", "warning")), "\n".join(f.render() for f in errors(found, ("error", "warning")))
    for f in found:
        assert abs(D(f.extra["residue"])) <= D(f.extra["tolerance"])


def test_speed_on_a_200_row_department():
    import time

    fig = figures_from_tree(department(7, rows=200))
    audit_figures(fig)
    t = time.perf_counter()
    audit_figures(fig)
    assert time.perf_counter() - t < 1.0


def test_rates_printed_as_fractions_and_truncated_rates():
    tree = _case_tree(["预算绩效"])
    _set(tree, I + ("执行率",), D("0.75"))             # 0.75 for 75%
    assert not errors(audit_figures(_figures(tree)), ("error", "warning"))
    tree = _case_tree(["预算绩效"])
    _set(tree, I + ("执行数",), D("66.85"))
    _set(tree, I + ("预算数",), D("81.00"))            # 82.53% printed as 82: truncated
    _set(tree, I + ("执行率",), 82)
    _set(tree, I + ("预算执行得分",), D("16.4"))      # 20 × 82% (the printed rate)
    _set(tree, I + ("自评得分",), D("93.4"))
    _set(tree, ("预算绩效", "项目自评", "涉及资金"), D("66.85"))
    _set(tree, ("预算绩效", "再评价", "自评得分"), D("93.4"))
    found = errors(audit_figures(_figures(tree)), ("error", "warning"))
    assert [(f.code, f.severity) for f in found] == [("T151", "warning")], [f.render() for f in found]
    assert "82.53" in f"{found[0].message}{found[0].formula}"


def test_rule_file_paths_are_checked_against_the_schema():
    from narrator.audit.model import AuditRuleError, _compile_equation

    with pytest.raises(AuditRuleError, match="总计x"):
        _compile_equation("收入支出决算总表.收入.总计x = 收入支出决算总表.收入.本年收入合计", None)
    with pytest.raises(AuditRuleError, match="not a column"):
        _compile_equation("支出决算表.合计.决算数 = 支出决算表.各类.基本支出", None)
    eq = _compile_equation("三公经费.决算数.公务接待费 = 三公经费说明.国内公务接待支出", None)  # aliases resolve
    assert eq.lhs == (SANGONG, "决算数", "公务接待费")


def test_every_rule_kind_named_in_the_model_has_a_builder():
    from narrator.audit.kinds import _KINDS
    from narrator.audit.model import audit_rules, kind_builders

    assert set(kind_builders().values()) == set(_KINDS)
    assert {r.builder for r in audit_rules()} == set(_KINDS)     # every kind is used by a rule


def test_every_performance_check_named_in_the_rules_is_run_by_a_rule():
    from narrator.audit.model import audit_rules, performance_checks

    used = {r.check for r in audit_rules() if r.builder == "performance"}
    assert used == set(performance_checks().values())
