"""The fast figures reader (loader_fast.parse_subset) and the fast validator give exactly what
the reference readers give, or step aside; bad input still gets the reference's error."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from narrator.batch.synth import dump_figures_yaml, synth_many
from narrator.core.errors import InputError
from narrator.figures.model import _fast_figures, figures_from_tree
from narrator.figures.load import load_figures
from narrator.figures.loader_fast import parse_subset, read_subset
from narrator.core.yamlio import parse_yaml, parse_yaml_fast

REPO_YAML = sorted(p for d in ("samples", "tests", "rules") for p in (ROOT / d).rglob("*.y*ml"))


def same(a, b) -> bool:
    """Equal with the same types, key order, and Decimal text (Decimal("1.0") != Decimal("1"))."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(same(k1, k2) and same(v1, v2)
                                        for (k1, v1), (k2, v2) in zip(a.items(), b.items()))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Decimal):
        return str(a) == str(b)
    return a == b


def assert_fast_matches_reference(fast, tree) -> None:
    """``fast`` (the fast validator's Figures, or None when it stepped aside) against the
    reference validator on the same tree: equal data, or the reference rejects the tree too."""
    try:
        ref = figures_from_tree(tree, "t.yaml")
    except InputError:
        assert fast is None
    else:
        if fast is not None:
            assert same(fast.data, ref.data)


def assert_read_matches_reference(text: str) -> None:
    """A text libyaml reads: the subset reader plus the fast validator give the reference's figures
    (or step aside)."""
    if check_against_libyaml(text) is None:
        return
    tree, usual = read_subset(text)
    assert_fast_matches_reference(_fast_figures(tree, "t.yaml", usual), parse_yaml_fast(text))


def check_against_libyaml(text: str):
    """The subset reader either steps aside or agrees with the libyaml reader exactly."""
    fast = parse_subset(text)
    if fast is not None:
        ref = parse_yaml_fast(text)
        assert ref is not None, "subset accepted what libyaml rejects"
        assert same(fast, ref), (fast, ref)
    return fast


# -- random trees, dumped in several styles ------------------------------------------------
_ALPHABET = st.sampled_from(list("abcXYZ收入支出合计科目 0123456789.-+eE:#,{}[]&*!|>%@`'\"\\~?<=_（）：　\t"))
_WORDS = st.sampled_from(["true", "False", "TRUE", "yes", "no", "on", "null", "Null", "~", "NULL", "<<", "=",
                          "2024-12-31", "2024-1-2", "1_000", ".inf", "-.inf", ".nan", "0x1F", "0o17", "010",
                          "1:30", "1e5", "1.", ".5", "+7", "-0", "-12.50", "3042.92", "204", "2080106",
                          "公共安全支出", "a b", "- x", "a: b", "a #b", "a#b", "&a", "*a", "!x", "|", ">",
                          "'q'", '"q"', "it's", "{x}", "[x]", "", " ", "---", "..."])
_TEXT = st.one_of(_WORDS, st.text(_ALPHABET, min_size=0, max_size=8), st.text(max_size=4))
_NUMBER = st.one_of(st.integers(-10**6, 10**6).map(str),
                    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: format(d, "f")))
_SCALAR_TEXT = st.one_of(_TEXT, _NUMBER)
_KEY_TEXT = st.one_of(st.sampled_from(["单位", "年度", "科目编码", "科目名称", "本年收入合计", "合计", "1", "true",
                                       "null", "a b", "a:b", "键"]), st.text(_ALPHABET, min_size=1, max_size=6))


def _tree(depth: int):
    leaf_map = st.dictionaries(_KEY_TEXT, _SCALAR_TEXT, max_size=4)
    if depth == 0:
        return st.one_of(_SCALAR_TEXT, leaf_map, st.lists(_SCALAR_TEXT, max_size=3), st.lists(leaf_map, max_size=3))
    return st.one_of(_SCALAR_TEXT, st.dictionaries(_KEY_TEXT, _tree(depth - 1), max_size=4),
                     st.lists(_tree(depth - 1), max_size=3))


