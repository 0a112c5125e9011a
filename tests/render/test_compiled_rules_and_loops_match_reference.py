"""Round-4 render shortcuts give what the plain definitions give.

* Rule formulas compiled to Python functions (``metrics._Source``) compute what
  ``metrics._compile``'s closures compute: value, unit, label, path, operation, inputs,
  rule and precision of every Q, the reason of every Missing, the same errors - on random
  formulas over random arguments and over real figures.
* ``{% for %}`` bodies resolve the context's names once before the loop; random loop
  templates (names assigned after being read, nested loops, loops in macros, filters,
  ``else``) render as in Jinja.
"""

from __future__ import annotations

from decimal import Decimal

import jinja2
import pytest
from hypothesis import given, settings, strategies as st

from narrator.render import engine as R
from narrator.figures.model import figures_from_tree
from narrator.figures.metrics import RuleSet, load_rules
from narrator.render.engine_fast import FastEnvironment
from narrator.batch.synth import department
from narrator.core.values import Missing, Q
from narrator.figures.view import figures_view


# -- compiled rules ---------------------------------------------------------------------
def _shape(v, depth=0):
    """Everything a rule's result carries (inputs to a few levels), exactly."""
    if isinstance(v, Q):
        inputs = tuple(_shape(i, depth + 1) for i in v.inputs) if depth < 4 else len(v.inputs)
        return ("Q", str(v.value), v.unit, v.label, v.path, v.op, v.rule, v.places, inputs)
    if isinstance(v, Missing):
        return ("Missing", v.reason)
    return ("other", repr(v))


def _outcome(fn, *args):
    try:
        return _shape(fn(*args))
    except Exception as e:  # noqa: BLE001 - the error is the outcome compared
        return ("error", type(e).__name__)


_PARAMS = ("甲", "乙", "丙")
_FIGURES = ["收入支出决算总表.收入.总计", "上年.收入支出决算总表.收入.总计", "收支总计", "本年支出合计",
            "一般公共预算财政拨款支出决算表.合计.合计", "不存在的数", "年初预算.科目"]


def _formulas(names: list[str]):
    leaf = st.sampled_from(names) | st.sampled_from(["100", "0", "2.5", "1"])

    def grow(inner):
        binop = st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})")
        unary = inner.map(lambda x: f"-{x}") | inner.map(lambda x: f"+{x}")
        calls = st.tuples(st.sampled_from(["求和", "取其一", "绝对值", "变动额", "占比", "差额"]),
                          st.lists(inner, min_size=1, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})")
        return binop | unary | calls

    tree = st.recursive(leaf, grow, max_leaves=6)
    # the top-level "x * 100" of a percentage is the % sign
    return tree | tree.map(lambda x: f"{x} * 100")


_values = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-1000, max_value=1000).map(
        lambda d: Q(d, "金额", "额", ("a", "b"))),
    st.just(Q(Decimal(0), "金额", "零", ("z",))),
    st.just(Q(Decimal("12.5"), "%", "", None, "{0} ÷ {1}", ())),
    st.just(Q(Decimal(3), "数值", "3")),
    st.just(Missing("缺")), st.none(), st.integers(-3, 3), st.just(Decimal("1.5")))


def _rule_sets(functions: dict, metrics: dict) -> tuple[RuleSet, RuleSet]:
    shipped = load_rules(None)
    data = {"格式": shipped.places_by_unit,
            "函数": {**shipped.functions_spec, **functions},
            "指标": {**shipped.metrics_spec, **metrics}}
    return RuleSet(data), RuleSet(data, compiled=False)


@settings(max_examples=300, deadline=None)
@given(formula=_formulas(list(_PARAMS)), unit=st.sampled_from(["金额", "%", "个百分点", "数值"]),
       places=st.sampled_from([None, 1]), args=st.lists(_values, min_size=3, max_size=3))
def test_compiled_rule_functions_compute_like_closures(formula, unit, places, args):
    spec = {"参数": list(_PARAMS), "公式": formula, "单位": unit}
    if places is not None:
        spec["精度"] = places
    fast, ref = _rule_sets({"试算": spec}, {})
    rule = fast.functions["试算"]
    assert rule.run is not None and ref.functions["试算"].run is None
    assert _outcome(fast.call, "试算", *args) == _outcome(ref.call, "试算", *args)
    assert _outcome(rule.fn, (tuple(args), None)) == _outcome(ref.functions["试算"].fn, (tuple(args), None))


