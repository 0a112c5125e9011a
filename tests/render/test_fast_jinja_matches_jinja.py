"""The faster rendering paths give exactly what the reference paths give.

``FastEnvironment`` shortcuts Jinja's attribute lookup and call dispatch; the reference is
Jinja's own ``Environment`` with the same loader, filters and globals. Both render random
synthetic departments in both shipped packs; the drafts must agree to the last slot
(text, spans, values, formulas and inputs).
"""

from __future__ import annotations

from decimal import Decimal

import jinja2
import pytest
from hypothesis import given, settings, strategies as st

from narrator.render import engine as R
from narrator.figures.model import figures_from_tree
from narrator.render.engine_fast import FastEnvironment
from narrator.batch.synth import department
from narrator.core.values import Q
from narrator.figures.view import RowView, figures_view


def _draft_json(fig, pack, reference: bool) -> dict:
    if reference:
        p = R.load_pack(pack)
        env = R._make_environment(p.dirs, p.rules_dir, jinja2.Environment)
        saved = R._environment, R._render_section
        R._environment = lambda dirs, key: env
        # Jinja's own per-section render: variables merged and macro modules built each time
        R._render_section = lambda env, tmpl, shared: tmpl.render(dict(shared))
        try:
            return R.render(fig, pack).to_json()
        finally:
            R._environment, R._render_section = saved
    return R.render(fig, pack).to_json()


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), rows=st.integers(10, 80), pack=st.sampled_from(["standard", "shanghai"]))
def test_fast_environment_renders_like_jinja(seed, rows, pack):
    fig = figures_from_tree(department(seed, rows=rows))
    fast = _draft_json(fig, pack, reference=False)
    ref = _draft_json(fig, pack, reference=True)
    assert fast == ref


def test_macro_module_with_changeable_state_is_not_shared(tmp_path):
    """A user's macros.j2 whose macro counts its calls in a namespace(): each section's import
    starts from zero, as in Jinja, so such a module must not be reused across sections."""
    from narrator.core.resources import templates_dir
    shipped = (templates_dir() / "_common" / "macros.j2").read_text(encoding="utf-8")
    (tmp_path / "macros.j2").write_text(shipped + (
        '{% set 计数 = namespace(n=0) %}\n'
        '{% macro 原因(键) -%}{% set 计数.n = 计数.n + 1 %}第{{ 计数.n }}条{{ 说明(键, "主要原因") }}'
        '{%- endmacro %}\n'), encoding="utf-8")
    fig = figures_from_tree(department(11, rows=20))
    fast = _draft_json(fig, str(tmp_path), reference=False)
    assert fast == _draft_json(fig, str(tmp_path), reference=True)
    # the count restarts in every section that gives reasons
    assert sum(s["text"].count("主要原因是第1条") for sec in fast["sections"] for s in sec["sentences"]) > 1


def test_macro_module_is_built_once_per_render():
    fig = figures_from_tree(department(5, rows=15))
    p = R.load_pack("shanghai")
    env = R._environment(p.dirs, p.rules_dir)
    built = []
    import narrator.render.engine_fast as RJ
    saved = RJ.TemplateModule
    RJ.TemplateModule = lambda tmpl, ctx: (built.append(tmpl.name), saved(tmpl, ctx))[1]
    try:
        R.render(fig, p)
    finally:
        RJ.TemplateModule = saved
    # 19 imports in 11 sections: macros.j2 once for the sections, once for _上海句式 (which
    # sees the sections' ``m`` as well), _上海句式 once
    assert sorted(built) == ["_上海句式.j2", "macros.j2", "macros.j2"]
    assert env.template_class is RJ.FastTemplate


def test_shipped_environment_is_the_fast_one():
    p = R.load_pack("standard")
    assert isinstance(R._environment(p.dirs, p.rules_dir), FastEnvironment)


def test_fast_getattr_keeps_view_methods_and_private_names():
    fig = figures_from_tree(department(7, rows=20))
    view = figures_view(fig)
    env = R._environment(R.load_pack("standard").dirs, None)
    table = env.getattr(view, "一般公共预算财政拨款支出决算表")
    # a real method is still the method, not a figure named "rows"
    assert env.getattr(table, "rows")() == table.rows()
    row = env.getattr(table, "项级")[0]
    assert isinstance(row, RowView)
    total = env.getattr(row, "合计")
    assert isinstance(total, Q) and total is env.getattr(row, "合计")
    # private names take Jinja's path: not an attribute, so the item (a Missing figure)
    assert not env.getattr(view, "_no_such_thing")