_STYLE = st.fixed_dictionaries({
    "quote": st.sampled_from(["none", "double", "single", "mixed"]),
    "indent": st.sampled_from([2, 4]),
    "indentless": st.booleans(),
    "comments": st.booleans(),
    "blank": st.booleans(),
    "space": st.sampled_from([" ", "  "]),
    "flow": st.booleans(),
    "compact": st.booleans(),
    "crlf": st.booleans(),
})


def _scalar(s: str, style, rnd) -> str:
    """Write raw text as a YAML scalar: plain as is (it may well not read back as text), or quoted."""
    q = style["quote"]
    if q == "mixed":
        q = rnd.choice(["none", "double", "single"])
    if q == "double":
        return '"' + s + '"'
    if q == "single":
        return "'" + s.replace("'", "''") + "'"
    return s


def _dump(tree: dict, style, rnd) -> str:
    out: list[str] = []
    sp = style["space"]

    def flow(v):
        if isinstance(v, dict):
            return "{" + ", ".join(f"{_scalar(k, style, rnd)}:{sp}{flow(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(flow(x) for x in v) + "]"
        return _scalar(v, style, rnd)

    def is_leafy(v):
        return all(not isinstance(x, (dict, list)) for x in (v.values() if isinstance(v, dict) else v))

    def emit(node, pad: str):
        step = " " * style["indent"]
        if isinstance(node, dict):
            for k, v in node.items():
                key = _scalar(k, style, rnd)
                if isinstance(v, (dict, list)) and v and not (style["flow"] and is_leafy(v)):
                    out.append(f"{pad}{key}:" + ("  # note" if style["comments"] else ""))
                    inner = pad if isinstance(v, list) and style["indentless"] else pad + step
                    emit(v, inner)
                else:
                    out.append(f"{pad}{key}:{sp}{flow(v)}" + (" # note" if style["comments"] else ""))
                if style["blank"]:
                    out.append("")
        else:
            for v in node:
                if isinstance(v, dict) and v and style["compact"] and not style["flow"]:
                    first = len(out)
                    emit(v, pad + "  ")
                    out[first] = pad + "- " + out[first][len(pad) + 2:]
                elif isinstance(v, (dict, list)) and v and not (style["flow"] and is_leafy(v)):
                    out.append(f"{pad}-")
                    emit(v, pad + step)
                else:
                    out.append(f"{pad}- {flow(v)}")
                if style["comments"]:
                    out.append(f"{pad}# between items")

    if style["comments"]:
        out.append("# header")
    emit(tree, "")
    return ("\r\n" if style["crlf"] else "\n").join(out) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEY_TEXT, _tree(2), min_size=1, max_size=5), _STYLE, st.randoms(use_true_random=False))
def test_random_trees_in_many_styles_read_as_libyaml_reads_them(tree, style, rnd):
    check_against_libyaml(_dump(tree, style, rnd))


