"""A T15x score finding on a disclosure means the published 绩效自评表 is wrong, never that we
misread it (issue 15): where our reading of the table is in doubt — tabs that are only tab stops
of a space layout, a score-like number left out as not in the 得分 column — the table gets one
D005 "表格未能可靠读取" and no score finding. A real score error is still reported, at the line
of the table's 总分 row, not at line 1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from narrator.core.messages import set_lang
from narrator.pipeline import check_file
from narrator.sources.disclosure import parse_tables

sys.path.insert(0, str(Path(__file__).parent))
from test_reading_doubted import TEXT, tab_stops  # noqa: E402

PDF = Path(__file__).resolve().parents[1] / "fixtures" / "renshe-2024-disclosure.pdf"
REFORM = "行政事业单位改革及人员考录考察考核培训、人才引进考察调配、职称评审经费"
PARTY = "党员培训教育经费"


def _write(tmp_path: Path, text: str, name: str = "disclosure.txt") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _projects(tree: dict) -> dict:
    return {p["项目名称"]: p for p in tree["预算绩效"]["项目自评"]["项目"]}


def test_tab_stop_layout_scores_are_doubted_not_blamed(tmp_path):
    # written with tab stops, the 成本指标 score of this table ("2050 元/人        20") stays inside
    # the 实际完成值 cell: the scores read add up to 76.6, the 总分 says 96.6
    text = tab_stops(TEXT)
    result = check_file(_write(tmp_path, text), None, "auto")
    assert not [f for f in result.findings if f.code.startswith("T15")]
    doubted = {f.extra["unread"]: f for f in result.findings if f.code == "D005"}
    d = doubted[f"项目绩效自评表（{REFORM}）"]
    assert d.severity == "warning" and "表格未能可靠读取" in d.message and "96.6" in d.message
    assert text.split("\n")[d.line - 1].endswith(f"{REFORM}项目绩效自评表")
    # its 预算数 and 执行数 are still read as in the tab-separated sample
    tree, _ = parse_tables(text, "tab stops")
    mine, sample = _projects(tree)[REFORM], _projects(parse_tables(TEXT, "sample")[0])[REFORM]
    assert "自评得分" not in mine
    assert (mine["预算数"], mine["执行数"]) == (sample["预算数"], sample["执行数"])


def test_pdf_score_outside_the_score_column_is_doubted_not_blamed():
    # in the sample PDF the 成本指标 row's "18. 94" is not where the other rows have their score:
    # left out, the scores add up to 79 against the 总分 97.94
    result = check_file(PDF, None, "auto")
    assert not [f for f in result.findings if f.code.startswith("T15")]
    (d,) = [f for f in result.findings if f.code == "D005" and f.extra["unread"] == f"项目绩效自评表（{PARTY}）"]
    assert d.severity == "warning" and "18. 94" in d.message and "97.94" in d.message


def test_a_real_score_error_in_a_tab_separated_table_is_reported_at_its_total_row(tmp_path):
    total_row = "总分\t\t\t97.\t94"
    assert TEXT.count(total_row) == 1
    text = TEXT.replace(total_row, "总分\t\t\t97.\t49")      # the misprint of rules/audit.yaml's T153
    result = check_file(_write(tmp_path, text), None, "auto")
    (t,) = [f for f in result.findings if f.code == "T153"]
    assert t.severity == "error" and PARTY in t.message and "97.49" in t.message
    assert text.split("\n")[t.line - 1].startswith("总分\t\t\t97.\t49")
    assert not [f for f in result.findings if f.code == "D005"]


def test_score_figures_point_at_their_rows():
    where: dict = {}
    tree, _ = parse_tables(TEXT, "sample", where)
    lines = TEXT.split("\n")
    projects = tree["预算绩效"]["项目自评"]["项目"]
    i = next(k for k, p in enumerate(projects) if p["项目名称"] == PARTY)
    base = ("预算绩效", "项目自评", "项目", i)
    assert lines[where[base] - 1].endswith(f"{PARTY}项目绩效自评表")
    assert lines[where[base + ("自评得分",)] - 1].startswith("总分")
    assert "1.52" in lines[where[base + ("执行数",)] - 1]
    cost = next(k for k, x in enumerate(projects[i]["指标"]) if x["名称"] == "成本指标")
    assert "成本指标" in lines[where[base + ("指标", cost)] - 1]
    assert lines[where[("预算绩效", "整体支出", "自评得分")] - 1].startswith("总分")


@pytest.mark.parametrize("lang, words", [("zh", "按制表位分列"), ("en", "tab stops")])
def test_the_doubt_says_how_the_table_was_read_in_the_chosen_language(tmp_path, lang, words):
    set_lang(lang)
    try:
        result = check_file(_write(tmp_path, tab_stops(TEXT)), None, "auto")
    finally:
        set_lang(None)
    # every table doubted here is a 绩效自评表 (the other tables read well with tab stops)
    doubted = [f.message for f in result.findings if f.code == "D005"]
    assert len(doubted) == 4 and all(words in m for m in doubted)