_VIEW = figures_view(figures_from_tree(department(7, rows=30)))


@settings(max_examples=300, deadline=None)
@given(formula=_formulas(_FIGURES), unit=st.sampled_from(["金额", "%"]))
def test_compiled_metrics_compute_like_closures(formula, unit):
    fast, ref = _rule_sets({}, {"试算指标": {"公式": formula, "单位": unit}})
    got = _outcome(fast.metric, "试算指标", _VIEW)
    assert got == _outcome(ref.metric, "试算指标", _VIEW)


def test_compiled_rules_reject_what_closures_reject():
    for formula in ["未知函数(1)", "甲 ** 2", "甲[乙]", "'x' + 1"]:
        outcomes = []
        for compiled in (True, False):
            try:
                RuleSet({"函数": {"f": {"参数": ["甲", "乙"], "公式": formula}}}, compiled=compiled)
                outcomes.append(None)
            except Exception as e:  # noqa: BLE001 - the error is the outcome compared
                outcomes.append((type(e), str(e)))
        assert outcomes[0] == outcomes[1] and outcomes[0] is not None, formula


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10**6), rows=st.integers(10, 80), pack=st.sampled_from(["standard", "shanghai"]))
def test_drafts_with_compiled_rules_equal_drafts_with_closures(seed, rows, pack):
    fig = figures_from_tree(department(seed, rows=rows))
    fast = R.render(fig, pack).to_json()
    p = R.load_pack(pack)
    shipped = load_rules(p.rules_dir)
    ref_rules = RuleSet({"格式": shipped.places_by_unit, "函数": shipped.functions_spec,
                         "指标": shipped.metrics_spec}, compiled=False)
    env = R._make_environment(p.dirs, p.rules_dir, FastEnvironment)
    for name in ref_rules.functions:
        env.globals[name] = R._rule_function(ref_rules, name)
    env.register_plain(*(env.globals[name] for name in ref_rules.functions))
    saved = R._environment, R.load_rules
    R._environment = lambda dirs, key: env
    R.load_rules = lambda key=None: ref_rules
    try:
        assert R.render(fig, pack).to_json() == fast
    finally:
        R._environment, R.load_rules = saved


# -- loop bodies resolving names once ------------------------------------------------------
_LOOP_TEMPLATES = [
    # globals and render variables read in the body and in the loop's filter
    "{% for x in xs if f(x) %}{{ loop.index }}{{ f(x) }}{{ g }}{{ d.k }}{% endfor %}",
    # a name assigned after it is read: each iteration reads the context's value first
    "{% for x in xs %}[{{ g }}]{% set g = x %}({{ g }}){% endfor %}{{ g }}",
    "{% for x in xs %}{% if x > 1 %}{% set g = x %}{% endif %}{{ g }}{% endfor %}",
    # nested loops, a loop in a macro, in a call block, in a with block, with an else
    "{% for x in xs %}{% for y in xs %}{{ f(y) }}{{ g }}{% endfor %}{{ x }}{% endfor %}",
    "{% macro m(a) %}{% for x in xs %}{{ f(a) }}{{ g }}{{ x }}{% endfor %}{% endmacro %}{{ m(1) }}{{ m(2) }}",
    "{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}{% for x in xs %}{{ g }}{% endfor %}{% endcall %}",
    "{% with g = 5 %}{% for x in xs %}{{ g }}{{ h }}{% endfor %}{% endwith %}",
    "{% for x in [] %}{{ g }}{% else %}{{ g }}{{ h }}{% endfor %}",
    "{% for x in xs recursive %}{{ g }}{% if x is number and x < 2 %}{{ loop([x + 1]) }}{% endif %}{% endfor %}",
    # top-level assignments before and after the loop, a namespace changed in the loop
    "{% set g = 7 %}{% for x in xs %}{{ g }}{{ h }}{% endfor %}{% set h = 8 %}{{ h }}",
    "{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + f(x) %}{{ ns.n }}{% endfor %}",
    # an undefined name read in a loop
    "{% for x in xs %}{{ nothing is defined }}{{ g }}{% endfor %}",
    "{% for x in xs %}{{ nothing }}{% endfor %}",
]