_SAFE_TEXT = st.text(st.sampled_from(list("abcXYZ收入支出合计科目（）、0123456789")), min_size=1, max_size=6)
_SAFE_TREE = st.recursive(
    st.one_of(_SAFE_TEXT, st.integers(-10**9, 10**9), st.booleans(), st.none(),
              st.decimals(allow_nan=False, allow_infinity=False, places=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_SAFE_TEXT, inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_SAFE_TEXT, _SAFE_TREE, min_size=1, max_size=6))
def test_narrators_own_dumps_take_the_fast_path(tree):
    """What batch.synth.dump_figures_yaml writes is inside the subset (block lists of lists aside)."""
    text = dump_figures_yaml(tree, header="synthetic")
    fast = check_against_libyaml(text)

    def nested_block_list(v):
        if isinstance(v, dict):
            return any(nested_block_list(x) for x in v.values())
        if isinstance(v, list):
            return any(isinstance(x, (list, dict)) and (nested_block_list(x) or any(isinstance(y, (list, dict))
                       for y in (x.values() if isinstance(x, dict) else x))) for x in v)
        return False

    if not nested_block_list(tree):
        assert fast is not None, text


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Twenty synthetic departments as `narrator batch synth` writes them (10–200 rows)."""
    folder = tmp_path_factory.mktemp("synth")
    synth_many(folder, 20, seed=11, jobs=1)
    return sorted(folder.glob("*.yaml"))


@pytest.mark.parametrize("path", REPO_YAML, ids=str)
def test_every_yaml_file_here_reads_as_libyaml_reads_it(path):
    check_against_libyaml(path.read_text(encoding="utf-8").lstrip("\ufeff"))


@pytest.mark.parametrize("index", range(20))
def test_synthetic_departments_take_the_fast_path_with_the_same_figures(synthetic, index):
    path = synthetic[index]
    text = path.read_text(encoding="utf-8")
    check_against_libyaml(text)
    tree = parse_subset(text)
    assert tree is not None
    fast = _fast_figures(tree, str(path))
    ref = figures_from_tree(parse_yaml_fast(text), str(path))
    assert fast is not None and same(fast.data, ref.data)
    fig = load_figures(path)
    assert same(fig.data, ref.data)
    slow = figures_from_tree(parse_yaml(text, str(path)), str(path))
    assert fig.line_of(("收入决算表", "科目", 2)) == slow.line_of(("收入决算表", "科目", 2))


# -- outside the subset: step aside --------------------------------------------------------
OUTSIDE = {
    "anchor": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "block scalar": "a: |\n  text\n",
    "folded": "a: >-\n  text\n",
    "multi-line plain": "a: one\n  two\n",
    "multi-line quoted": 'a: "one\n  two"\n',
    "tab": "a:\t1\n",
    "tab indent": "a:\n\tb: 1\n",
    "duplicate key": "a: 1\na: 2\n",
    "duplicate flow key": "a: {b: 1, b: 2}\n",
    "duplicate as numbers": "1: x\n1.0: y\n",
    "nested flow": "a: {b: [1, 2]}\n",
    "flow over lines": "a: {b: 1,\n  c: 2}\n",
    "trailing comma": "a: {b: 1,}\n",
    "date": "a: 2024-12-31\n",
    "merge key": "a: {b: 1}\nc:\n  <<: {d: 2}\n",
    "escape": 'a: "x\\ty"\n',
    "document marker": "---\na: 1\n",
    "odd indentation": "a:\n    b: 1\n  c: 2\n",
    "top-level list": "- a\n- b\n",
    "top-level scalar": "just text\n",
    "empty": "# nothing\n",
    "indented top": "  a: 1\n",
    "complex key": "? a\n: 1\n",
    "nested sequence": "a:\n  - - 1\n",
    "item on next line": "a:\n  -\n    b: 1\n",
    "colon in flow": "a: {b: c:d}\n",
    "mapping in value": "a: b: c\n",
    "NEL": "a: x\x85y\n",
    "lone CR": "a: 1\rb: 2\n",
    "BOM inside": "a: \ufeffx\n",
    "long key": "k" * 1100 + ": 1\n",
    "huge int": "a: " + "9" * 5000 + "\n",
}


@pytest.mark.parametrize("name", OUTSIDE)
def test_yaml_outside_the_subset_falls_back(name):
    assert parse_subset(OUTSIDE[name]) is None


def test_inside_the_subset_examples():
    text = ("# c\nA: 1\nB: -2.50  # note\n'C''': \"x y\"\nD:\n- {k: \"204\", v: 1e3, w: ~, z: }\n- plain, text\n"
            "E:\n    - k: 1\n      j: [a, 2, true]\n    - {}\nF: []\nG:\n")
    tree = check_against_libyaml(text)
    assert tree is not None
    assert same(tree, {"A": 1, "B": Decimal("-2.50"), "C'": "x y",
                       "D": [{"k": "204", "v": Decimal("1e3"), "w": None, "z": None}, "plain, text"],
                       "E": [{"k": 1, "j": ["a", 2, True]}, {}], "F": [], "G": None})


# -- bad figures: the same one-line errors as the reference path ---------------------------
HEAD = "单位: 测试局\n年度: 2024\n收入支出决算总表:\n  收入:\n    本年收入合计: 1.00\n  支出:\n    本年支出合计: 1.00\n"
BAD = {
    "duplicate code": '收入决算表:\n  科目:\n    - {科目编码: "204", 本年收入合计: 1.00}\n    - {科目编码: "204", 本年收入合计: 2.00}\n',
    "no code": "收入决算表:\n  科目:\n    - {科目名称: x, 本年收入合计: 1.00}\n",
    "short code": '收入决算表:\n  科目:\n    - {科目编码: "2040", 本年收入合计: 1.00}\n',
    "letters in code": '收入决算表:\n  科目:\n    - {科目编码: "20a", 本年收入合计: 1.00}\n',
    "code as number": "收入决算表:\n  科目:\n    - {科目编码: 1.5, 本年收入合计: 1.00}\n",
    "unknown column": '收入决算表:\n  科目:\n    - {科目编码: "204", 本年收入合: 1.00}\n',
    "text amount": '收入决算表:\n  科目:\n    - {科目编码: "204", 本年收入合计: abc}\n',
    "bool amount": '收入决算表:\n  科目:\n    - {科目编码: "204", 本年收入合计: true}\n',
    "name not text": '收入决算表:\n  科目:\n    - {科目编码: "204", 科目名称: 12}\n',
    "row not a mapping": "收入决算表:\n  科目:\n    - 204\n",
    "rows not a list": "收入决算表:\n  科目: {a: 1}\n",
    "duplicate flow key": '收入决算表:\n  科目:\n    - {科目编码: "204", 科目编码: "205"}\n',
    "unknown key": "收入决算标:\n  科目: []\n",
    "given twice": "收入决算表:\n  合计: {本年收入合计: 1}\n  合计 : {本年收入合计: 2}\n",
    "bad year": "",
    "unknown total column": "收入决算表:\n  合计: {本年收入: 1}\n",
}


@pytest.mark.parametrize("name", BAD)
def test_bad_figures_keep_the_reference_error(name, tmp_path):
    text = HEAD + BAD[name]
    if name == "bad year":
        text = text.replace("年度: 2024", "年度: 二〇二四")
    path = tmp_path / "figures.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as ref:
        figures_from_tree(parse_yaml(text, str(path)), str(path))
    with pytest.raises(InputError) as got:
        load_figures(path)
    assert str(got.value) == str(ref.value)
    assert (got.value.line, got.value.file) == (ref.value.line, ref.value.file)


# -- the fast validator against the reference one, row by row ------------------------------
_CELL = st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2), st.integers(-99, 99), st.none(),
                  st.booleans(), st.sampled_from(["1,234.50", "abc", " 12 ", "", "1e3"]))
_CODE = st.one_of(st.sampled_from(["204", "20401", "2040101", " 204 ", "2040", "20a", "２０４", ""]),
                  st.integers(0, 3_000_000), st.booleans(), st.none(), st.decimals(places=1, allow_nan=False,
                                                                                      allow_infinity=False))
_COLUMN = st.sampled_from(["本年收入合计", "财政拨款收入", "其他收入", "本年收入合计 ", "(其他收入)", "本年收入", 7])
_ROW = st.one_of(st.fixed_dictionaries({"科目编码": _CODE}, optional={"科目名称": st.one_of(st.text(max_size=4),
                                                                                      st.integers(), st.none())})
                 .flatmap(lambda base: st.dictionaries(_COLUMN, _CELL, max_size=3).map(lambda c: {**base, **c})),
                 st.dictionaries(_COLUMN, _CELL, max_size=2), st.integers(), st.none())


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROW, max_size=4), st.one_of(st.none(), st.dictionaries(_COLUMN, _CELL, max_size=3), st.integers()))
def test_fast_validator_equals_the_reference_or_steps_aside(rows, total):
    tree = parse_yaml_fast(HEAD)
    table = {"科目": rows}
    if total is not None:
        table["合计"] = total
    tree["收入决算表"] = table
    fast = _fast_figures(tree, "t.yaml")
    assert_fast_matches_reference(fast, tree)


# -- the usual 科目 row, read by one expression per key layout -----------------------------
_GOOD_KEY = st.sampled_from(["本年收入合计", "财政拨款收入", "其他收入"])
_ODD_KEY = st.sampled_from(["本年收入", "(其他收入)", "本年收入合计 ", " 其他收入", "1", "true", "null", "科目编码",
                            "科目名称", "a b", "a:b", "a,b", "#x", "'q'", "项目支出", "合计"])
_GOOD_NAME = st.sampled_from(["事业运行", "行政运行", "其他支出（项目）", "a b"])
_ODD_NAME = st.one_of(st.sampled_from(["行政运行　", " 行政运行", "a, b", "x: y", "'q'", "null", "12", "true", "- x",
                                       "&a", "", "a #b", "a#b"]), st.text(_ALPHABET, min_size=1, max_size=5))
_GOOD_AMOUNT = st.decimals(-10**6, 10**6, places=2, allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f"))
_ODD_AMOUNT = st.one_of(_NUMBER, st.sampled_from(["0.00", "-0.00", "1.5", "12", "1e3", ".5", "1.", "", "x",
                                                  "1,234.50", "1.00, 2.00", "3.00: 4.00"]))
_GOOD_CODE = st.sampled_from(['"204"', '"20401"', '"2040101"', '"2040102"', '"205"', '"20501"', '"2050101"'])
_ODD_CODE = st.sampled_from(['"2040"', '"20a"', "204", '" 204"', "'204'", '"204", 科目编码: "205"'])


def _mostly(good, odd):
    """Nine in ten draws well-formed: the usual path is taken, and left by one odd cell."""
    return st.integers(0, 9).flatmap(lambda i: odd if i == 0 else good)


@st.composite
def _row_lines(draw):
    """Lines like `- {科目编码: "204", 科目名称: x, 本年收入合计: 1.00}`, mostly well-formed."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        cells = [("科目编码", draw(_mostly(_GOOD_CODE, _ODD_CODE)))]
        if draw(st.integers(0, 19)):
            cells.append(("科目名称", draw(_mostly(_GOOD_NAME, _ODD_NAME))))
        for key in draw(st.lists(_mostly(_GOOD_KEY, _ODD_KEY), max_size=4, unique=True)):
            cells.append((key, draw(_mostly(_GOOD_AMOUNT, _ODD_AMOUNT))))
        sep = draw(_mostly(st.just(": "), st.sampled_from([":  ", ":", ", "])))
        lines.append("- {" + ", ".join(k + sep + v for k, v in cells) + "}")
    return lines


@settings(max_examples=500, deadline=None)
@given(_row_lines(), st.sampled_from(["收入决算表", "一般公共预算财政拨款支出决算表", "键"]))
def test_usual_rows_read_as_libyaml_reads_them_and_validate_as_the_reference(lines, table):
    text = HEAD + f"{table}:\n  科目:\n" + "".join("    " + line + "\n" for line in lines)
    assert_read_matches_reference(text)


def test_usual_rows_are_taken_as_read():
    text = HEAD + ('收入决算表:\n  科目:\n    - {科目编码: "204", 科目名称: 公共安全支出, 本年收入合计: 1.00, 其他收入: 0.50}\n'
                   '    - {科目编码: "20401", 科目名称: 行政运行, 本年收入合计: 1.00}\n')
    tree, usual = read_subset(text)
    rows = tree["收入决算表"]["科目"]
    assert usual[id(rows)][0] is rows
    fig = _fast_figures(tree, "t.yaml", usual)
    assert same(fig.data["收入决算表"]["科目"], [
        {"科目编码": "204", "科目名称": "公共安全支出", "本年收入合计": Decimal("1.00"), "其他收入": Decimal("0.50")},
        {"科目编码": "20401", "科目名称": "行政运行", "本年收入合计": Decimal("1.00")}])
    # a row out of the usual form (here an int amount) leaves the whole list to the validator
    tree, usual = read_subset(text.replace("其他收入: 0.50", "其他收入: 1"))
    assert id(tree["收入决算表"]["科目"]) not in usual


@pytest.mark.parametrize("row", [
    '- {科目编码: "204", 科目名称: x, k, 1.00: j: 2.00}',      # separators out of step
    '- {科目编码: "204", 科目名称: x: y, 本年收入合计: 1.00}',
    '- {科目编码: "204", 科目名称: x, 本年收入合计: 1.00, 本年收入合计: 2.00}',
    '- {科目编码: "204", 科目名称: x, 本年收入合计: 1.00,}',
])
def test_odd_rows_leave_the_usual_path_and_keep_libyaml_results(row):
    check_against_libyaml(HEAD + "收入决算表:\n  科目:\n    " + row + "\n")
