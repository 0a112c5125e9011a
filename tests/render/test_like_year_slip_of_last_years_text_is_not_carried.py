"""generate --like: last year's text naming the wrong year before its own amount is not copied (issue 18).

"2015年“三公”经费公共财政拨款支出2.00万元" in a 2016 text (27_pingtan-suaozhen_2016) is this
year's amount after last year's number, which the checker reports (N209). Moving every year by one
would carry the slip into the draft; the year before an amount read as this year's figure becomes
this year, while a year that is a base (比2022年…, 较2022年…) still moves to the year before.
"""

from narrator.check.checker import check_text
from narrator.render.like import render_like

TEXT = """区人社局2023年度部门决算情况说明
一、“三公”经费财政拨款支出决算情况说明
2022年度“三公”经费财政拨款支出0.22万元，比2022年决算数增加0.05万元，增长29.41%。
二、收入支出决算总体情况说明
2023年度本年收入合计15568.86万元。
"""


def test_the_year_slip_becomes_this_year_and_the_base_year_moves(sample_figures):
    draft, _ = render_like(TEXT, sample_figures)
    line = next(ln for ln in draft.text.splitlines() if ln.startswith("20") and "“三公”经费" in ln)
    assert line.startswith("2024年度“三公”经费财政拨款支出0.27万元，比2023年决算数增加0.05万元")
    assert "2024年度本年收入合计" in draft.text
    errors = [f for f in check_text(draft.text, "draft.txt", sample_figures).findings if f.severity == "error"]
    assert errors == []
    # the slip is the checker's N209 on last year's own text
    assert "N209" in {f.code for f in check_text(TEXT, "last.txt", None).findings}
