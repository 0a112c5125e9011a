"""The claim reader: a rate in a sentence of its own (“与2016年相比，公务接待费支出增长26.51%”) is
tied to the last amount of the subject it names; a subject after a heading glued to its
sentence (“…说明（一）机关运行经费2017年度机关运行经费支出53.73万元”) is read after the year."""

from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from narrator.check.claims_figures import figures_from_claims, read_text

HEAD = "2017年度某某工作部部门决算公开\n八、一般公共预算拨款“三公”经费支出决算情况\n"


def _reading(doc, text: str):
    return next(r for r in doc.readings if r.mention.text == text)


def test_a_rate_naming_its_subject_is_tied_to_that_amount():
    doc = read_text(HEAD + "（三）公务接待费26.14万元。主要用于各类接待活动。与2016年相比, 公务接待费支出增长26.51%。"
                    "主要原因是交流活动增加。")
    rate, amount = _reading(doc, "26.51"), _reading(doc, "26.14")
    assert rate.anchor == amount.index


def test_the_tie_names_the_subject_not_the_nearest_amount():
    doc = read_text(HEAD + "（一）因公出国（境）费43.13万元，主要用于交流。（二）公务接待费26.14万元。"
                    "与2016年相比，因公出国（境）经费支出增长69.80%。")
    assert _reading(doc, "69.80").anchor == _reading(doc, "43.13").index


def test_no_tie_for_another_year_an_unnamed_subject_or_another_section():
    other_year = read_text(HEAD + "（三）公务接待费26.14万元。与2014年相比，公务接待费增长26.51%。")
    assert _reading(other_year, "26.51").anchor is None
    unnamed = read_text(HEAD + "（三）公务接待费26.14万元。与2016年相比，差旅费增长26.51%。")
    assert _reading(unnamed, "26.51").anchor is None
    elsewhere = read_text(HEAD + "（三）公务接待费26.14万元。\n九、其他重要事项说明\n与2016年相比，公务接待费增长26.51%。")
    assert _reading(elsewhere, "26.51").anchor is None


def test_the_tied_rate_gives_last_years_amount():
    # 26.14 / 22.00 − 1 = 18.818…%: the one cent-exact amount that gives 18.82%
    figures = figures_from_claims(HEAD + "（三）公务接待费26.14万元。与2016年相比，公务接待费支出增长18.82%。")
    prior = figures.data["上年"]["财政拨款“三公”经费支出决算表"]["决算数"]["公务接待费"]
    assert prior == Decimal("22.00")


def test_a_subject_named_after_a_glued_heading_and_its_year():
    doc = read_text("2017年度某某工作部部门决算公开\n九、其他重要事项说明（一）机关运行经费 2017年度机关运行经费支出"
                    "53.73万元，比上年决算数增长55.25%。（二）政府采购情况本部门2017年度政府采购支出总额0.00万元。")
    running, buying = _reading(doc, "53.73"), _reading(doc, "0.00")
    assert running.subject == "机关运行经费" and running.year == 2017
    assert buying.subject == "政府采购支出总额"
    assert _reading(doc, "55.25").anchor == running.index


def test_a_rate_no_amount_to_the_cent_gives_gets_last_years_amount_to_the_yuan():
    # 26.14万元 on 20.66万元 is 26.52%, on 20.67万元 26.46%: the rate was worked out in 元
    figures = figures_from_claims(HEAD + "（三）公务接待费26.14万元。与2016年相比，公务接待费支出增长26.51%。")
    prior = figures.data["上年"]["财政拨款“三公”经费支出决算表"]["决算数"]["公务接待费"]
    assert prior == Decimal("20.6624")
    assert round((Decimal("26.14") - prior) / prior * 100, 2) == Decimal("26.51")


def test_a_subject_written_without_its_brackets():
    doc = read_text(HEAD + "（一）因公出国（境）费121.86万元。与2016年相比，因公出国境经费支出增长150%。")
    assert _reading(doc, "150").anchor == _reading(doc, "121.86").index


def test_a_subject_under_the_sections_scope_is_the_one_named():
    # the lead “…公共财政拨款支出…，具体情况如下” reads 因公出国（境）费 as 财政拨款|因公出国（境）费
    doc = read_text("2015年度某某工作部部门决算说明\n七、“三公”经费公共财政拨款支出决算情况2015年“三公”经费公共财政拨款"
                    "支出181.62万元，具体情况如下：（一）因公出国（境）费121.86万元，主要用于交流。"
                    "与2014年相比，因公出国境经费支出增长150%。")
    amount = _reading(doc, "121.86")
    assert "|" in amount.subject
    assert _reading(doc, "150").anchor == amount.index


ITEMS = ["因公出国（境）费", "公务用车运行费", "公务接待费"]


@settings(max_examples=100, deadline=None)
@example(amounts=[1, 2, 1234], order=ITEMS, named=ITEMS[2], gap=0, year=2016)
@given(amounts=st.lists(st.integers(1, 99999), min_size=3, max_size=3, unique=True),
       order=st.permutations(ITEMS), named=st.sampled_from(ITEMS), gap=st.integers(0, 2),
       year=st.sampled_from([2016, 2015, None]))
def test_the_rate_is_tied_to_the_amount_of_the_subject_it_names_wherever_it_stands(amounts, order, named, gap,
                                                                                    year):
    """Three 三公 items in any order, each with its amount; then, after some prose, a rate naming
    one of them: tied to that one's amount when compared with last year, to none otherwise."""
    sentences = [f"（{'一二三'[k]}）{item}{Decimal(a) / 100:.2f}万元。" for k, (item, a) in enumerate(zip(order, amounts))]
    compared = f"与{year}年相比，" if year else "与上年相比，"
    text = HEAD + "".join(sentences) + "主要用于交流。" * gap + f"{compared}{named}支出增长12.34%。"
    doc = read_text(text)
    rate = [r for r in doc.readings if r.mention.text == "12.34"][-1]   # an amount may print as 12.34 too
    amount = _reading(doc, f"{Decimal(amounts[order.index(named)]) / 100:.2f}")
    if year == 2015:
        assert rate.anchor is None          # another year than the last: no tie
    else:
        assert rate.anchor == amount.index
