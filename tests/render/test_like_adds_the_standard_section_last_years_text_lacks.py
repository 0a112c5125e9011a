"""generate --like: a section this year's figures have and last year's text lacks is the standard
pack's section, at the place the standard order puts it, marked 【待核：新增段落】 (issue 18)."""

import copy

from narrator.check.checker import check_text
from narrator.render.engine import render
from narrator.render.like import render_like

MARK = "【待核：新增段落】"

# last year's text (2023) with only two of the standard sections, and a closing part
SHORT = """第三部分 区人社局2023年度部门决算情况说明

一、收入支出决算总体情况说明

2023年度区人社局本年收入合计15568.86万元，本年支出合计15568.86万元。

二、财政拨款“三公”经费支出决算情况说明

2023年度“三公”经费财政拨款支出决算为3.10万元。

附件：1.收支决算总表
"""


def _standard_body(figures, key: str) -> list[str]:
    std = render(figures, "standard")
    sec = next(s for s in std.sections if s.id == key)
    lines = [ln for ln in std.text[sec.start:sec.end].split("\n") if ln.strip()]
    return lines[1:]            # without the pack's numbered heading


def test_missing_sections_are_the_standard_packs_in_the_standard_order(sample_figures):
    draft, learned = render_like(SHORT, sample_figures)
    text = draft.text
    assert "三公经费支出决算情况" not in learned.new_sections
    assert "收入支出决算总体情况" not in learned.new_sections
    for key in ("一般公共预算财政拨款基本支出决算情况", "机关运行经费支出", "政府采购支出"):
        assert key in learned.new_sections
        body = _standard_body(sample_figures, key)
        assert body and all(ln in text for ln in body), key
    assert text.count(MARK) == len(learned.new_sections)
    three = text.index("“三公”经费支出决算情况说明")
    closing = text.index("附件：")
    # 基本支出 (六 in the standard order) before 三公 (九); 机关运行经费 and 政府采购 after it,
    # before the closing part, in the standard order
    basic = text.index(MARK + "一般公共预算财政拨款基本支出决算情况说明")
    running = text.index(MARK + "机关运行经费支出说明")
    buying = text.index(MARK + "政府采购支出说明")
    assert basic < three < running < buying < closing


def test_the_draft_with_new_sections_passes_check(sample_figures):
    draft, learned = render_like(SHORT, sample_figures)
    assert learned.new_sections
    errors = [f for f in check_text(draft.text, "draft.txt", sample_figures).findings if f.severity == "error"]
    assert errors == []


def test_a_section_last_years_headings_name_is_not_added(sample_figures):
    text = SHORT.replace("附件：", "三、政府采购支出情况\n\n2023年度政府采购支出总额100.00万元。\n\n附件：")
    _draft, learned = render_like(text, sample_figures)
    assert "政府采购支出" not in learned.new_sections
    assert "机关运行经费支出" in learned.new_sections


def test_a_section_whose_figures_are_absent_is_not_added(sample_figures):
    figures = copy.deepcopy(sample_figures)
    del figures.data["政府采购"]
    draft, learned = render_like(SHORT, figures)
    assert "政府采购支出" not in learned.new_sections
    assert MARK + "政府采购支出说明" not in draft.text


def test_a_saved_pack_with_new_sections_gives_the_same_draft(tmp_path, sample_figures):
    draft, learned = render_like(SHORT, sample_figures, save_pack=tmp_path / "pack")
    assert learned.new_sections
    again = render(sample_figures, str(tmp_path / "pack"))
    assert again.text == draft.text
    # the added sections' numbers are slots with provenance, like any pack's
    added = draft.text.index(MARK + "政府采购支出说明")
    assert any(s.start > added and s.label for s in draft.slots)


ECONOMIC = SHORT.replace("二、财政拨款“三公”经费", """二、一般公共预算财政拨款支出决算情况说明

2023年度一般公共预算财政拨款支出10537.46万元，主要支出项目包括：（一）工资福利支出1200.00万元。（二）商品和服务支出300.00万元。

三、财政拨款“三公”经费""")


def test_a_section_without_one_line_of_this_years_table_gets_the_standard_lines_after_it(sample_figures):
    draft, learned = render_like(ECONOMIC, sample_figures)
    assert "一般公共预算财政拨款支出决算情况" in learned.new_sections
    text = draft.text
    added = text.index(MARK + "一般公共预算财政拨款支出决算情况说明")
    assert text.index("（二）商品和服务支出") < added < text.index("三、财政拨款“三公”经费")
    body = _standard_body(sample_figures, "一般公共预算财政拨款支出决算情况")
    lines = [ln for ln in body if "（项）" in ln]
    assert lines and all(ln in text[added:] for ln in lines)


def test_a_section_naming_a_line_of_this_years_table_gets_no_standard_lines(sample_figures):
    text = ECONOMIC.replace("（二）商品和服务支出300.00万元。", "（二）人力资源和社会保障管理事务行政运行（科目编码2080101）1688.19万元。")
    _draft, learned = render_like(text, sample_figures)
    assert "一般公共预算财政拨款支出决算情况" not in learned.new_sections


def test_one_figure_read_twice_with_two_values_in_two_sections_keeps_only_its_tables_section(sample_figures):
    # 公务接待费 0.35 in a list of 商品和服务支出 is another figure than the 三公 公务接待费 3.10
    text = ECONOMIC.replace("（二）商品和服务支出300.00万元。", "（二）商品和服务支出300.00万元，其中公务接待费0.35万元。")
    text = text.replace("支出决算为3.10万元。", "支出决算为3.10万元，其中公务接待费3.10万元。")
    draft, _learned = render_like(text, sample_figures)
    assert "公务接待费【待核：原文数字 0.35万元】" in draft.text
    three = draft.text[draft.text.index("三、财政拨款“三公”经费"):]
    assert "公务接待费【待核" not in three and "其中公务接待费" in three
    # the same two values within one section: a slip of last year's text, both keep the figure
    slip = text.replace("其中公务接待费0.35万元", "其中办公费1.00万元").replace(
        "其中公务接待费3.10万元。", "其中公务接待费3.10万元，公务接待费3.01万元。")
    draft, _learned = render_like(slip, sample_figures)
    assert "公务接待费【待核" not in draft.text
