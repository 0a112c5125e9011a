"""generate --like: the sentences the draft adds compare the way the department compares (issue 18).

Last year's text shows its comparison basis (比上年/较2023年决算数/同比 … or 年初预算为/完成年初预算的).
A department that compares with the previous year gets the added 科目 lines of the standard
section compared with last year's figure of the same line ("…（项）X万元，较2023年决算数增加Y万元，
增长Z%"); a department that compares with the budget, or shows nothing, gets the pack's wording;
a line whose last-year figure is missing gets no comparison and no number but its own amount.
"""

import copy
import re
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.checker import check_text
from narrator.check.claims_figures import read_text
from narrator.figures.dump import figures_to_tree
from narrator.figures.model import figures_from_tree
from narrator.render.engine import render
from narrator.render.like import render_like
from narrator.render.like_sections import PRIOR, comparison_basis, standard_place

TABLE = "一般公共预算财政拨款支出决算表"
SECTION = "一般公共预算财政拨款支出决算情况"
CENT = Decimal("0.01")

# last year's text: no 科目 line in its 一般公共预算 section (so the standard section is added);
# its only comparison is with the previous year, in another section
PRIOR_TEXT = """区人社局2023年度部门决算情况说明
一、收入支出决算总体情况说明
2023年度本年收入合计15568.86万元，比2022年决算数增加100.00万元，增长0.65%。
二、一般公共预算财政拨款支出决算情况说明
2023年度一般公共预算财政拨款支出10537.46万元。
附件：1.收支决算总表
"""

# the same, comparing with the budget
BUDGET_TEXT = PRIOR_TEXT.replace("，比2022年决算数增加100.00万元，增长0.65%", "").replace(
    "2023年度一般公共预算财政拨款支出10537.46万元。",
    "2023年度一般公共预算财政拨款支出年初预算为8000.00万元，支出决算为10537.46万元，完成年初预算的131.72%。")

# no comparison at all
PLAIN_TEXT = PRIOR_TEXT.replace("，比2022年决算数增加100.00万元，增长0.65%", "")


def _with_prior_rows(figures, prior: dict[str, Decimal]):
    """``figures`` with last year's 一般公共预算 table holding exactly the lines of ``prior``."""
    tree = copy.deepcopy(figures_to_tree(figures))
    rows = [{"科目编码": code, "科目名称": f"科目{code}", "合计": v} for code, v in prior.items()]
    tree.setdefault("上年", {}).setdefault(TABLE, {})["科目"] = rows
    return figures_from_tree(tree, "test.yaml", required=False)


def _added_section(text: str) -> str:
    start = text.index("【待核：新增段落】一般公共预算财政拨款支出决算情况说明")
    end = text.find("【待核：", start + 1)
    return text[start:end if end > 0 else len(text)]


def _item_lines(text: str) -> list[str]:
    """The numbered lines of the added section's 具体情况 (one per 项级 line)."""
    body = _added_section(text).split("（三）", 1)[1]
    return [ln for ln in body.splitlines() if re.match(r"^\d+\. ", ln)]


def _rows(figures) -> list[tuple[str, str, Decimal]]:
    return [(r["科目编码"], r["科目名称"], r["合计"]) for r in figures.data[TABLE]["科目"]
            if len(r["科目编码"]) == 7 and r.get("合计")]


def _amount(v: Decimal) -> str:
    return f"{v.quantize(CENT, ROUND_HALF_UP)}"


def _expected_tail(now: Decimal, before: Decimal | None) -> str:
    """What follows a line's amount: its comparison with last year (none when unknown)."""
    if before is None:
        return "。"
    change = now - before
    if change == 0:
        return "，较2023年决算数持平。"
    up = change > 0
    head = f"，较2023年决算数{'增加' if up else '减少'}{_amount(abs(change))}万元"
    if before == 0:
        return head + "。"
    rate = (abs(change) / before * 100).quantize(CENT, ROUND_HALF_UP)
    return head + f"，{'增长' if up else '下降'}{rate}%。"


