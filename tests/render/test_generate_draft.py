"""narrator generate: the draft, its slots, the packs, the command line."""

import json
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from conftest import STANDARD_HEADINGS, ROOT, SAMPLE, check_golden
from narrator.figures.model import figures_from_tree
from narrator.core.numbers import round_half_up
from narrator.render.engine import render
from narrator.batch.synth import department


# digits that belong to fixed wording, not to figures
FIXED = re.compile(r"图\d+|^\d+\. |单价100万元|12月31日|（\d+）")


def test_sample_golden_standard(sample_figures):
    draft = render(sample_figures, "standard")
    check_golden("renshe-2024.standard.txt", draft.text)


def test_sample_has_13_sections_in_order(sample_figures):
    draft = render(sample_figures, "standard")
    assert [s.title for s in draft.sections] == STANDARD_HEADINGS
    lines = draft.text.splitlines()
    assert [ln for ln in lines if ln in STANDARD_HEADINGS] == STANDARD_HEADINGS


def _slot_text(draft, needle_before: str) -> str:
    """The first slot printed right after ``needle_before``."""
    at = draft.text.index(needle_before) + len(needle_before)
    for s in draft.slots:
        if s.start >= at:
            return s.text
    raise AssertionError(needle_before)


def test_sample_numbers_that_the_seed_gets_wrong_are_right(sample_figures):
    d = render(sample_figures, "standard")
    # 收、支总计 is the table's 总计, including 年初结转和结余 (the seed prints 本年收入合计)
    assert _slot_text(d, "2024年度收、支总计") == "14351.53"
    assert _slot_text(d, "2024年度财政拨款收、支总计") == "11308.61"
    # 社会保障和就业支出 share: 10855.22 ÷ 11121.20 = 97.608% (the seed prints 97.51%)
    assert "社会保障和就业支出10855.22万元，占97.61%" in d.text
    assert "社会保险经办机构（项）。年初预算为500.00万元，支出决算为467.89万元，完成年初预算的93.58%" in d.text
    assert "2024年本部门整体支出年末执行数为14344.12万元" in d.text


def test_sample_rates_agree_with_the_seed(sample_figures):
    d = render(sample_figures, "standard")
    for phrase in ["占本年收入78.79%", "占本年收入21.21%", "占本年支出11.85%", "占本年支出88.15%",
                   "完成年初预算的132.84%", "完成年初预算的94.64%", "完成年初预算的97.91%",
                   "完成年初预算的91.74%", "完成年初预算的95.78%", "占1.03%", "占1.36%",
                   "增长22.73%", "降低5.03%", "占政府采购支出总额的99.56%", "占授予中小企业合同金额的86.77%",
                   "占一般公共预算项目支出总额的95.37%", "减少1224.74万元，下降7.87%", "增加583.74万元，增长5.54%",
                   "占本年支出合计的77.53%", "完成预算的66.14%", "完成预算的82.53%"]:
        assert phrase in d.text, phrase


def test_every_number_in_the_draft_is_a_slot(sample_figures):
    for pack in ("standard",):
        d = render(sample_figures, pack)
        covered = [False] * len(d.text)
        for s in d.slots:  # numbers and the person's own words (kind "text") from 文字说明
            assert d.text[s.start:s.end] == s.text
            for i in range(s.start, s.end):
                covered[i] = True
        for line_start, line in _lines(d.text):
            fixed = [(m.start(), m.end()) for m in FIXED.finditer(line)]
            for m in re.finditer(r"\d+(?:\.\d+)?", line):
                if any(a <= m.start() < b for a, b in fixed):
                    continue
                assert all(covered[line_start + i] for i in range(m.start(), m.end())), \
                    f"{m.group()} in {line!r} is not a slot"


def _lines(text):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def test_slot_explains_its_formula(sample_figures):
    d = render(sample_figures, "standard")
    share = next(s for s in d.slots if s.kind == "percent" and s.text == "97.61")
    assert share.formula == "10855.22 ÷ 11121.20 = 97.61%"
    assert [i["value"] for i in share.inputs] == ["10855.22", "11121.20"]
    assert share.inputs[0]["path"] == "一般公共预算财政拨款支出决算表.科目.208.合计"
    assert share.value == Decimal("10855.22") / Decimal("11121.20") * 100
    change = next(s for s in d.slots if s.kind == "amount" and s.text == "1224.74")
    assert change.formula == "|14344.12 − 15568.86| = 1224.74"
    word = next(s for s in d.slots if s.kind == "word" and s.label == "收入合计变动额")
    assert word.text == "减少" and word.value == -1


