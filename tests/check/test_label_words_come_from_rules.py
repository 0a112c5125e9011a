"""The claim reader's label words (标签, 科目数据 in rules/claims.yaml) are what it reads by.

Every entry is exercised on a label that needs it, and a word added to a copy of the rules
changes what is read: the words are data, not a second list in Python.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from narrator.check import claim_words, claims, grounding
from narrator.check.claim_words import Reading, clean_label, label_words, subject_of, vocabulary
from narrator.check.extract import extract


def _clear() -> None:
    for f in (claim_words._label_patterns, clean_label, claims._share_name_tail, claims._share_name_copula):
        f.cache_clear()


@pytest.fixture
def rules_with(monkeypatch):
    """Patch a copy of rules/claims.yaml: ``rules_with(lambda v: ...)`` edits the copy."""
    def patch(edit):
        v = copy.deepcopy(vocabulary())
        edit(v)
        for module in (claim_words, claims, grounding):      # each holds the name it imported
            monkeypatch.setattr(module, "vocabulary", lambda: v)
        _clear()
    yield patch
    monkeypatch.undo()
    _clear()


@pytest.mark.parametrize("word", label_words("句首填充"))
def test_every_filler_word_is_stripped_from_the_head_of_a_label(word):
    assert clean_label(word + "本年收入合计")[0] == "本年收入合计"


@pytest.mark.parametrize("word", label_words("编码前缀"))
def test_every_code_prefix_goes_with_its_code(word):
    assert clean_label(f"{word}：2080101行政运行")[:2] == ("行政运行", "2080101")
    assert clean_label(f"行政运行({word}2080101)")[:2] == ("行政运行", "2080101")


@pytest.mark.parametrize("word", label_words("科目级次"))
def test_every_level_in_parentheses_is_dropped(word):
    assert clean_label(f"行政运行({word})")[0] == "行政运行"


@pytest.mark.parametrize("word", label_words("截至词"))
def test_every_as_of_word_leads_a_year(word):
    assert clean_label(f"{word}2024年12月31日本年收入合计")[::2] == ("本年收入合计", 2024)


@pytest.mark.parametrize("word", label_words("年度前的引语"))
def test_a_heading_glued_to_its_year_is_cut_after_every_lead_in(word):
    assert clean_label(f"一般公共预算财政拨款支出决算{word}2016年三公经费")[::2] == ("三公经费", 2016)


@pytest.mark.parametrize("end", label_words("年度前的单位名称结尾"))
def test_a_unit_name_before_the_year_is_cut_for_every_ending(end):
    assert clean_label(f"区人社{end}2023年度机关运行经费支出")[::2] == ("机关运行经费支出", 2023)


@pytest.mark.parametrize("end", label_words("单位名称结尾"))
def test_a_unit_name_before_a_total_names_that_total_for_every_ending(end):
    assert subject_of(f"马家镇人民{end}本年支出合计") == "本年支出合计"


def test_the_title_year_needs_a_final_accounts_word():
    for maker in label_words("决算书编制者"):
        assert claim_words.doc_year(f"2024年度{maker}决算\n") == 2024


@pytest.mark.parametrize("tail", label_words("占比名称尾"))
def test_the_whole_of_a_share_is_named_without_its_tail(tail):
    text = f"基本支出占本年支出合计{tail}为10.00%。"
    doc = claims.read(text, extract(text))
    share = [r for r in doc.readings if r.measure == claims.SHARE]
    assert [r.whole_name for r in share] == ["本年支出合计"]


@pytest.mark.parametrize("after", label_words("不是占比的占"))
def test_zhan_followed_by_these_does_not_name_the_whole_of_a_share(after):
    text = f"占{after}面积为10.00%。"
    doc = claims.read(text, extract(text))
    assert [r.whole_name for r in doc.readings] == [""]
    text = "占资产总额为10.00%。"
    assert [r.whole_name for r in claims.read(text, extract(text)).readings] == ["资产总额"]


def test_a_filler_word_added_to_the_rules_is_stripped(rules_with):
    assert clean_label("本局本年收入合计")[0] == "本局本年收入合计"
    rules_with(lambda v: v["标签"]["句首填充"].append("本局"))
    assert clean_label("本局本年收入合计")[0] == "本年收入合计"


def test_a_unit_ending_added_to_the_rules_names_the_total(rules_with):
    assert subject_of("某某有限公司本年支出合计") is None
    rules_with(lambda v: v["标签"]["单位名称结尾"].append("公司"))
    assert subject_of("某某有限公司本年支出合计") == "本年支出合计"


def _code_reading(measure: str) -> Reading:
    m = extract("100.00万元")[0]
    return Reading(m, 0, "money", Decimal(100), Decimal("0.005"), "万元", measure=measure,
                   subject="科目2080101", code="2080101")


def test_code_paths_follow_the_rules(rules_with):
    data = {"支出决算表": {"科目": [{"科目编码": "2080101"}]}, "文字说明": {"科目": []}}
    got = grounding.paths_of(_code_reading(claims.ACT), data)
    assert got == [f"支出决算表.科目.2080101.{c}" for c in vocabulary()["科目数据"]["决算数列"]]
    assert grounding.paths_of(_code_reading(claims.BUD0), data) == ["年初预算.科目.2080101"]

    def edit(v):
        v["科目数据"]["决算数列"] = ["合计"]
        v["科目数据"]["不找的表"].append("支出决算表")
    rules_with(edit)
    assert grounding.paths_of(_code_reading(claims.ACT), data) == []
