"""Round 4 of the fast figures loading: usual 科目 rows are read while the text is split into
lines (runs of them stand in the list of lines as their first line), and the check for
characters libyaml rejects covers only the other lines, the row expressions admitting none.
Each is checked against libyaml (same tree, or the reader steps aside) and the reference
validator (same figures, or the fast one steps aside)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.figures.model import _fast_figures, figures_from_tree
from narrator.figures.loader_fast import _BAD_CHARS, parse_subset, read_subset
from narrator.core.yamlio import parse_yaml_fast
from test_fast_reader_matches_reference import HEAD, assert_fast_matches_reference, assert_read_matches_reference, check_against_libyaml, same


def test_a_row_name_with_any_character_reads_as_libyaml_reads_it():
    """Row lines skip the whole-text check for characters libyaml rejects: the name check
    makes it (every character up to U+0180, and the edges of the ranges above)."""
    chars = [*range(0x180), *range(0x2000, 0x2030), 0x3000, 0x4e00, 0xd7ff, 0xd800, 0xdfff, 0xe000, 0xfefe,
             0xfeff, 0xff00, 0xfffd, 0xfffe, 0xffff, 0x10000, 0x10ffff]
    for cp in chars:
        ch = chr(cp)
        text = HEAD + f'收入决算表:\n  科目:\n    - {{科目编码: "204", 科目名称: 行{ch}政, 本年收入合计: 1.00}}\n'
        read = check_against_libyaml(text)
        if _BAD_CHARS.match(ch):
            assert read is None, hex(cp)
        elif ch not in "\n,:{}[]#'\"":
            assert read is not None and read["收入决算表"]["科目"][0]["科目名称"] == f"行{ch}政", hex(cp)


@pytest.mark.parametrize("bad", ["\x85", "\u2028", "\ufeff", "\x7f", "\t", "\r", "\x00", "\ud800", "\ufffe"])
@pytest.mark.parametrize("where", ["name", "key", "comment", "other line"])
def test_characters_libyaml_rejects_make_the_reader_step_aside(bad, where):
    name, key, tail, other = "行政运行", "本年收入合计", "", "年度: 2024"
    if where == "name":
        name = "行政" + bad + "运行"
    elif where == "key":
        key = "本年" + bad + "收入合计"
    elif where == "comment":
        tail = "\n    # note " + bad + " x"
    else:
        other = "年度: 20" + bad + "24"
    text = (f"{other}\n收入决算表:\n  科目:\n"
            f'    - {{科目编码: "204", 科目名称: {name}, {key}: 1.00}}\n'
            f'    - {{科目编码: "20401", 科目名称: x, {key}: 1.00}}{tail}\n')
    assert parse_subset(text) is None
    assert parse_subset(text.replace(bad, "")) is not None


_GOOD_ROW = st.builds(
    lambda code, name, cells: f'- {{科目编码: "{code}", 科目名称: {name}'
    + "".join(f", {k}: {v}" for k, v in cells) + "}",
    st.sampled_from(["204", "20401", "2040101", "2040102", "205", "20501", "2050101"]),
    st.sampled_from(["事业运行", "行政运行", "其他支出（项目）", "a b", "x "]),
    st.lists(st.tuples(st.sampled_from(["本年收入合计", "财政拨款收入", "其他收入"]),
                       st.sampled_from(["1.00", "-2.50", "0.00", "123456.78"])),
             max_size=3, unique_by=lambda c: c[0]))
_ODD_LINE = st.sampled_from([
    "# a comment", "", "   ", '- {科目编码: "204", 科目名称: x, 本年收入合计: 1}', "- 204",
    '- {科目编码: 204, 科目名称: x, 本年收入合计: 1.00}', '- {科目编码: "204", 科目名称: x, 本年收入合计: 1.00} # c',
    '- {科目编码: "204", 科目名称: null, 本年收入合计: 1.00}', "  more: 1", "other: 1", "- a: 1",
    '- {科目编码: "204", 科目名称: x, 其他收入: 1.00, 其他收入: 2.00}', "---"])


@st.composite
def _rows_text(draw):
    """A 科目 list of usual rows with odd lines, indentation steps and trailing spaces mixed in."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        pad = draw(st.sampled_from(["    ", "    ", "    ", "  ", "      "]))
        line = draw(st.one_of(_GOOD_ROW, _GOOD_ROW, _ODD_LINE))
        trail = draw(st.sampled_from(["", "", " ", "  "]))
        lines.append(pad + line + trail if line.strip() else line)
    return HEAD + "收入决算表:\n  科目:\n" + "".join(line + "\n" for line in lines) + draw(
        st.sampled_from(["", "支出决算表:\n  科目: []\n", "  合计: {本年收入合计: 1.00}\n"]))


