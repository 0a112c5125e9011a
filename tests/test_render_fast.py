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

from narrator import render as R
from narrator.figures import figures_from_tree
from narrator.render_jinja import FastEnvironment
from narrator.synth import department
from narrator.values import Q
from narrator.view import RowView, figures_view


def _draft_json(fig, pack, reference: bool) -> dict:
    if reference:
        p = R.load_pack(pack)
        env = R._make_environment(p.dirs, p.rules_dir, jinja2.Environment)
        saved = R._environment
        R._environment = lambda dirs, key: env
        try:
            return R.render(fig, pack).to_json()
        finally:
            R._environment = saved
    return R.render(fig, pack).to_json()


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), rows=st.integers(10, 80), pack=st.sampled_from(["standard", "shanghai"]))
def test_fast_environment_renders_like_jinja(seed, rows, pack):
    fig = figures_from_tree(department(seed, rows=rows))
    fast = _draft_json(fig, pack, reference=False)
    ref = _draft_json(fig, pack, reference=True)
    assert fast == ref


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

    from narrator.numbers import divide
    with localcontext() as ctx:
        ctx.prec = 34
        expected = Decimal(a) / Decimal(b)
    assert str(divide(Decimal(a), Decimal(b))) == str(expected)
