"""generate --like: a total stated without a comparison gains the one the rules ask for (issue 18).

When last year's text compares with the previous year somewhere, a total the standard pack
compares with last year (本年收入合计, 本年支出合计, 一般公共预算财政拨款支出, “三公”经费, 机关运行经费;
rules/like.yaml 新增比较) that the text states first in a sentence and compares nowhere gains the
comparison right after its amount, in the standard wording, marked 【待核：新增比较】 — what both
departments of the corpus pairs added the next year ("本年收入709.71万元，比2015年决算数增加221.09万元，
增长45.25％，具体情况如下"). Nothing is gained when the text compares with the budget or not at
all, when the total is compared already, when it is not first in its sentence, or when this
year's figures lack its 上年 figure.
"""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.checker import check_text
from narrator.figures.model import figures_from_tree
from narrator.render.like import render_like

MARK = "【待核：新增比较】"
CENT = Decimal("0.01")

TEXT = """区人社局2023年度部门决算情况说明
一、收入支出决算总体情况说明
2023年度年初结转和结余100.00万元，本年收入合计15568.86万元，本年支出合计15568.86万元。
（一）2023年度本年收入合计15568.86万元，具体情况如下：财政拨款收入10607.46万元。
（二）2023年度本年支出合计15568.86万元，具体情况如下：基本支出5000.00万元。
二、“三公”经费财政拨款支出决算情况说明
2023年度“三公”经费财政拨款支出0.22万元，具体情况如下：公务接待费0.22万元，与2022年相比，公务接待费下降10.00%。
三、机关运行经费支出说明
2023年度机关运行经费支出180.98万元，主要用于办公费。
"""
RATE = "，与2022年相比，公务接待费下降10.00%"


def _money(v: Decimal) -> str:
    return f"{v.quantize(CENT, ROUND_HALF_UP)}"


def _comparison(now: Decimal, before: Decimal) -> str:
    """The standard wording of a change against last year (templates/_common/macros.j2 较上年决算)."""
    change = now - before
    if change == 0:
        return "，较2023年决算数持平"
    up = change > 0
    out = f"，较2023年决算数{'增加' if up else '减少'}{_money(abs(change))}万元"
    if before:
        out += f"，{'增长' if up else '下降'}{_money(abs(change) / before * 100)}%"
    return out


def _errors(text: str, figures) -> list:
    return [f for f in check_text(text, "draft.txt", figures).findings if f.severity == "error"]


def test_totals_stated_first_gain_last_years_comparison_marked(sample_figures):
    d = sample_figures.data
    income, prior_income = (d["收入支出决算总表"]["收入"]["本年收入合计"],
                            d["上年"]["收入支出决算总表"]["收入"]["本年收入合计"])
    spent, prior_spent = (d["收入支出决算总表"]["支出"]["本年支出合计"],
                          d["上年"]["收入支出决算总表"]["支出"]["本年支出合计"])
    sangong, prior_sangong = (d["财政拨款“三公”经费支出决算表"]["决算数"]["合计"],
                              d["上年"]["财政拨款“三公”经费支出决算表"]["决算数"]["合计"])
    assert "机关运行经费" not in d["上年"]
    draft, _ = render_like(TEXT, sample_figures)
    text = draft.text
    assert text.count(MARK) == 3
    assert f"（一）2024年度本年收入合计{_money(income)}万元{_comparison(income, prior_income)}{MARK}，具体情况如下" in text
    assert f"（二）2024年度本年支出合计{_money(spent)}万元{_comparison(spent, prior_spent)}{MARK}，具体情况如下" in text
    assert f"财政拨款支出{_money(sangong)}万元{_comparison(sangong, prior_sangong)}{MARK}，具体情况如下" in text
    # a total in a list of other amounts, and one without last year's figure, gain nothing
    summary = next(ln for ln in text.splitlines() if ln.startswith("2024年度年初结转和结余"))
    assert "较" not in summary
    running = next(ln for ln in text.splitlines() if ln.startswith("2024年度机关运行经费支出"))
    assert "较" not in running and MARK not in running
    assert _errors(text, sample_figures) == []


def test_nothing_is_gained_without_a_comparison_with_last_year(sample_figures):
    plain = TEXT.replace(RATE, "")
    budget = plain.replace("2023年度机关运行经费支出180.98万元，",
                           "2023年度机关运行经费支出180.98万元，完成年初预算的95.00%，")
    for text in (plain, budget):
        draft, _ = render_like(text, sample_figures)
        assert MARK not in draft.text
        assert "较2023年决算数" not in draft.text


def test_a_total_compared_somewhere_gains_nothing(sample_figures):
    compared = TEXT.replace("（一）2023年度本年收入合计15568.86万元，具体情况如下",
                            "（一）2023年度本年收入合计15568.86万元，比2022年决算数增加100.00万元，具体情况如下")
    draft, _ = render_like(compared, sample_figures)
    assert draft.text.count(MARK) == 2
    line = next(ln for ln in draft.text.splitlines() if ln.startswith("（一）"))
    assert MARK not in line and "较2023年决算数" not in line


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda n: Decimal(n) / 100)


@settings(max_examples=30, deadline=None)
@given(now=cents, before=cents)
def test_the_gained_comparison_follows_the_figures(now, before):
    tree = {"单位": "测试局", "年度": 2024, "金额单位": "万元",
            "收入支出决算总表": {"收入": {"本年收入合计": now}},
            "上年": {"收入支出决算总表": {"收入": {"本年收入合计": before}}}}
    figures = figures_from_tree(tree, "test.yaml", required=False)
    text = ("测试局2023年度部门决算情况说明\n一、收入支出决算总体情况说明\n"
            "2023年度本年收入合计15568.86万元，具体情况如下。\n二、“三公”经费财政拨款支出决算情况说明\n"
            "与2022年相比，公务接待费下降10.00%。\n")
    draft, _ = render_like(text, figures)
    assert f"2024年度本年收入合计{_money(now)}万元{_comparison(now, before)}{MARK}，具体情况如下" in draft.text
    assert _errors(draft.text, figures) == []


def test_each_listed_total_is_one_the_standard_metrics_compare_with_last_year():
    from narrator.figures.metrics import MetricsView, load_rules
    from narrator.figures.view import figures_view
    from narrator.render.like_template import words

    listed = words()["新增比较"]["合计"]
    assert len(listed) == 5
    for entry in listed:
        tree = {"单位": "测试局", "年度": 2024, "金额单位": "万元"}
        for root, value in ((tree, Decimal("10.00")), (tree.setdefault("上年", {}), Decimal("8.00"))):
            *parents, leaf = entry["数据"].split(".")
            node = root
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = value
        figures = figures_from_tree(tree, "test.yaml", required=False)
        metrics = MetricsView(load_rules(), figures_view(figures))
        assert metrics[entry["变动额"]].value == Decimal("2.00"), entry
        assert metrics[entry["变动率"]].value == Decimal("25"), entry
