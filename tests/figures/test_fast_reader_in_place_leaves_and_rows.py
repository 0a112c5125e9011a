"""Round 3 of the fast figures loading: the fast validator's in-place leaves and 编码-keyed 映射,
the reader's in-place split of `key: value` lines with keys met before (quoted ones too), and
rows built by width. Each is checked against the reference path it shortcuts: the reference
validator (same data, or the fast one steps aside) and libyaml (same tree, or the reader steps
aside)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.core.errors import InputError
from narrator.figures.model import _fast_figures, figures_from_tree
from narrator.figures.load import load_figures
from narrator.figures.loader_fast import read_subset
from narrator.core.yamlio import parse_yaml, parse_yaml_fast
from test_fast_reader_matches_reference import HEAD, assert_fast_matches_reference, check_against_libyaml, same

# -- the fast validator: leaves and the 映射 of 编码 keys ------------------------------------
_ANY = st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2), st.integers(-10**6, 10**6),
                 st.booleans(), st.none(), st.sampled_from(["", "12", " 12 ", "1.5", "abc", "元", "万元", "亿元",
                                                            "2024-12-31", "1,234.50"]),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.sampled_from(["a", "1"]), st.integers(),
                                                                      max_size=2))
_CODE_KEY = st.one_of(st.sampled_from(["2040101", "2040102", " 2040101", "2040101 ", "20401", "20a", "", "２０４"]),
                      st.integers(0, 3_000_000), st.booleans(), st.decimals(places=1, allow_nan=False,
                                                                             allow_infinity=False))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_CODE_KEY, _ANY, max_size=5), _ANY, _ANY, _ANY, _ANY)
def test_fast_validator_leaves_and_code_maps_equal_the_reference_or_step_aside(codes, count, unit, year, amount):
    tree = parse_yaml_fast(HEAD)
    tree["年初预算"] = {"科目": codes, "机关运行经费": amount}
    tree["三公经费说明"] = {"国内公务接待批次": count}
    tree["金额单位"] = unit
    tree["年度"] = year
    fast = _fast_figures(tree, "t.yaml")
    assert_fast_matches_reference(fast, tree)


def test_fast_validator_takes_the_usual_leaves_and_code_maps():
    tree = parse_yaml_fast(HEAD)
    tree["年初预算"] = {"科目": {"2040101": Decimal("1.50"), 2040102: Decimal("2")}}
    tree["三公经费说明"] = {"国内公务接待批次": 3}
    tree["金额单位"] = "元"
    fast = _fast_figures(tree, "t.yaml")
    assert fast is not None
    assert same(fast.data, figures_from_tree(tree, "t.yaml").data)
    assert same(fast.data["年初预算"]["科目"], {"2040101": Decimal("1.50"), "2040102": Decimal("2")})


# -- the reader: keys met before, quoted or plain, split in place ---------------------------
_KEY = st.sampled_from(['"2040101"', "'2040101'", '"a: b"', "'it''s'", "'a'''", '"x"', "单位", "a b", "1", "true",
                        "null", '"null"', "'a'", "a'b", 'a"b', '"a', "'a", "a#b", "-a", "x:", '"x":y', "'x' y"])
_VALUE = st.sampled_from(["", " 1.50", " -2.00", " 12", " x", ' "q"', " 1.50 # c", " 1.5.0", " a: b", " {a: 1}",
                          " [1, 2]", " ~", ":", ": :"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_KEY, _VALUE), min_size=1, max_size=6), st.booleans())
def test_key_lines_read_as_libyaml_reads_them_the_second_time_too(pairs, nested):
    """Every text is read twice: the second time its keys are known (the in-place split)."""
    lines = [f"{k}:{v}" for k, v in pairs]
    text = ("top:\n" + "".join("  " + line + "\n" for line in lines)) if nested else "".join(
        line + "\n" for line in lines)
    first = check_against_libyaml(text)
    second = check_against_libyaml(text)
    assert (first is None) == (second is None)
    if first is not None:
        assert same(first, second)


def test_quoted_keys_are_remembered_with_their_quotes():
    text = '"2040101": 1.50\n\'a\'\'\': 2.00\nb:\n  "c": x\n'
    for _ in range(2):
        assert same(check_against_libyaml(text), {"2040101": Decimal("1.50"), "a'": Decimal("2.00"),
                                                  "b": {"c": "x"}})
    # a quoted key with ": " inside is not mistaken for its first part
    assert same(check_against_libyaml('"a: b": 1\n"a: b: c": 2\n"a": 3\n'), {"a: b": 1, "a: b: c": 2, "a": 3})


# -- rows built by width (1, 2, 3 columns in place; more through update) ---------------------
_COLUMNS = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["204", "20401", "2040101", "2040102", "205"]),
                          st.integers(1, 5), st.decimals(-10**6, 10**6, places=2, allow_nan=False,
                                                         allow_infinity=False)), min_size=1, max_size=8))
def test_usual_rows_of_every_width_equal_the_reference(rows):
    body = "".join(
        f'    - {{科目编码: "{code}", 科目名称: 行政运行, '
        + ", ".join(f"{c}: {format(amount + i, 'f')}" for i, c in enumerate(_COLUMNS[:width])) + "}\n"
        for code, width, amount in rows)
    text = HEAD + "支出决算表:\n  科目:\n" + body
    tree = check_against_libyaml(text)
    assert tree is not None
    read = read_subset(text)
    table = tree["支出决算表"]["科目"]
    assert id(read[0]["支出决算表"]["科目"]) in read[1] and len(table) == len(rows)
    fast = _fast_figures(read[0], "t.yaml", read[1])
    try:
        ref = figures_from_tree(parse_yaml_fast(text), "t.yaml")
    except InputError:
        assert fast is None
    else:
        assert fast is not None and same(fast.data, ref.data)


def test_load_figures_keeps_exact_lines_after_the_fast_path(tmp_path):
    text = HEAD + '年初预算:\n  科目:\n    "2040101": 1.50\n    "2040102": 2.00\n'
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    fig = load_figures(path)
    ref = figures_from_tree(parse_yaml(text, str(path)), str(path))
    assert same(fig.data, ref.data)
    assert fig.line_of(("年初预算", "科目", "2040102")) == ref.line_of(("年初预算", "科目", "2040102")) == 11
