"""Derived numbers as data: rules/metrics.yaml names every share, rate, difference and sum.

A rule is a name, an expression over figures (official names) or over parameters, a
unit and the precision it is printed at. Templates call them: ``指标.收支总计变动额`` or
``占比(部分, 整体)``. The result is a ``Q`` whose inputs explain it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Callable

from . import expr as E
from .errors import InputError
from .resources import rules_dir
from .values import Missing, Q, is_missing
from .yamlio import load_rule_file


@dataclass(frozen=True)
class Rule:
    name: str
    params: tuple[str, ...]
    formula: str
    unit: str
    places: int | None
    doc: str
    fn: Callable
    # fn's Q results are made by fn itself (its formula is an operation, not a bare
    # parameter or a function that may hand back an input): _finish may complete them in place
    fresh: bool = False


def _compile(node: ast.expr, params: tuple[str, ...], rules: "RuleSet", unit: str, top: bool = False):
    """Compile an expression node into ``f(env) -> Q | Missing``; env = (args, view)."""
    path = E.dotted(node)
    if path is not None:
        head, rest = path[0], path[1:]
        if head in params:
            i = params.index(head)
            if not rest:  # the usual case: a bare parameter
                return lambda env, i=i: env[0][i]

            def get_param(env, i=i, rest=rest):
                v = env[0][i]
                for r in rest:
                    v = v[r]
                return v
            return get_param

        def get_fig(env, head=head, rest=rest):
            args, view = env
            if not rest and head in rules.metrics:
                return rules.metric(head, view)
            v = view[head]
            for r in rest:
                v = v[r]
            return v
        return get_fig
    if isinstance(node, ast.Constant):
        c = E.constant(node)
        q = Q(c, "数值", str(node.value))
        return lambda env, q=q: q
    if isinstance(node, ast.UnaryOp):
        f = _compile(node.operand, params, rules, unit)
        if isinstance(node.op, ast.USub):
            return lambda env: -f(env)
        return f
    if isinstance(node, ast.BinOp):
        lf = _compile(node.left, params, rules, unit)
        rf = _compile(node.right, params, rules, unit)
        # "x * 100" at the top of a percentage: the ×100 is the % sign, not an input
        if (top and unit in ("%", "个百分点") and isinstance(node.op, ast.Mult)
                and isinstance(node.right, ast.Constant) and node.right.value == 100):
            def pct(env):
                a = lf(env)
                if is_missing(a):
                    return a
                return Q(a.value * 100, "%", "", None, a.op, a.inputs)
            return pct
        op = {ast.Add: Q.__add__, ast.Sub: Q.__sub__, ast.Mult: Q.__mul__, ast.Div: Q.__truediv__}[type(node.op)]

        def binop(env, lf=lf, rf=rf, op=op):
            a, b = lf(env), rf(env)
            if a is None or isinstance(a, Missing):  # is_missing, inlined: rules run per 科目 row
                return a
            if b is None or isinstance(b, Missing):
                return b
            return op(a, b)
        return binop
    if isinstance(node, ast.Call):
        fname = node.func.id
        argfs = [_compile(a, params, rules, unit) for a in node.args]
        builtin = _BUILTINS.get(fname)
        if builtin is not None:
            return lambda env, b=builtin: b([f(env) for f in argfs])
        if fname not in rules.functions_spec:
            raise E.ExprError(f"unknown function {fname!r}")
        return lambda env, fname=fname: rules.call(fname, *[f(env) for f in argfs])
    raise E.ExprError(f"unsupported expression: {ast.dump(node)}")


def _sum(vals):
    present = [v for v in vals if not is_missing(v)]
    if not present:
        return vals[0] if vals else Missing("求和")
    total = present[0]
    for v in present[1:]:
        total = total + v
    return total


def _first(vals):
    for v in vals:
        if not is_missing(v):
            return v
    return vals[-1] if vals else Missing("取其一")


def _abs(vals):
    v = vals[0]
    return v if is_missing(v) else abs(v)


_BUILTINS = {"求和": _sum, "取其一": _first, "绝对值": _abs}


_NONE = object()


class RuleSet:
    """All rules/*.yaml metric definitions, compiled once."""

    def __init__(self, data: dict, source: str = "metrics.yaml"):
        self.source = source
        self._memo: tuple[object, dict] = (None, {})  # (view, its metrics) - see metric()
        self.places_by_unit: dict[str, int] = {str(k): int(v) for k, v in (data.get("格式") or {}).items()}
        self.functions_spec = data.get("函数") or {}
        self.metrics_spec = data.get("指标") or {}
        self.functions: dict[str, Rule] = {}
        self.metrics: dict[str, Rule] = {}
        for name, spec in self.functions_spec.items():
            self.functions[name] = self._rule(name, spec, tuple(spec.get("参数", ())))
        for name, spec in self.metrics_spec.items():
            if isinstance(spec, str):
                spec = {"公式": spec}
            self.metrics[name] = self._rule(name, spec, ())

    def _rule(self, name, spec, params) -> Rule:
        formula = str(spec["公式"])
        unit = str(spec.get("单位", "金额"))
        try:
            node = E.parse(formula)
            fn = _compile(node, params, self, unit, top=True)
        except E.ExprError as e:
            raise InputError(f"rule {name}: {e}", self.source) from None
        places = spec.get("精度")
        fresh = isinstance(node, ast.BinOp) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub))
        return Rule(name, params, formula, unit, int(places) if places is not None else None,
                    str(spec.get("说明", "")), fn, fresh)

    def _finish(self, rule: Rule, v):
        if is_missing(v):
            return v
        if not isinstance(v, Q):
            return v
        if rule.fresh:
            # the same values as the copy below, set on the new Q nobody else holds
            v.unit = rule.unit
            v.label = v.label or rule.name
            if v.op:
                v.path = None
            v.rule = rule.name
            v.places = rule.places
            return v
        return Q(v.value, rule.unit, v.label or rule.name, v.path if not v.op else None,
                 v.op, v.inputs, rule.name, rule.places)

    def call(self, name: str, *args):
        rule = self.functions[name]
        return self._finish(rule, rule.fn((args, None)))

    def metric(self, name: str, view):
        # the last view's metrics: rules name other metrics (占比 = 支出 ÷ 支出合计), which
        # were worked out anew at every mention; a view's figures never change
        seen, memo = self._memo
        if seen is not view:
            memo = {}
            if view is not None:
                self._memo = (view, memo)
        v = memo.get(name, _NONE)
        if v is _NONE:
            rule = self.metrics[name]
            v = rule.fn(((), view))
            if isinstance(v, Q):
                v = self._finish(rule, v)
                v.label = name
            memo[name] = v
        return v


@cache
def load_rules(extra_dir: str | None = None) -> RuleSet:
    """Merge the shipped rules/metrics.yaml with a user's override folder (file by file)."""
    base = rules_dir() / "metrics.yaml"
    path = Path(extra_dir) / "metrics.yaml" if extra_dir else None
    data = dict(load_rule_file(base))
    source = str(base)
    if path is not None and path.is_file():
        user = load_rule_file(path)
        for section in ("格式", "函数", "指标"):
            merged = dict(data.get(section) or {})
            merged.update(user.get(section) or {})
            data[section] = merged
        source = str(path)
    return RuleSet(data, source)


class MetricsView:
    """``指标.名称`` in templates: evaluates a named metric over the figures (cached)."""

    # ``_kids``: the metrics already read, named as View's item cache so that the compiled
    # ``指标.名称`` of a template reads it directly (see render_jinja)
    __slots__ = ("_rules", "_view", "_kids")

    def __init__(self, rules: RuleSet, view):
        self._rules = rules
        self._view = view
        self._kids: dict[str, object] = {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name):
        v = self._kids.get(name)
        if v is None:
            if name not in self._rules.metrics:
                raise KeyError(f"no metric named {name!r} in rules/metrics.yaml")
            v = self._rules.metric(name, self._view)
            self._kids[name] = v
        return v
