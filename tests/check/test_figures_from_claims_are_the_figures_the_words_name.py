"""figures_from_claims: a text's claims written back at the figures their words name.

On the sample's own draft (the standard pack over the sample figures), every figure the
builder fills is the sample's figure at that path; a last-year figure derived from a change or
a rate gives back the printed change and rate.
"""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from narrator.check.claims_figures import figures_from_claims, read_text
from narrator.check.claims import CHG, RATE
from narrator.check.grounding import value_at
from narrator.core.errors import InputError
from narrator.render.engine import render


def _leaves(node, prefix=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(node, list):
        for row in node:
            code = row.get("科目编码")
            for k, v in row.items():
                if isinstance(v, Decimal):
                    yield f"{prefix}.{code}.{k}", v
    elif isinstance(node, Decimal):
        yield prefix, node


@pytest.fixture(scope="module")
def standard_text(sample_figures):
    return render(sample_figures, "standard").text


@pytest.fixture(scope="module")
def built(standard_text):
    return figures_from_claims(standard_text, "draft.txt")


def test_every_figure_it_fills_is_the_samples_figure(built, sample_figures):
    leaves = [(p, v) for p, v in _leaves(built.data) if not p.startswith("上年.")]
    assert len(leaves) >= 20
    # a figure the sample leaves out is printed as 0 by the pack
    wrong = [(p, v, value_at(sample_figures.data, p)) for p, v in leaves
             if value_at(sample_figures.data, p) != v and not (value_at(sample_figures.data, p) is None and v == 0)]
    assert wrong == []
    assert built.year == sample_figures.year and built.unit == "万元"


def test_last_years_figures_give_back_the_printed_changes_and_rates(built, standard_text):
    doc = read_text(standard_text)
    checked = 0
    for r in doc.readings:
        if r.measure not in (CHG, RATE) or r.anchor is None or r.vs_budget or r.sign is None:
            continue
        anchor = doc.readings[r.anchor]
        if anchor.subject is None:
            continue
        paths = [p for p, v in _leaves(built.data) if not p.startswith("上年.") and v == anchor.mention.value
                 and value_at(built.data, "上年." + p) is not None]
        for p in paths:
            now, before = value_at(built.data, p), value_at(built.data, "上年." + p)
            got = (now - before) if r.measure == CHG else (now - before) / before * 100
            q = Decimal(1).scaleb(-r.mention.places)
            assert abs(got).quantize(q, ROUND_HALF_UP) == r.mention.value, (p, r.mention.text)
            checked += 1
    assert checked >= 5


def test_a_figure_given_two_values_is_left_out():
    text = ("2024年度部门决算情况说明\n一、收入决算情况说明\n2024年度本年收入合计100.00万元，其他收入20.00万元。\n"
            "二、其他\n本年收入合计120.00万元。\n")
    data = figures_from_claims(text).data
    assert "本年收入合计" not in data["收入支出决算总表"]["收入"]
    assert data["收入支出决算总表"]["收入"]["其他收入"] == Decimal("20.00")


def test_an_amount_in_yuan_is_written_in_the_figures_unit():
    text = "2024年度部门决算情况说明\n2024年度“三公”经费支出125000.50元。\n"
    data = figures_from_claims(text).data
    assert data["财政拨款“三公”经费支出决算表"]["决算数"]["合计"] == Decimal("12.50005")


def test_a_line_is_named_as_the_text_names_it():
    text = ("2016年度部门决算说明\n五、公共财政拨款支出决算情况\n"
            "（一）2010101人大事务—行政运行542.64万元。（二）2210201 542.00万元。\n")
    rows = figures_from_claims(text).data["一般公共预算财政拨款支出决算表"]["科目"]
    names = {r["科目编码"]: r["科目名称"] for r in rows}
    assert names["2010101"] == "人大事务—行政运行"
    assert names["2210201"] == "科目（2210201）"      # no name in the text: no digit glued to its amount


def test_a_text_without_a_report_year_is_refused():
    with pytest.raises(InputError, match="report year"):
        figures_from_claims("本年收入合计100.00万元。", "x.txt")
