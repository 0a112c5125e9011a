"""core.limits' scans of every figures file give what their plain forms give (tests/oracles/limits.py).

``needs_shape_check`` tries its patterns once per line instead of at every character;
``figures_problem`` builds a path only for containers and figures out of bounds and decides
the usual figure from its string; ``number_problem`` reads the exponent from the string too.
The first problem found, its path and its message must be the same, on the bundled and
synthetic figures and on random trees, numbers and texts.
"""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from conftest import SAMPLE
from narrator.batch.synth import department
from narrator.core import limits
from narrator.figures.load import load_figures
from oracles import limits as plain


def test_bundled_and_synthetic_figures_are_within_bounds_both_ways():
    data = load_figures(SAMPLE / "figures.yaml").data
    assert limits.figures_problem(data) is None and plain.figures_problem(data) is None
    for seed in range(5):
        tree = department(seed)
        assert limits.figures_problem(tree) == plain.figures_problem(tree) is None
    text = (SAMPLE / "figures.yaml").read_text(encoding="utf-8")
    assert limits.needs_shape_check(text) == plain.needs_shape_check(text)


_DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(0, 12).flatmap(lambda p: st.decimals(allow_nan=False, allow_infinity=False, places=p)),
    st.builds(lambda i, e: Decimal(i).scaleb(e), st.integers(-10**30, 10**30), st.integers(-14, 14)),
    st.sampled_from([Decimal("1E-9"), Decimal("1.000000000"), Decimal("-0.00000000"), Decimal("0E-12"),
                     Decimal("1E+17"), Decimal("1E+18"), Decimal("999999999999999999.99999999"),
                     Decimal("0.00000001"), Decimal("-0E+5"), Decimal("sNaN"), Decimal("-Infinity")]),
)
_NUMBERS = st.one_of(_DECIMALS, st.integers(-10**20, 10**20), st.booleans())


@settings(max_examples=400, deadline=None)
@given(_NUMBERS)
def test_number_problem_equals_the_plain_rule(value):
    if isinstance(value, bool):
        return
    assert limits.number_problem(value) == plain.number_problem(value)


_KEYS = st.sampled_from(["年度", "合计", "科目", "a", "b", "收入"])
_LEAVES = st.one_of(_NUMBERS, st.text(max_size=3), st.none(), st.integers(1900, 2200))
_TREES = st.recursive(_LEAVES, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(_KEYS, kids, max_size=4)), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_TREES)
def test_figures_problem_finds_the_same_figure_first(tree):
    assert _outcome(limits.figures_problem, tree) == _outcome(plain.figures_problem, tree)


def _outcome(fn, tree):
    try:
        return fn(tree)
    except ArithmeticError as e:   # a 年度 of NaN: both walks stop at it the same way
        return type(e)


_PIECES = st.sampled_from(["[", "{", "[{", "\n", " ", "\t", "-", "- ", "&", "a: ", "x", " " * 31, " " * 32,
                           "- " * 16, "{" * 16, "[" * 17, "\n" + " " * 40])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_needs_shape_check_equals_the_one_pattern(text):
    assert limits.needs_shape_check(text) == plain.needs_shape_check(text)
