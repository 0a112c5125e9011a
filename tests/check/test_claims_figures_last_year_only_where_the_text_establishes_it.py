"""figures_from_claims: last year's 科目 amounts only where the text establishes them, and the
department's name from the title (issue 18, benchmarks/like_corpus.py).

A 科目 line's amount and its stated change give last year's amount (now − change, to the cent)
when the stated rate agrees with them; else the amount to the 元 nearest it that gives both the
printed change and the printed rate (a rate worked out before the amounts were rounded); when
none does, last year's amount is left out. A rate
alone gives last year's amount in the rate's own direction (下降 is a fall). The 单位 is the
name the title gives, none when it gives none (never the file's name).
"""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from narrator.check.claims_figures import figures_from_claims
from narrator.check.grounding import value_at

HEAD = "2016年度平潭县人大常委会部门决算说明\n五、公共财政拨款支出决算情况\n"
ROW = "一般公共预算财政拨款支出决算表.科目.2010101.合计"
CENT = Decimal("0.01")     # rates and amounts are rounded half up (四舍五入), as the checker does


def _prior(text: str, path: str = ROW):
    return value_at(figures_from_claims(text, "29_some-file_2016.txt").data, "上年." + path)


def test_a_change_whose_rate_agrees_gives_last_years_line():
    text = HEAD + "（一）2010101人大事务—行政运行542.64万元，较2015年决算数增加117.69万元，增长27.70%。\n"
    assert _prior(text) == Decimal("424.95")


def test_a_change_whose_rate_disagrees_leaves_last_years_line_out():
    # 860.67 − 396.97 = 463.70, and 396.97 / 463.70 = 85.61%, not the printed 94.26%
    text = HEAD + "（二）2010101人大事务—行政运行860.67万元，较2015年决算数增加396.97万元，增长94.26%。\n"
    figures = figures_from_claims(text)
    assert value_at(figures.data, ROW) == Decimal("860.67")
    assert value_at(figures.data, "上年." + ROW) is None


def test_a_rate_worked_out_before_rounding_gives_last_years_amount_to_the_yuan():
    # 30_pingtan-taiwan-gongzuobu_2017: 1463.90 − 561.51 = 902.39 gives 62.22%, not the printed
    # 62.23%; the nearest amount to the 元 that gives both the printed change and rate is 902.3886
    # (561.5114, 62.2250%); 902.3887 gives 62.2249%
    text = HEAD + "（一）2010101人大事务—行政运行1463.90万元，较2015年决算数增加561.51万元，增长62.23%。\n"
    before = _prior(text)
    assert before == Decimal("902.3886")
    change = Decimal("1463.90") - before
    assert change.quantize(CENT, ROUND_HALF_UP) == Decimal("561.51")
    assert (change / before * 100).quantize(CENT, ROUND_HALF_UP) == Decimal("62.23")


def test_a_change_without_a_rate_is_taken_to_the_cent():
    text = HEAD + "（七）2010101其他支出4万元，较2015年决算数增加1.1万元，增长37.93%。\n"
    assert _prior(text) == Decimal("2.90")
    text = HEAD + "（三）2010101人大事务—人大代表履职能力提升15.16万元，较2015年决算数增加15.16万元。\n"
    assert _prior(text) == Decimal("0.00")


def test_a_rate_alone_gives_last_years_amount_in_its_own_direction():
    # 1.51 after a fall of 10.22%: 1.6819 (to the 元), not 1.37 (a rise of 10.22%)
    text = ("2016年度平潭县人大常委会部门决算说明\n七、“三公”经费公共财政拨款支出决算情况\n"
            "（三）公务接待费1.51万元。与2015年相比，公务接待费支出下降10.22%。\n")
    before = _prior(text, "财政拨款“三公”经费支出决算表.决算数.公务接待费")
    assert before is not None and before > Decimal("1.51")
    assert ((before - Decimal("1.51")) / before * 100).quantize(CENT, ROUND_HALF_UP) == Decimal("10.22")


@settings(max_examples=40, deadline=None)
@example(now=107, before=800, off=Decimal(0))      # 6.93 / 8.00 = 86.625 %: 86.63 half up, not 86.62
@given(now=st.integers(min_value=100, max_value=10_000_000), before=st.integers(min_value=1, max_value=10_000_000),
       off=st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(-3), Decimal(7)]))
def test_last_years_line_is_there_only_when_the_printed_rate_fits_it(now, before, off):
    now_v, before_v = Decimal(now) / 100, Decimal(before) / 100
    change = now_v - before_v
    if change == 0:
        return
    rate = (abs(change) / before_v * 100).quantize(CENT, ROUND_HALF_UP) + off
    if rate <= 0:
        return
    up = change > 0
    text = HEAD + (f"（一）2010101人大事务—行政运行{now_v}万元，较2015年决算数{'增加' if up else '减少'}"
                   f"{abs(change)}万元，{'增长' if up else '下降'}{rate}%。\n")
    got = _prior(text)
    if off == 0:
        assert got == before_v
    elif got is None:
        # no amount to the 元 within half a cent gives the printed change and rate: there is none
        yuan = Decimal("0.0001")
        for k in range(-50, 51):
            cand = before_v + k * yuan
            if cand > 0 and (abs(now_v - cand)).quantize(CENT, ROUND_HALF_UP) == abs(change):
                assert (abs(now_v - cand) / cand * 100).quantize(CENT, ROUND_HALF_UP) != rate
    else:
        # a rate the cent cannot give but an amount to the 元 within half a cent can: that amount
        assert abs(got - before_v) <= Decimal("0.005")
        assert abs(now_v - got).quantize(CENT, ROUND_HALF_UP) == abs(change)
        assert (abs(now_v - got) / got * 100).quantize(CENT, ROUND_HALF_UP) == rate


def test_the_department_is_the_one_the_title_names():
    assert figures_from_claims(HEAD + "2016年本年收入709.71万元。\n").data["单位"] == "平潭县人大常委会"
    other = "第三部分 区人社局2024年度部门决算情况说明\n一、收入支出决算总体情况说明\n2024年度本年收入合计10.00万元。\n"
    assert figures_from_claims(other).data["单位"] == "区人社局"
    untitled = "2016年本年收入709.71万元。\n"
    assert "单位" not in figures_from_claims(untitled, "29_file.txt").data