def test_missing_reason_is_a_visible_placeholder_not_invented(sample_figures):
    d = render(sample_figures, "standard")
    # 行政运行 has a budget difference but no reason in the figures
    line = next(ln for ln in d.text.splitlines() if "行政运行（项）" in ln)
    assert "【待填：主要原因】" in line
    assert any(s.kind == "placeholder" for s in d.slots)
    # a figure the file lacks is a placeholder too (prior-year 总计 is not in the seed)
    assert "【缺数：上年收入支出决算总表 收入 总计】" not in d.text   # the comparison is left out instead
    assert "【缺数：2080501 行政单位离退休的年初预算】" in d.text  # named as the tables name it


def test_json_format_has_sentences_with_slots(tmp_path):
    out = tmp_path / "draft.json"
    r = subprocess.run([sys.executable, "-m", "narrator.cli", "generate", str(SAMPLE / "figures.yaml"),
                        "--format", "json", "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["sections"]) == 13
    text = data["text"]
    n = 0
    for sec in data["sections"]:
        for sent in sec["sentences"]:
            assert text[sent["start"]:sent["end"]] == sent["text"]
            for slot in sent["slots"]:
                assert text[slot["start"]:slot["end"]] == slot["text"]
                n += 1
    assert n > 100


def test_markdown_format(sample_figures):
    from narrator.report.markdown import draft_markdown

    md = draft_markdown(render(sample_figures, "standard"))
    assert "## 一、收入支出决算总体情况说明" in md
    assert "### （一）一般公共预算财政拨款支出决算总体情况" in md


def test_user_template_folder_overrides_file_by_file(tmp_path, sample_figures):
    (tmp_path / "01-收入支出决算总体情况.j2").write_text(
        '{% import "macros.j2" as m with context %}本部门{{ 年度|年 }}年收支总计为{{ m.金额文(指标.收支总计) }}。\n',
        encoding="utf-8")
    d = render(sample_figures, str(tmp_path))
    assert "本部门2024年收支总计为14351.53万元。" in d.text
    # the other 12 sections still come from the shipped pack
    assert len(d.sections) == 13 and "二、收入决算情况说明" in d.text


def test_user_rules_override_metric_precision(tmp_path, sample_figures):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "metrics.yaml").write_text("格式:\n  \"%\": 1\n", encoding="utf-8")
    d = render(sample_figures, str(tmp_path))
    assert "占97.6%" in d.text


def test_zero_and_absent_items_are_not_listed(sample_figures):
    d = render(sample_figures, "standard")
    sec2 = d.text[d.sections[1].start:d.sections[1].end]
    for absent in ("事业收入", "经营收入", "上级补助收入", "附属单位上缴收入"):
        assert absent not in sec2
    assert "本部门当年无政府性基金预算财政拨款收入支出。" in d.text


def test_equal_values_are_stated_as_chiping(sample_figures):
    data = json.loads(json.dumps(_plain(sample_figures.data)))
    data["上年"]["收入支出决算总表"]["收入"]["本年收入合计"] = "14344.12"
    fig = figures_from_tree(data, "t")
    d = render(fig, "standard")
    assert "收入合计持平" in d.text
    sec2 = d.text[d.sections[1].start:d.sections[1].end]
    assert "增加" not in sec2 and "减少" not in sec2


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    if isinstance(x, Decimal):
        return f"{x:f}"
    if hasattr(x, "isoformat"):
        return x.isoformat()
    return x


# ---- properties over random valid figures -------------------------------------------
@given(seed=st.integers(0, 10**6), pack=st.sampled_from(["standard", "shanghai"]))
def test_random_figures_render_with_consistent_slots(seed, pack):
    fig = figures_from_tree(department(seed), f"synth-{seed}")
    d = render(fig, pack)
    assert len(d.sections) == {"standard": 13, "shanghai": 11}[pack]
    for s in d.slots:
        assert d.text[s.start:s.end] == s.text
        if s.kind == "word":
            words = s.words
            expected = words["正"] if s.value > 0 else words["负"] if s.value < 0 else words["零"]
            assert s.text == expected
        if s.kind == "percent" and s.formula and "÷" in s.formula and s.inputs and len(s.inputs) == 2 \
                and "−" not in s.formula:
            a, b = (Decimal(i["value"]) for i in s.inputs)
            assert s.text == str(round_half_up(a / b * 100, s.places))
        if s.kind == "amount" and s.value is not None:
            assert s.text == str(round_half_up(s.value, s.places))
    # words follow signs in the text too: a "减少" is never followed by a negative number
    assert "-" not in re.sub(r"【[^】]*】", "", d.text)
    sec2 = d.text[d.sections[1].start:d.sections[1].end]
    if "事业收入" not in fig.data["收入支出决算总表"]["收入"]:
        assert "事业收入" not in sec2


# the seed's own mistakes, each with the reason the draft differs
SEED_MISTAKES = {
    "14344.12": "收、支总计 must include 年初结转和结余 (总计 14351.53); the seed printed 本年收入合计",
    "11301.2": "财政拨款收、支总计 must include 年初财政拨款结转和结余 (总计 11308.61)",
    "97. 51": "10855.22 ÷ 11121.20 = 97.61%; the seed's 97.51% is a slip",
    "2023": "整体支出年末执行数 belongs to 2024, the year of the accounts",
    "467. 69": "社会保险经办机构 spent 467.89 in every table; the seed wrote 467.69",
}


def test_seed_sentences_the_pack_also_writes_agree_except_the_seeds_mistakes(sample_figures, sample_narrative):
    from narrator.check.checker import check_text

    r = check_text(sample_narrative, "narrative.txt", sample_figures, "standard")
    paired = [c for c in r.claims if c.source == "draft"]
    assert len(paired) >= 120  # most of the seed's numbers restate a sentence the pack writes
    differ = {sample_narrative[c.mention.start:c.mention.end] for c in paired if c.status != "confirmed"}
    assert differ == set(SEED_MISTAKES), differ


@pytest.mark.parametrize("pack", ["standard", "shanghai"])
def test_without_prior_year_figures_no_comparison_is_left_broken(sample_figures, pack):
    """Issue 17: with the prior year's figures missing the comparison is left out ("上年数缺失，
    未作比较"), never "与2023年度相比，收、支总计各【缺数：…】"; placeholders name figures in words."""
    data = json.loads(json.dumps(_plain(sample_figures.data)))
    data.pop("上年", None)
    d = render(figures_from_tree(data, "t", required=False), pack)
    sentences = re.split(r"[。；\n]", d.text)
    compare = re.compile(r"相比|比\d{4}年度|较上年|比上年")
    broken = [s for s in sentences if "【缺数" in s and compare.search(s)]
    assert not broken, broken
    assert "上年数缺失，未作比较" in d.text
    for ph in re.findall(r"【缺数：([^】]*)】", d.text):
        assert not re.search(r"\.\D", ph), ph      # no dotted path


@pytest.mark.parametrize("pack", ["standard", "shanghai"])
def test_text_and_markdown_have_no_caption_of_a_chart_they_do_not_draw(sample_figures, pack):
    from narrator.report.markdown import draft_markdown, draft_text

    d = render(sample_figures, pack)
    if not d.charts:
        pytest.skip("this pack draws no chart")
    assert re.search(r"图\d+：", d.text)                     # kept for docx, which draws the charts
    for out in (draft_text(d), draft_markdown(d)):
        assert not re.search(r"图\d+：", out)
        assert "\n\n\n" not in out
    r = subprocess.run([sys.executable, "-m", "narrator.cli", "generate", str(SAMPLE / "figures.yaml"), "-p", pack],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "一、" in r.stdout and not re.search(r"图\d+：", r.stdout)


_DOTTED = re.compile(r"[^\W\d_]\.[^\W_]|\d\.[^\W\d_]")   # 年初预算.科目.2080501, not 14351.53


def _removals(data: dict):
    """Every figure group of ``data`` removed in turn: each top-level key, and each key one level down."""
    for k, v in data.items():
        if k in ("单位", "年度"):
            continue
        yield (k,)
        if isinstance(v, dict):
            for k2 in v:
                yield (k, k2)


def _labels(tree) -> list[str]:
    out = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == "label" and isinstance(v, str):
                out.append(v)
            out.extend(_labels(v))
    elif isinstance(tree, list):
        for v in tree:
            out.extend(_labels(v))
    return out


@pytest.mark.parametrize("pack", ["standard", "shanghai"])
def test_no_internal_path_in_a_draft_or_its_json_with_figures_removed_one_at_a_time(sample_figures, pack):
    """Issue 17: whatever figure is missing, the draft's placeholders and its JSON labels name
    it in the tables' words (2080501 行政单位离退休的年初预算), never as 年初预算.科目.2080501."""
    base = json.loads(json.dumps(_plain(sample_figures.data)))
    seen_missing = 0
    for gone in _removals(base):
        data = json.loads(json.dumps(base))
        parent = data
        for k in gone[:-1]:
            parent = parent[k]
        del parent[gone[-1]]
        d = render(figures_from_tree(data, "t", required=False), pack)
        for ph in re.findall(r"【[^】]*】", d.text):
            assert not _DOTTED.search(ph), (gone, ph)
        labels = _labels(d.to_json())
        assert labels, gone
        for label in labels:
            assert not _DOTTED.search(label), (gone, label)
        seen_missing += sum(s.kind == "missing" for s in d.slots)
    assert seen_missing > 50   # the removals did leave figures missing
