"""The standard sections a --like draft adds (issue 18): the department they name is the one the
figures name (本部门 when figures made from a text have none, never a file name), and a list the
figures leave empty is a visible placeholder, not "主要包括：。"."""

from decimal import Decimal

from conftest import ROOT
from narrator.check.claims_figures import figures_from_claims
from narrator.figures.model import figures_from_tree
from narrator.render.engine import render
from narrator.render.like import render_like

CORPUS = ROOT / "tests" / "fixtures" / "like" / "corpus"


def test_the_corpus_pairs_drafts_name_the_department_of_the_title():
    files = {p.name[:2]: p for p in CORPUS.glob("*.txt")}
    for earlier, later, name in (("04", "29", "平潭县人大常委会"), ("03", "30", "平潭综合实验区党工委管委会台湾工作部")):
        figures = figures_from_claims(files[later].read_text(encoding="utf-8"), files[later].name)
        draft, learned = render_like(files[earlier].read_text(encoding="utf-8"), figures, name=files[earlier].name)
        assert "机关运行经费支出" in learned.new_sections
        assert f"年度{name}机关运行经费支出" in draft.text
        assert ".txt机关运行经费" not in draft.text and "：。" not in draft.text


def _partial(**tables):
    return figures_from_tree({"年度": 2024, "金额单位": "万元", **tables}, "partial.yaml", required=False)


def test_figures_without_a_department_say_this_department():
    figures = _partial(机关运行经费={"决算数": Decimal("22.04")}, 政府采购={"政府采购支出总额": Decimal("74.69"),
                                                                    "货物": Decimal("74.69")})
    text = render(figures, "standard").text
    assert "2024年度本部门机关运行经费支出22.04万元" in text
    assert "2024年度本部门政府采购支出总额74.69万元" in text


def test_an_empty_list_of_expenses_is_a_placeholder():
    figures = _partial(一般公共预算财政拨款基本支出决算明细表={"人员经费合计": Decimal("501.48"),
                                                          "公用经费合计": Decimal("53.77")})
    text = render(figures, "standard").text
    assert "人员经费501.48万元，主要包括：【待填：人员经费构成】。" in text
    assert "公用经费53.77万元，主要包括：【待填：公用经费构成】。" in text
    assert "主要用于以下方面：\n【待填：各类科目支出】。" in text
    assert "：。" not in text
