"""The 绩效自评表 of the sample written with runs of spaces (``pdftotext -layout``): where the scores
read do not add up to the 总分, the columns were not recovered — one D005 per table, its scores not
taken, no T15x finding; its 预算数 and 执行数 still read. Tab-separated, the sample's tables read as
before (no D005, every score taken)."""

from __future__ import annotations

import sys
from pathlib import Path

from narrator.audit.engine import audit_figures
from narrator.figures.model import figures_from_tree
from narrator.sources.disclosure import parse_tables

sys.path.insert(0, str(Path(__file__).parent))
from test_reading_doubted import TEXT, spaced  # noqa: E402


def _projects(tree: dict) -> dict:
    return {p["项目名称"]: p for p in tree["预算绩效"]["项目自评"]["项目"]}


def test_spaced_performance_tables_give_warnings_not_score_errors():
    tree, findings = parse_tables(spaced(TEXT), "spaced")
    doubted = [f for f in findings if f.code == "D005"]
    assert doubted and all(f.severity == "warning" and "绩效自评表" in f.extra["unread"] for f in doubted)
    assert all("表格未能可靠读取" in f.message for f in doubted)
    audit = audit_figures(figures_from_tree(tree, "spaced", required=False))
    assert not [f for f in audit if f.code.startswith("T15") and f.severity == "error"]
    sample = _projects(parse_tables(TEXT, "sample")[0])
    for name, p in _projects(tree).items():
        doubted_here = any(f.extra["unread"] == f"项目绩效自评表（{name}）" for f in doubted)
        assert ("自评得分" in p) != doubted_here, name
        assert (p.get("预算数"), p.get("执行数")) == (sample[name].get("预算数"), sample[name].get("执行数")), name
        if not doubted_here:
            assert p["自评得分"] == sample[name]["自评得分"], name


def test_tab_separated_performance_tables_are_not_doubted():
    tree, findings = parse_tables(TEXT, "sample")
    assert not [f for f in findings if f.code == "D005"]
    assert all("自评得分" in p for p in _projects(tree).values())
    assert "自评得分" in tree["预算绩效"]["整体支出"]


def test_a_guessed_grouping_whose_scores_miss_the_total_is_doubted():
    # the sample as a PDF: two project tables whose indicator rows fit several groupings (the
    # reader takes the first and says so) read scores that miss the 总分 — not the table's error
    from narrator.pipeline import check_file

    pdf = Path(__file__).resolve().parents[1] / "fixtures" / "renshe-2024-disclosure.pdf"
    result = check_file(pdf, None, "auto")
    guessed = {f.message.split("：")[0] for f in result.findings if f.code == "D002" and "几种分组" in f.message}
    doubted = {f.extra["unread"] for f in result.findings if f.code == "D005"}
    assert guessed and guessed <= doubted
    score_errors = [f for f in result.findings if f.code == "T153"]
    assert not [f for f in score_errors for name in guessed if name[len("项目绩效自评表（"):-1] in f.message]