def _check_lines(text: str, figures, prior: dict[str, Decimal]) -> int:
    lines = list(_item_lines(text))
    rows = _rows(figures)
    assert len(lines) == len(rows)
    for line, (code, name, now) in zip(lines, rows):
        assert f"{name}（项）{_amount(now)}万元" in line, line
        tail = line.split(f"{name}（项）{_amount(now)}万元", 1)[1]
        assert tail.startswith(_expected_tail(now, prior.get(code))), (line, prior.get(code))
        if code not in prior:
            # no comparison, no other number than the line's own amount
            assert "较" not in tail and not re.search(r"\d", tail), line
    return len(lines)


def test_a_department_comparing_with_last_year_gets_added_lines_compared_with_last_year(sample_figures):
    codes = [c for c, _, _ in _rows(sample_figures)]
    assert len(codes) >= 4
    prior = {codes[0]: Decimal("1500.00"), codes[1]: Decimal("120.50"), codes[2]: Decimal("0.00")}
    figures = _with_prior_rows(sample_figures, prior)
    draft, learned = render_like(PRIOR_TEXT, figures)
    assert SECTION in learned.new_sections
    assert _check_lines(draft.text, figures, prior) == len(codes)
    # 1688.19 against 1500.00: the change and rate the figures give, worded as the department words them
    assert "较2023年决算数增加188.19万元，增长12.55%" in draft.text
    assert "年初预算为" not in _added_section(draft.text)
    errors = [f for f in check_text(draft.text, "draft.txt", figures).findings if f.severity == "error"]
    assert errors == []


def _standard_lines(figures) -> list[str]:
    std = render(figures, "standard")
    sec = next(s for s in std.sections if s.id == SECTION)
    return [ln for ln in std.text[sec.start:sec.end].split("\n") if ln.strip()][1:]


def test_a_department_comparing_with_the_budget_or_not_at_all_keeps_the_packs_wording(sample_figures):
    figures = _with_prior_rows(sample_figures, {c: Decimal("1.00") for c, _, _ in _rows(sample_figures)})
    body = _standard_lines(figures)
    assert any("年初预算为" in ln for ln in body)
    for text in (BUDGET_TEXT, PLAIN_TEXT):
        draft, learned = render_like(text, figures)
        assert SECTION in learned.new_sections
        assert all(ln in draft.text for ln in body)
        assert "较2023年决算数" not in draft.text


def test_the_basis_is_read_per_section_and_for_the_whole_text():
    places, whole = comparison_basis(read_text(PRIOR_TEXT))
    assert whole == PRIOR
    assert places == {standard_place("收入支出决算总体情况说明"): PRIOR}
    assert comparison_basis(read_text(PLAIN_TEXT)) == ({}, None)
    places, whole = comparison_basis(read_text(BUDGET_TEXT))
    assert whole is None and set(places.values()) == {None}
    # a text that does both (the standard pack's own wording): the pack's wording
    both = PRIOR_TEXT.replace("2023年度一般公共预算财政拨款支出10537.46万元。",
                              "2023年度一般公共预算财政拨款支出年初预算为8000.00万元，支出决算为10537.46万元，"
                              "完成年初预算的131.72%。")
    places, whole = comparison_basis(read_text(both))
    assert whole is None
    assert places[standard_place("收入支出决算总体情况说明")] == PRIOR
    assert places[standard_place("一般公共预算财政拨款支出决算情况说明")] is None


def test_the_section_s_own_basis_wins_over_the_whole_text(sample_figures):
    # the 一般公共预算 section compares with the budget, the rest of the text with last year
    text = PRIOR_TEXT.replace("2023年度一般公共预算财政拨款支出10537.46万元。",
                              "2023年度一般公共预算财政拨款支出10537.46万元，完成年初预算的131.72%。")
    figures = _with_prior_rows(sample_figures, {c: Decimal("1.00") for c, _, _ in _rows(sample_figures)})
    draft, learned = render_like(text, figures)
    assert SECTION in learned.new_sections
    assert "较2023年决算数" not in draft.text


