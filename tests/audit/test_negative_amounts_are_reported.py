"""Negative numbers in the figures (issue 16): T201 (error) where the forms make a negative
impossible — totals, 年初预算, 三公, 政府采购, counts, 绩效 —, T202 (warning) where it is legal
but unusual — a 科目 row, 结转和结余, a single income line. The data items are in
rules/checks.yaml; these tests hold the file to the forms and to the schema."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrator.audit.engine import audit_figures
from narrator.core.catalogue import catalogue
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.load import load_figures
from narrator.figures.model import Figures, schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024" / "figures.yaml"
SAMPLE_FIG = load_figures(SAMPLE)
SIGNS = ("T201", "T202")


def _signs(fig) -> list:
    return [f for f in audit_figures(fig) if f.code in SIGNS]


def _with(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    p = tmp_path / "figures.yaml"
    p.write_text(text.replace(old, new, count), encoding="utf-8")
    return p


def test_the_sample_has_no_negative_number():
    assert _signs(SAMPLE_FIG) == []


def test_a_negative_income_total_is_an_error_at_its_line(tmp_path: Path):
    p = _with(tmp_path, "    本年收入合计: 14344.12", "    本年收入合计: -14344.12")
    (f,) = _signs(load_figures(p))
    assert (f.code, f.severity, f.line) == ("T201", "error", 16)
    assert "收入支出决算总表 收入 本年收入合计 为 -14344.12" in f.message
    assert f.found == "-14344.12" and f.extra["path"] == ["收入支出决算总表", "收入", "本年收入合计"]


def test_a_negative_carry_over_is_only_a_warning(tmp_path: Path):
    p = _with(tmp_path, "    年末结转和结余: 7.41", "    年末结转和结余: -7.41")
    findings = _signs(load_figures(p))
    assert [(f.code, f.severity, f.line) for f in findings] == [("T202", "warning", 34)]


def test_a_subject_row_may_be_negative_but_the_total_row_may_not(tmp_path: Path):
    row = '{科目编码: "2080102", 科目名称: 一般行政管理事务, 本年支出合计: 100.08, 基本支出: 31.71, 项目支出: 68.37}'
    p = _with(tmp_path, row, row.replace("基本支出: 31.71", "基本支出: -31.71"))
    (f,) = _signs(load_figures(p))
    assert (f.code, f.severity) == ("T202", "warning")
    assert "支出决算表 2080102 一般行政管理事务 基本支出 为 -31.71" in f.message
    assert f.extra["path"] == ["支出决算表", "科目", "2080102", "基本支出"]

    total = "合计: {本年支出合计: 14344.12, 基本支出: 1699.45, 项目支出: 12644.67}"
    p = _with(tmp_path, total, total.replace("基本支出: 1699.45", "基本支出: -1699.45"))
    (f,) = _signs(load_figures(p))
    assert (f.code, f.severity) == ("T201", "error") and "支出决算表 合计行 基本支出" in f.message


def test_last_years_figures_follow_the_same_rules(tmp_path: Path):
    p = _with(tmp_path, "      本年收入合计: 15568.86", "      本年收入合计: -15568.86")
    (f,) = _signs(load_figures(p))
    assert (f.code, f.extra["path"]) == ("T201", ["上年", "收入支出决算总表", "收入", "本年收入合计"])
    assert f.message.endswith("上年 收入支出决算总表 收入 本年收入合计 为 -15568.86")


# one negative at a time: path in the sample → the code the forms call for
EXPECTED = {
    ("收入支出决算总表", "收入", "总计"): "T201",
    ("收入支出决算总表", "收入", "其他收入"): "T202",
    ("收入支出决算总表", "收入", "年初结转和结余"): "T202",
    ("收入支出决算总表", "支出", "社会保障和就业支出"): "T202",
    ("财政拨款收入支出决算总表", "支出", "总计", "小计"): "T201",
    ("财政拨款收入支出决算总表", "支出", "年末财政拨款结转和结余", "小计"): "T202",
    ("一般公共预算财政拨款支出决算表", "合计", "项目支出"): "T201",
    ("国有资本经营预算财政拨款支出决算表", "合计", "合计"): "T201",
    ("财政拨款“三公”经费支出决算表", "决算数", "公务接待费"): "T201",
    ("年初预算", "科目", "2080101"): "T201",
    ("机关运行经费", "决算数"): "T201",
    ("三公经费说明", "国内公务接待人次"): "T201",
    ("政府采购", "服务"): "T201",
    ("国有资产占用", "车辆合计"): "T201",
    ("预算绩效", "项目自评", "项目", 1, "执行数"): "T201",
    ("预算绩效", "项目自评", "项目", 0, "指标", 0, "得分"): "T201",
}


def _negated(path) -> Figures:
    data = copy.deepcopy(SAMPLE_FIG.data)
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = -node[path[-1]]
    return Figures(data=data, source="negated.yaml")


@pytest.mark.parametrize("path,code", EXPECTED.items(), ids=lambda x: ".".join(map(str, x)) if isinstance(x, tuple) else x)
def test_each_kind_of_figure_gets_the_code_its_form_calls_for(path, code):
    (f,) = _signs(_negated(path))
    assert f.code == code and f.severity == catalogue()[code].severity
    assert f.extra["path"] == list(path)


def _numeric_leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numeric_leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numeric_leaves(v, path + (i,))
    elif isinstance(node, (int, Decimal)) and not isinstance(node, bool) and node != 0 and path[-1] != "年度":
        yield path


LEAVES = list(_numeric_leaves(SAMPLE_FIG.data))


def _named(path: tuple) -> list:
    """The finding's path: rows of a 科目 list are named by their code."""
    out: list = []
    node = SAMPLE_FIG.data
    for k in path:
        child = node[k]
        out.append(child["科目编码"] if out[-1:] == ["科目"] and isinstance(child, dict) and "科目编码" in child else k)
        node = child
    return out


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(LEAVES))
def test_any_one_negative_number_gives_exactly_one_sign_finding_at_its_cell(path):
    findings = _signs(_negated(path))
    assert len(findings) == 1, (path, findings)
    assert findings[0].extra["path"] == _named(path)


def _schema_names(node, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return set()
    seen.add(id(node))
    names = set(node.children) | set(node.columns)
    for child in [*node.children.values(), node.any_key, node.value, node.item]:
        names |= _schema_names(child, seen)
    return names


def test_every_data_item_of_the_sign_rules_names_figures_the_schema_knows():
    names = _schema_names(schema()) | {"科目", "合计", "*", "**"}
    rules = load_rule_file(rules_dir() / "checks.yaml")
    for code in SIGNS:
        items = rules[code]["数据项"]
        assert items, code
        for item in items:
            unknown = [s for s in str(item).split(".") if s not in names]
            assert not unknown, (code, item, unknown)