@settings(max_examples=60, deadline=None)
@given(src=st.sampled_from(_LOOP_TEMPLATES), xs=st.lists(st.integers(0, 3), max_size=4),
       undefined=st.sampled_from([jinja2.Undefined, jinja2.StrictUndefined]))
def test_loops_resolving_names_once_render_like_jinja(src, xs, undefined):
    def f(x):
        return x + 1

    env_vars = dict(xs=xs, f=f, g="G", h="H", d={"k": "K"})
    outs = []
    for env_class in (FastEnvironment, jinja2.Environment):
        env = env_class(undefined=undefined)
        if isinstance(env, FastEnvironment):
            env.register_plain(f)
        try:
            outs.append(env.from_string(src).render(env_vars))
        except Exception as e:  # noqa: BLE001 - the error is the outcome compared
            outs.append((type(e), str(e)))
    assert outs[0] == outs[1]


def test_loop_names_are_resolved_before_the_loop():
    env = FastEnvironment()
    code = env.compile("{% for x in xs %}{{ g }}{% set h = x %}{{ h }}{% endfor %}", raw=True)
    before, body = code.split("for l_1_x in", 1)
    assert "resolve('g')" in before and "resolve('g')" not in body
    assert "resolve('h')" not in before  # assigned in the body: Jinja's own handling


# -- ~ concatenation --------------------------------------------------------------------
class _Marked:
    def __str__(self):
        return jinja2.utils.markupsafe.Markup("<b>")


_CONCATS = [
    "{{ a ~ b ~ c }}", "{{ 'x%sy' ~ a ~ '%' }}", "{{ (a ~ b)|length }}", "{{ t ~ n ~ q ~ d }}",
    "{{ m ~ '&' ~ s }}", "{% autoescape true %}{{ m ~ '&' ~ s }}{{ a ~ b }}{% endautoescape %}",
    "{% for x in [a, t, m] %}{{ x ~ loop.index ~ u }}{% endfor %}", "{{ a ~ undefined_name }}",
]


@pytest.mark.parametrize("src", _CONCATS)
@pytest.mark.parametrize("undefined", [jinja2.Undefined, jinja2.StrictUndefined])
def test_concatenation_like_jinja(src, undefined):
    env_vars = dict(a="科目说明.", b=2010101, c=None, t=(1, "2"), n=Decimal("1E+2"),
                    q=Q(Decimal("3.50"), "金额", "q"), d=Decimal("0.00000001"),
                    m=jinja2.utils.markupsafe.Markup("<i>"), s=_Marked(), u=jinja2.Undefined())
    outs = []
    for env_class in (FastEnvironment, jinja2.Environment):
        try:
            outs.append(env_class(undefined=undefined).from_string(src).render(env_vars))
        except Exception as e:  # noqa: BLE001 - the error is the outcome compared
            outs.append((type(e), str(e)))
    assert outs[0] == outs[1]
    assert type(outs[0]) is type(outs[1])


# -- schema lookups ---------------------------------------------------------------------
def _schema_nodes():
    from narrator.figures.model import schema
    seen, todo = [], [schema()]
    while todo:
        node = todo.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        todo.extend(node.children.values())
        todo.extend((node.value, node.item, node.any_key))
    return seen


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["2010101", "科目", "合计", "（一）", "收入", "上年", "项目名称", " 合 计 "])
       | st.text(max_size=6))
def test_child_node_shortcuts_give_the_uncached_answer(key):
    from narrator.figures.view import _child_node, _child_node_uncached
    for node in _schema_nodes():
        assert _child_node(node, key) == _child_node_uncached(node, key)


@pytest.mark.parametrize("pack", ["standard", "shanghai"])
def test_a_render_leaves_its_figure_views_to_reference_counting_not_to_the_collector(pack):
    """The views, values and rows of a department are freed when the render returns: a render
    leaves only its few template contexts and macros in reference cycles (it left ~1,000 objects
    per department, all the collector's work, while rows referred to their table)."""
    import gc

    fig = figures_from_tree(department(11, rows=120), "<t>")
    R.render(fig, pack)  # templates compiled, caches warm
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        draft = R.render(fig, pack)
        gc.collect()
        left = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert draft.text
    from narrator.figures.view import RowView, TableView, View

    assert not [x for x in left if isinstance(x, (View, RowView, TableView, Q, Missing))]
    assert len(left) < 100
