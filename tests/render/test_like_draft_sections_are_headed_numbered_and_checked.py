"""generate --like: the draft's sections have the headings a reader and the checker expect (issue 18).

Words before last year's first heading (a preamble, or sections the draft adds there) form a
section without a title: it prints no heading and takes no number, so the department's first
heading is still “一、”. A section the draft adds is titled on a line of its own after its
【待核：新增段落】 mark; the checker takes that line as the section's heading, so the added
section's amounts are read in its own 口径 (国有资本经营预算 money is not 一般公共预算 money).
"""

import re

from narrator.check.checker import check_text
from narrator.check.claims_figures import read_text
from narrator.check.segment import structure
from narrator.render.like import render_like

TEXT = """区人社局2023年度部门决算情况说明
按照有关规定，现将本部门2023年度部门决算公开如下。
一、收入支出决算总体情况说明
2023年度本年收入合计15568.86万元，比2022年决算数增加100.00万元，增长0.65%。
二、“三公”经费财政拨款支出决算情况说明
2023年度“三公”经费财政拨款支出0.22万元。
"""
MARK = "【待核：新增段落】"


def test_words_before_the_first_heading_take_no_heading_and_no_number(sample_figures):
    draft, _ = render_like(TEXT, sample_figures)
    lines = draft.text.splitlines()
    assert not any(re.fullmatch(r"[一二三四五六七八九十]+、\s*", ln) for ln in lines)
    numbered = [ln for ln in lines if re.match(r"[一二三四五六七八九十]+、", ln)]
    assert numbered[0] == "一、收入支出决算总体情况说明"
    assert numbered[1] == "二、“三公”经费财政拨款支出决算情况说明"
    assert "按照有关规定，现将本部门2024年度部门决算公开如下。" in lines
    assert [s.title for s in draft.sections if s.title][:2] == numbered[:2]


def test_an_added_section_is_a_section_to_the_checker(sample_figures):
    draft, learned = render_like(TEXT, sample_figures)
    assert "国有资本经营预算财政拨款支出决算情况" in learned.new_sections
    added = [ln[len(MARK):] for ln in draft.text.splitlines() if ln.startswith(MARK)]
    assert "国有资本经营预算财政拨款支出决算情况说明" in added
    assert set(added) <= {t for _, t in read_text(draft.text).sections}
    assert set(added) <= {s.title for s in structure(draft.text).sections}
    # its 180.00 is 国有资本经营预算 money: no error anywhere in the draft
    errors = [f for f in check_text(draft.text, "draft.txt", sample_figures).findings if f.severity == "error"]
    assert errors == []


def test_the_checker_s_mark_is_the_one_the_draft_prints():
    from narrator.check.claim_words import vocabulary
    from narrator.render.engine import wording
    from narrator.render.like_template import confirm_label

    assert vocabulary()["新增段落标记"] == MARK == wording()["待核"].format(confirm_label("新增段落"))
