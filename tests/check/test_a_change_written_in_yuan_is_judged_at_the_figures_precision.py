"""An amount or a change written in 元 against figures in 万元 is judged at the precision both
can show.

"机关运行经费支出537300.00元，较上年增加191213.00元" (09_sanjiang-hepingxiang_2016 writes its
amounts in 元) against tables in 万元 to the cent (53.73 and 34.61): 191213.00元 is 19.1213万元,
which the tables give as 19.12 — no error. Compared at the 元's own places it was an N101
("应为 19.12"); so was an amount like 537312.00元 (53.7312万元, 53.73 in the table). What the
tables cannot give is still reported, in the text's unit.
"""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.checker import check_text
from narrator.figures.model import figures_from_tree


def _figures(now: str, before: str):
    tree = {"单位": "测试乡", "年度": 2017, "金额单位": "万元", "机关运行经费": {"决算数": Decimal(now)},
            "上年": {"机关运行经费": {"决算数": Decimal(before)}}}
    return figures_from_tree(tree, "test.yaml", required=False)


def _errors(text: str, figures):
    return [(f.code, text[f.start:f.end], f.expected) for f in check_text(text, "t.txt", figures).findings
            if f.severity == "error"]


TEXT = "测试乡2017年度部门决算说明\n一、机关运行经费支出情况\n2017年机关运行经费支出{now}元，较2016年增加{change}元。\n"


def test_a_change_in_yuan_that_rounds_to_the_tables_change_is_right():
    assert _errors(TEXT.format(now="537300.00", change="191213.00"), _figures("53.73", "34.61")) == []


def test_an_amount_in_yuan_that_rounds_to_the_tables_amount_is_right():
    figures = _figures("53.73", "34.61")
    assert _errors(TEXT.format(now="537312.00", change="191213.00"), figures) == []
    assert _errors(TEXT.format(now="537900.00", change="191213.00"), figures) == [("N101", "537900.00", "537300.00")]


def test_a_change_the_tables_cannot_give_is_reported_in_yuan():
    text = TEXT.format(now="537300.00", change="195000.00")
    assert _errors(text, _figures("53.73", "34.61")) == [("N101", "195000.00", "191200.00")]


@settings(max_examples=30, deadline=None)
@given(before=st.integers(min_value=100_000, max_value=9_000_000), change=st.integers(min_value=1, max_value=900_000))
def test_any_change_in_yuan_within_the_tables_rounding_is_right(before, change):
    # amounts in 元; the tables hold them rounded to the cent of 万元 (half up)
    now = before + change
    cent = Decimal("0.01")
    tables = [(Decimal(v) / 10000).quantize(cent, rounding="ROUND_HALF_UP") for v in (now, before)]
    if abs((tables[0] - tables[1]) - (Decimal(change) / 10000).quantize(cent, rounding="ROUND_HALF_UP")) > 0:
        return      # the rounded tables' change is off by a cent from the rounded change: not this case
    text = TEXT.format(now=f"{now}.00", change=f"{change}.00")
    assert _errors(text, _figures(str(tables[0]), str(tables[1]))) == []
