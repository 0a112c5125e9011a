"""generate --like: a part of a listed whole new this year gets an item like its siblings (issue 18).

"（一）2015本年收入488.32万元，具体情况如下： 1. 财政拨款收入488.32万元。 2. 事业收入 0 万元。…
5. 附属单位上缴收入 0 万元。" (04_pingtan-renda-changweihui_2015) lists every part of 本年收入合计
(rules/claims.yaml 构成) the department had, zeros included; the next year's text adds
"6. 其他收入4.35万元。". A part the list does not name that is not 0 this year gets an item like
the last one (number, punctuation, unit) after it; a list that names no zero part (a selection),
or a part that is 0 this year, gets none.
"""

from decimal import Decimal

from narrator.check.checker import check_text
from narrator.figures.model import figures_from_tree
from narrator.render.like import render_like

TEXT = """测试局2015年度部门决算说明
一、收入决算情况说明
（一）2015本年收入488.32万元，具体情况如下： 1. 财政拨款收入488.32万元。 2. 事业收入 0 万元。3. 经营收入 0 万元。4. 上级补助收入 0 万元。5. 附属单位上缴收入 0 万元。
二、支出决算情况说明
2015本年支出470.91万元。
"""


def _figures(other: str):
    other_v = Decimal(other)
    tree = {"单位": "测试局", "年度": 2016, "金额单位": "万元",
            "收入支出决算总表": {"收入": {"本年收入合计": Decimal("705.36") + other_v, "事业收入": Decimal("0"),
                                    "经营收入": Decimal("0"), "上级补助收入": Decimal("0"),
                                    "附属单位上缴收入": Decimal("0"), "其他收入": other_v},
                            "支出": {"本年支出合计": Decimal("694.31")}},
            "收入决算表": {"合计": {"财政拨款收入": Decimal("705.36")}}}
    return figures_from_tree(tree, "test.yaml", required=False)


def _errors(text: str, figures) -> list:
    return [f for f in check_text(text, "draft.txt", figures).findings if f.severity == "error"]


def test_a_part_the_full_list_lacks_gets_an_item_after_the_last():
    figures = _figures("4.35")
    draft, _ = render_like(TEXT, figures)
    assert "5. 附属单位上缴收入 0 万元。6. 其他收入4.35万元。" in draft.text
    assert draft.text.count("其他收入") == 1
    assert _errors(draft.text, figures) == []


def test_no_item_for_a_part_that_is_0_or_for_a_selection():
    draft, _ = render_like(TEXT, _figures("0"))
    assert "其他收入" not in draft.text
    selection = TEXT.replace(" 2. 事业收入 0 万元。3. 经营收入 0 万元。4. 上级补助收入 0 万元。5. 附属单位上缴收入 0 万元。",
                             " 2. 事业收入 10 万元。3. 经营收入 5 万元。")
    figures = _figures("4.35")
    draft, _ = render_like(selection, figures)
    assert "其他收入" not in draft.text


def test_two_new_parts_are_numbered_on():
    text = TEXT.replace("4. 上级补助收入 0 万元。5. 附属单位上缴收入 0 万元。", "4. 上级补助收入 0 万元。")
    tree = {"单位": "测试局", "年度": 2016, "金额单位": "万元",
            "收入支出决算总表": {"收入": {"本年收入合计": Decimal("712.71"), "事业收入": Decimal("0"),
                                    "经营收入": Decimal("0"), "上级补助收入": Decimal("0"),
                                    "附属单位上缴收入": Decimal("3.00"), "其他收入": Decimal("4.35")}},
            "收入决算表": {"合计": {"财政拨款收入": Decimal("705.36")}}}
    figures = figures_from_tree(tree, "test.yaml", required=False)
    draft, _ = render_like(text, figures)
    assert "4. 上级补助收入 0 万元。5. 附属单位上缴收入3.00万元。6. 其他收入4.35万元。" in draft.text
    assert _errors(draft.text, figures) == []


def test_a_list_of_lines_gets_a_line():
    lines = TEXT.replace("具体情况如下： 1. 财政拨款收入488.32万元。 2. 事业收入 0 万元。3. 经营收入 0 万元。4. 上级补助收入 0 万元。",
                         "具体情况如下：\n1. 财政拨款收入488.32万元。\n2. 事业收入 0 万元。\n3. 经营收入 0 万元。\n4. 上级补助收入 0 万元。\n")
    figures = _figures("4.35")
    draft, _ = render_like(lines, figures)
    assert "\n4. 上级补助收入 0 万元。\n5. 附属单位上缴收入 0 万元。\n6. 其他收入4.35万元。\n" in draft.text
    assert _errors(draft.text, figures) == []
