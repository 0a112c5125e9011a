"""Derived numbers as data: rules/metrics.yaml names every share, rate, difference and sum.

A rule is a name, an expression over figures (official names) or over parameters, a
unit and the precision it is printed at. Templates call them: ``指标.收支总计变动额`` or
``占比(部分, 整体)``. The result is a ``Q`` whose inputs explain it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Callable

from narrator.core import expr as E
from narrator.core.diskcache import MARSHAL_SALT, content_key, marshalled
from narrator.core.errors import InputError
from narrator.core.resources import rules_dir
from narrator.core.numbers import divide
from narrator.core.values import ADD, DIV, MUL, SUB, Missing, Q, is_missing, zero_divisor
from narrator.core.yamlio import load_rule_file
from narrator.core.messages import msg
from narrator.figures.names import WORDS as W


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
    # the compiled ``_finish(rule, fn((args, None)))`` of a rule function (None: not compiled)
    run: Callable | None = None


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
            raise E.ExprError(msg("metrics.unknown_function", name=fname))
        return lambda env, fname=fname: rules.call(fname, *[f(env) for f in argfs])
    raise E.ExprError(msg("metrics.unsupported_expression", expr=ast.unparse(node)))


class _Source:
    """A formula compiled to the source of one Python function ``f(env)``, env = (args, view),
    that computes what ``_compile``'s closures compute, in the same order, without a call
    per node: rules run for every 科目 row a template prints.

    Each node's value goes to a local; ``names`` holds the objects the source refers to.
    An operation on two ``Q`` is written out (``Q._bin``'s value, unit, op and inputs);
    anything else calls the very ``Q`` method ``_compile`` calls."""

    _OPS = {ast.Add: ("+", "_ADD", Q.__add__), ast.Sub: ("-", "_SUB", Q.__sub__),
            ast.Mult: ("*", "_MUL", Q.__mul__), ast.Div: (None, "_DIV", Q.__truediv__)}

    def __init__(self, params: tuple[str, ...], rules: "RuleSet", unit: str):
        self.params, self.rules, self.unit = params, rules, unit
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "_rules": rules, "_Q": Q, "_Missing": Missing, "_zero_divisor": zero_divisor, "_divide": divide, "_ADD": ADD,
            "_SUB": SUB, "_MUL": MUL, "_DIV": DIV}
        self.n = 0

    def source(self, node: ast.expr, name: str, places: int | None, fresh: bool) -> str:
        """The source of ``rule(env)``, the formula's value (Rule.fn), and of ``run(*args)``,
        ``RuleSet._finish(rule, fn((args, None)))``, a rule function's finished result."""
        r = self.node(node, top=True)
        body = "\n    ".join(self.lines)
        if fresh:  # _finish completes the new Q in place
            finish = (f"{r}.unit = {self.unit!r}\n    {r}.label = {r}.label or {name!r}\n"
                      f"    if {r}.op:\n        {r}.path = None\n    {r}.rule = {name!r}\n"
                      f"    {r}.places = {places!r}\n    return {r}")
        else:
            finish = (f"return _Q({r}.value, {self.unit!r}, {r}.label or {name!r}, "
                      f"{r}.path if not {r}.op else None, {r}.op, {r}.inputs, {name!r}, {places!r})")
        self.src = (f"def rule(env):\n    args, view = env\n    {body}\n    return {r}\n\n"
                    f"def run(*args):\n    view = None\n    {body}\n"
                    f"    if {r} is None or not isinstance({r}, _Q):  # Missing, or not a number\n"
                    f"        return {r}\n    {finish}\n")
        return self.src

    def define(self, code: CodeType):
        """``(fn, run)``, the functions ``code`` (``source``'s, compiled) defines."""
        exec(code, self.names)
        fn, run = self.names["rule"], self.names["run"]
        fn.source = run.source = self.src  # for the curious (and the tests)
        return fn, run

    def _local(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def _object(self, obj) -> str:
        name = f"k{len(self.names)}"
        self.names[name] = obj
        return name

    def _write(self, line: str) -> None:
        self.lines.append(line)

    def node(self, node: ast.expr, top: bool = False) -> str:
        """Writes the statements computing ``node``; returns the local holding its value."""
        w = self._write
        path = E.dotted(node)
        if path is not None:
            head, rest = path[0], path[1:]
            t = self._local()
            if head in self.params:
                w(f"{t} = args[{self.params.index(head)}]")
            elif not rest:
                # a metric's name, or else a top-level figure (decided when called, as _compile does)
                w(f"{t} = _rules.metric({head!r}, view) if {head!r} in _rules.metrics else view[{head!r}]")
            else:
                w(f"{t} = view[{head!r}]")
            for r in rest:
                w(f"{t} = {t}[{r!r}]")
            return t
        if isinstance(node, ast.Constant):
            return self._object(Q(E.constant(node), "数值", str(node.value)))
        if isinstance(node, ast.UnaryOp):
            x = self.node(node.operand)
            if isinstance(node.op, ast.USub):
                t = self._local()
                w(f"{t} = -{x}")
                return t
            return x
        if isinstance(node, ast.BinOp):
            a = self.node(node.left)
            b = self.node(node.right)  # (compiled but not run for the ×100 below, as in _compile)
            t = self._local()
            w(f"if {a} is None or isinstance({a}, _Missing):")
            w(f"    {t} = {a}")
            if (top and self.unit in ("%", "个百分点") and isinstance(node.op, ast.Mult)
                    and isinstance(node.right, ast.Constant) and node.right.value == 100):
                if isinstance(node.left, ast.BinOp):
                    # the left operation's Q is new and nobody else's: made a percentage in place
                    w("else:")
                    w(f"    {a}.value = {a}.value * 100")
                    w(f"    {a}.unit = '%'")
                    w(f"    {t} = {a}")
                else:
                    w(f"else:")
                    w(f"    {t} = _Q({a}.value * 100, '%', '', None, {a}.op, {a}.inputs)")
                return t
            sign, op_name, method = self._OPS[type(node.op)]
            w(f"elif {b} is None or isinstance({b}, _Missing):")
            w(f"    {t} = {b}")
            w(f"elif type({a}) is _Q and type({b}) is _Q:")
            unit = f"{a}.unit if {a}.unit == {b}.unit else ({a}.unit if {b}.unit == '数值' else {b}.unit)"
            if sign is None:  # division: by zero gives Missing, as Q._bin says
                w(f"    if {b}.value == 0:")
                w(f"        {t} = _zero_divisor({b})")
                w(f"    else:")
                w(f"        {t} = _Q(_divide({a}.value, {b}.value), {unit}, '', None, {op_name}, ({a}, {b}))")
            else:
                w(f"    {t} = _Q({a}.value {sign} {b}.value, {unit}, '', None, {op_name}, ({a}, {b}))")
            w("else:")
            w(f"    {t} = {self._object(method)}({a}, {b})")
            return t
        if isinstance(node, ast.Call):
            fname = node.func.id
            args = ", ".join(self.node(a) for a in node.args)
            builtin = _BUILTINS.get(fname)
            t = self._local()
            if builtin is not None:
                w(f"{t} = {self._object(builtin)}([{args}])")
                return t
            if fname not in self.rules.functions_spec:
                raise E.ExprError(msg("metrics.unknown_function", name=fname))
            w(f"{t} = _rules.call({fname!r}{', ' if args else ''}{args})")
            return t
        raise E.ExprError(msg("metrics.unsupported_expression", expr=ast.unparse(node)))


def _sum(vals):
    present = [v for v in vals if not is_missing(v)]
    if not present:
        return vals[0] if vals else Missing(W.fn_sum)
    total = present[0]
    for v in present[1:]:
        total = total + v
    return total


def _first(vals):
    for v in vals:
        if not is_missing(v):
            return v
    return vals[-1] if vals else Missing(W.fn_first)


def _abs(vals):
    v = vals[0]
    return v if is_missing(v) else abs(v)


_BUILTINS = {W.fn_sum: _sum, W.fn_first: _first, W.fn_abs: _abs}


_NONE = object()


def _filename(name: str) -> str:
    return f"<rule {name}>"


def _code_objects(sources: list[tuple[str, str]], cached: bool) -> list[CodeType]:
    """``(name, source)``s compiled; with ``cached``, the code objects kept in the cache folder
    (compiling the shipped rules' ~100 functions costs ~25–35 ms a process), keyed by every
    source: one entry per rule set."""
    def compute():
        return [compile(src, _filename(name), "exec") for name, src in sources]

    if not cached:
        return compute()

    def valid(codes) -> bool:
        return (isinstance(codes, list) and len(codes) == len(sources)
                and all(isinstance(c, CodeType) and c.co_filename == _filename(name)
                        for c, (name, _) in zip(codes, sources)))

    blob = "\0".join(f"{name}\0{src}" for name, src in sources).encode("utf-8", "surrogatepass")
    return marshalled("metric-code", content_key(blob, MARSHAL_SALT), compute, valid)


class RuleSet:
    """All rules/*.yaml metric definitions, compiled once."""

    def __init__(self, data: dict, source: str = "metrics.yaml", compiled: bool = True,
                 cached: bool = False):
        """``compiled``: each formula as one generated Python function (``_Source``); else
        as ``_compile``'s closures, the reference the tests compare it with. ``cached``: the
        functions' code kept in the cache folder (for rule files, not for every rule set made)."""
        self.source = source
        self.compiled = compiled
        self._memo: tuple[object, dict] = (None, {})  # (view, its metrics) - see metric()
        self.places_by_unit: dict[str, int] = {str(k): int(v) for k, v in (data.get("格式") or {}).items()}
        self.functions_spec = data.get("函数") or {}
        self.metrics_spec = data.get("指标") or {}
        self.functions: dict[str, Rule] = {}
        self.metrics: dict[str, Rule] = {}
        self._pending: list[tuple[dict, str, _Source]] = []  # compiled rules waiting for their code
        for name, spec in self.functions_spec.items():
            self.functions[name] = self._rule(name, spec, tuple(spec.get("参数", ())), self.functions)
        for name, spec in self.metrics_spec.items():
            if isinstance(spec, str):
                spec = {"公式": spec}
            self.metrics[name] = self._rule(name, spec, (), self.metrics)
        pending, self._pending = self._pending, []
        codes = _code_objects([(name, s.src) for _, name, s in pending], cached)
        for (table, name, s), code in zip(pending, codes):
            fn, run = s.define(code)
            table[name] = replace(table[name], fn=fn, run=run)

    def _rule(self, name, spec, params, table: dict | None = None) -> Rule:
        """The rule ``spec`` defines. With ``table`` (while the rule files are read), its
        functions are defined later, with the others' (``_code_objects``); without, now."""
        formula = str(spec["公式"])
        unit = str(spec.get("单位", "金额"))
        places = spec.get("精度")
        places = int(places) if places is not None else None
        run = None
        try:
            node = E.parse(formula)
            fresh = isinstance(node, ast.BinOp) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub))
            if self.compiled:
                source = _Source(params, self, unit)
                src = source.source(node, name, places, fresh)
                if table is not None:
                    self._pending.append((table, name, source))
                    fn = None
                else:  # a rule made in passing (report/charts.py): compiled at once
                    fn, run = source.define(compile(src, _filename(name), "exec"))
            else:
                fn = _compile(node, params, self, unit, top=True)
        except E.ExprError as e:
            raise InputError(msg("metrics.rule_error", name=name, detail=e), self.source) from None
        return Rule(name, params, formula, unit, places, str(spec.get("说明", "")), fn, fresh, run)

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
        if rule.run is not None:
            return rule.run(*args)
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
    return RuleSet(data, source, cached=True)


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