@settings(max_examples=600, deadline=None)
@given(_rows_text())
def test_runs_of_rows_read_as_libyaml_reads_them_and_validate_as_the_reference(text):
    assert_read_matches_reference(text)


def test_runs_split_by_comments_and_layouts_make_one_list_of_usual_rows():
    text = HEAD + ('收入决算表:\n  科目:\n'
                   '    - {科目编码: "204", 科目名称: 公共安全支出, 本年收入合计: 1.00, 其他收入: 0.50}  \n'
                   '    - {科目编码: "20401", 科目名称: 行政运行, 本年收入合计: 1.00}\n'
                   '    # between\n\n'
                   '    - {科目编码: "2040101", 科目名称: 行政运行, 财政拨款收入: 2.00, 本年收入合计: 1.00}\n'
                   '    - {科目编码: "2040102", 科目名称: 事业运行, 本年收入合计: 1.00}\n'
                   '  合计: {本年收入合计: 1.00}\n')
    tree = check_against_libyaml(text)
    tree, usual = read_subset(text)
    rows = tree["收入决算表"]["科目"]
    assert [r["科目编码"] for r in rows] == ["204", "20401", "2040101", "2040102"]
    assert usual[id(rows)][1] == {("本年收入合计", "其他收入"), ("本年收入合计",), ("财政拨款收入", "本年收入合计")}
    # one row outside the usual form leaves the list to the validator, and the rest is read the same
    odd = text.replace('"2040101", 科目名称: 行政运行', '"2040101", 科目名称: "行政运行"')
    tree2, usual2 = read_subset(odd)
    assert id(tree2["收入决算表"]["科目"]) not in usual2
    assert same(tree2, check_against_libyaml(odd))


@pytest.mark.parametrize("text", [
    # a run where a mapping's keys are expected, or more indented than its list
    HEAD + '收入决算表:\n  科目: []\n  - {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}\n',
    HEAD + '收入决算表:\n  - {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}\n',
    HEAD + '收入决算表:\n  科目:\n    - x\n      - {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}\n',
    HEAD + '收入决算表:\n  科目:\n    - {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}\n      more: 1\n',
    '- {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}\n',
    '  - {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}\n',
])
def test_runs_out_of_place_keep_libyaml_results(text):
    check_against_libyaml(text)


# -- the fast validator: lists, int amounts and 合计 columns in place -------------------------
_CELL = st.one_of(st.integers(-10**6, 10**6), st.decimals(allow_nan=False, allow_infinity=False, places=2),
                  st.none(), st.booleans(), st.sampled_from(["81", "x", " 1.5 ", ""]))
_TOTAL_KEY = st.sampled_from(["本年收入合计", "财政拨款收入", "其他收入", "（其他收入）", "科目编码", "科目名称", "本年收入", 7])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.fixed_dictionaries({"项目名称": st.sampled_from(["a", "b"]), "预算数": _CELL, "执行数": _CELL,
                                                 "自评得分": _CELL}), _CELL), max_size=3),
       st.dictionaries(_TOTAL_KEY, _CELL, max_size=3), _CELL)
def test_fast_validator_lists_int_amounts_and_totals_equal_the_reference_or_step_aside(projects, total, score):
    tree = parse_yaml_fast(HEAD)
    tree["预算绩效"] = {"项目自评": {"项目数": 1, "项目": projects}, "整体支出": {"预算数": score}}
    tree["收入决算表"] = {"合计": total, "科目": []}
    fast = _fast_figures(tree, "t.yaml")
    assert_fast_matches_reference(fast, tree)


def test_fast_validator_takes_int_scores_and_totals():
    tree = parse_yaml_fast(HEAD + "预算绩效:\n  项目自评:\n    项目:\n      - {项目名称: a, 预算数: 1.00, 执行数: 1.00, 自评得分: 81}\n"
                                  "收入决算表:\n  合计: {本年收入合计: 1.00, 其他收入: 2}\n")
    fast = _fast_figures(tree, "t.yaml")
    assert fast is not None and same(fast.data, figures_from_tree(tree, "t.yaml").data)