def test_fast_call_passes_context_to_marked_callables():
    env = FastEnvironment()

    @jinja2.pass_context
    def who(ctx, x):
        return f"{ctx['name']}:{x}"

    def plain(x, y=1):
        return x + y

    env.register_plain(who, plain)
    assert who not in env.plain_callables
    out = env.from_string("{{ who(1) }} {{ plain(1, y=2) }}{% for i in [1] %}{{ plain(i) }}{% endfor %}").render(
        name="n", who=who, plain=plain)
    assert out == "n:1 32"


@pytest.mark.parametrize("a,b", [("1", "3"), ("-2.50", "7"), ("123456.78", "0.03")])
def test_division_keeps_34_digits(a, b):
    from decimal import localcontext

    from narrator.core.numbers import divide
    with localcontext() as ctx:
        ctx.prec = 34
        expected = Decimal(a) / Decimal(b)
    assert str(divide(Decimal(a), Decimal(b))) == str(expected)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10**6), rows=st.integers(10, 60))
def test_rule_functions_remembering_the_last_call_render_like_plain_calls(seed, rows):
    """A rule global returns its last result again for the very same argument objects;
    calling the rule every time gives the same draft."""
    fig = figures_from_tree(department(seed, rows=rows))
    p = R.load_pack("standard")
    fast = R.render(fig, p).to_json()
    rules = R.load_rules(p.rules_dir)
    env = R._make_environment(p.dirs, p.rules_dir, FastEnvironment)
    for name in rules.functions:
        env.globals[name] = (lambda name: lambda *args: rules.call(name, *args))(name)
    saved = R._environment
    R._environment = lambda dirs, key: env
    try:
        assert R.render(fig, p).to_json() == fast
    finally:
        R._environment = saved
    # the same arguments again: the same result; other arguments: worked out anew
    rate = R._rule_function(rules, "完成率")
    a, b = Q(Decimal("3"), "金额", "a"), Q(Decimal("4"), "金额", "b")
    first = rate(a, b)
    assert rate(a, b) is first and first.value == 75
    assert rate(b, a) is not first and rate(Q(Decimal("3"), "金额", "a"), b) is not first


def test_fast_calls_compile_like_jinja_calls():
    """Calls of every shape (our plain functions, pass_context ones, macros, caller blocks,
    *args/**kwargs, keyword names that are Python keywords, methods) give Jinja's output."""
    src = (
        "{% macro box(x, y=2) %}[{{ x }}|{{ y }}{% if caller %}{{ caller() }}{% endif %}]{% endmacro %}"
        "{{ plain(1) }} {{ plain(1, y=5) }} {{ who(2) }} {{ box(1) }} {{ box(1, y=3) }}"
        "{% call box(7) %}c{{ plain(2) }}{% endcall %}"
        "{% for i in [1, 2] %}{{ plain(i) }}{{ who(i) }}{{ box(i) }}{{ plain(*[i]) }}"
        "{{ plain(i, **{'y': 3}) }}{{ kw(class=i) }}{{ plain(plain(i), y=plain(i)) }}{% endfor %}"
        "{{ d.get('a') }}{{ 'abc'.upper() }}{{ range(3)|list }}{{ missing_thing is defined }}"
    )

    @jinja2.pass_context
    def who(ctx, x):
        return f"{ctx['name']}:{x}"

    def plain(x, y=1):
        return x + y

    def kw(**k):
        return sorted(k.items())

    env_vars = dict(name="n", who=who, plain=plain, kw=kw, d={"a": 1})
    fast = FastEnvironment()
    fast.register_plain(who, plain, kw)
    out = fast.from_string(src).render(env_vars)
    assert out == jinja2.Environment().from_string(src).render(env_vars)
    assert "n:2" in out and "[7|2c3]" in out and "_c := " in fast.compile(src, raw=True)
    strict = FastEnvironment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        strict.from_string("{{ nothing(1) }}").render()