CODES = ["2010101", "2010102", "2010350", "2050201", "2080101", "2080102", "2080501", "2089999",
         "2101101", "2210201", "2210202", "2299901"]


@st.composite
def _lines(draw):
    codes = sorted(draw(st.sets(st.sampled_from(CODES), min_size=1, max_size=6)))
    cents = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n) / 100)
    now = {c: draw(cents) for c in codes}
    prior = {}
    for c in codes:
        kind = draw(st.sampled_from(["missing", "zero", "same", "other"]))
        if kind == "zero":
            prior[c] = Decimal("0.00")
        elif kind == "same":
            prior[c] = now[c]
        elif kind == "other":
            prior[c] = draw(cents)
    return now, prior


def _figures(now: dict[str, Decimal], prior: dict[str, Decimal]):
    rows = [{"科目编码": c, "科目名称": f"科目{c}", "合计": v} for c, v in now.items()]
    tree = {"单位": "测试局", "年度": 2024, "金额单位": "万元",
            TABLE: {"合计": {"合计": sum(now.values())}, "科目": rows},
            "上年": {TABLE: {"科目": [{"科目编码": c, "科目名称": f"科目{c}", "合计": v} for c, v in prior.items()]}}}
    return figures_from_tree(tree, "test.yaml", required=False)


@settings(max_examples=25, deadline=None)
@given(_lines())
def test_each_added_line_compares_with_its_own_last_year_figure_or_not_at_all(lines):
    now, prior = lines
    figures = _figures(now, prior)
    draft, _ = render_like(PRIOR_TEXT, figures)
    assert _check_lines(draft.text, figures, prior) == len(now)
    # every number of the added lines is the figures' own: an amount, or a change / rate of two
    errors = [f for f in check_text(draft.text, "draft.txt", figures).findings if f.severity == "error"]
    assert errors == []


def _with_running_cost_last_year(figures, amount: Decimal):
    tree = copy.deepcopy(figures_to_tree(figures))
    tree.setdefault("上年", {})["机关运行经费"] = {"决算数": amount}
    return figures_from_tree(tree, "test.yaml", required=False)


def test_each_added_section_has_its_own_basis(sample_figures):
    figures = _with_running_cost_last_year(_with_prior_rows(sample_figures, {}), Decimal("150.00"))
    # whole text compares with last year: 机关运行经费 (a section it lacks) compares with 2023
    draft, learned = render_like(PRIOR_TEXT, figures)
    assert "机关运行经费支出" in learned.new_sections
    assert "比2023年度增加21.87万元，增长14.58%" in draft.text and "比年初预算数" not in draft.text
    # the 一般公共预算 section compares with last year, another with the budget: the 一般公共预算
    # section's lines compare with last year, the added 机关运行经费 keeps the pack's wording
    mixed = (PRIOR_TEXT.replace("，比2022年决算数增加100.00万元，增长0.65%", "，完成年初预算的100.00%")
             .replace("2023年度一般公共预算财政拨款支出10537.46万元。",
                      "2023年度一般公共预算财政拨款支出10537.46万元，比2022年决算数增加37.46万元，增长0.36%。"))
    places, whole = comparison_basis(read_text(mixed))
    assert whole is None and places[standard_place("一般公共预算财政拨款支出决算情况说明")] == PRIOR
    codes = [c for c, _, _ in _rows(figures)]
    figures = _with_running_cost_last_year(_with_prior_rows(sample_figures, {codes[0]: Decimal("1500.00")}),
                                           Decimal("150.00"))
    draft, learned = render_like(mixed, figures)
    assert {SECTION, "机关运行经费支出"} <= set(learned.new_sections)
    assert "较2023年决算数增加188.19万元，增长12.55%" in draft.text
    assert "比年初预算数减少9.11万元" in draft.text and "比2023年度增加21.87万元" not in draft.text
