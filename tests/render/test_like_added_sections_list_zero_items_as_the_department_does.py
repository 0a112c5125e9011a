"""generate --like: an added section writes zero amounts the way the department does (issue 18).

A department whose last-year text prints zero amounts ("事业收入0万元，经营收入0万元") gets the
added 政府采购 section with every category, zeros included (货物、工程、服务, a category the figures
leave blank worked out from the total), and with the total when it is 0; a department that
leaves zeros out gets the standard pack's wording, which lists only the categories it had.
"""

from decimal import Decimal

from narrator.check.checker import check_text
from narrator.check.claims_figures import read_text
from narrator.figures.model import figures_from_tree
from narrator.render.like import render_like
from narrator.render.like_sections import lists_zeros

SECTION = "【待核：新增段落】政府采购支出说明"

ZEROS = """区人社局2023年度部门决算情况说明
一、收入支出决算总体情况说明
2023年度本年收入合计15568.86万元，其中：财政拨款收入15568.86万元，事业收入0万元，经营收入0万元。
"""
NO_ZEROS = """区人社局2023年度部门决算情况说明
一、收入支出决算总体情况说明
2023年度本年收入合计15568.86万元，其中：财政拨款收入15568.86万元。
"""


def _section(text: str) -> str:
    start = text.index(SECTION)
    end = text.find("【待核：", start + 1)
    return text[start:end if end > 0 else len(text)]


def _figures(purchases: dict) -> object:
    tree = {"单位": "测试局", "年度": 2024, "金额单位": "万元", "政府采购": purchases}
    return figures_from_tree(tree, "test.yaml", required=False)


def _errors(text: str, figures) -> list:
    return [f for f in check_text(text, "draft.txt", figures).findings if f.severity == "error"]


def test_the_department_s_zeros_are_read_from_its_text():
    assert lists_zeros(read_text(ZEROS))
    assert not lists_zeros(read_text(NO_ZEROS))


def test_a_department_writing_zeros_gets_every_category(sample_figures):
    # the sample has no 工程 cell: 2210.75 − 3.01 − 2207.74 = 0
    draft, learned = render_like(ZEROS, sample_figures)
    section = _section(draft.text)
    assert "政府采购货物支出3.01万元、政府采购工程支出0.00万元、政府采购服务支出2207.74万元。" in section
    assert _errors(draft.text, sample_figures) == []
    draft, _ = render_like(NO_ZEROS, sample_figures)
    assert "政府采购货物支出3.01万元、政府采购服务支出2207.74万元。" in _section(draft.text)
    assert "工程" not in _section(draft.text)


def test_a_zero_total_is_written_out_only_by_a_department_writing_zeros():
    figures = _figures({"政府采购支出总额": Decimal("0"), "货物": Decimal("0"), "工程": Decimal("0"),
                        "服务": Decimal("0")})
    draft, _ = render_like(ZEROS, figures)
    section = _section(draft.text)
    assert ("2024年度测试局政府采购支出总额0.00万元，其中：\n"
            "政府采购货物支出0.00万元、政府采购工程支出0.00万元、政府采购服务支出0.00万元。") in section
    assert _errors(draft.text, figures) == []
    draft, _ = render_like(NO_ZEROS, figures)
    assert "本部门2024年度无政府采购支出。" in _section(draft.text)
