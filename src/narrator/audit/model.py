"""What the audit reasons about: cells and identities (total ≟ Σ ± parts, evaluated with
interval tolerance), the rules of rules/audit.yaml and their compiled equations, and a
department's 科目表 as tables with their hierarchy."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from narrator.check.compare import interval_ok
from narrator.core import expr as E
from narrator.core.catalogue import catalogue
from narrator.core.findings import Finding
from narrator.core.messages import lang, messages, msg
from narrator.core.numbers import quantum, round_half_up
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import Figures, Node, norm_key, schema, subjects
from narrator.figures.names import WORDS as W


ZERO = Decimal(0)
CONSTANT_PATH = ("常数",)   # the path of a constant term in an equation (no figure cell)
_EXACT = 28            # "places" given to exact numbers (integers, blanks): a negligible tolerance
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class AuditRuleError(ValueError):
    """A rule in rules/audit.yaml that cannot be understood (a bug in the rule file)."""


# -- numbers ---------------------------------------------------------------------------
def places_of(value) -> int | None:
    """Decimals as written (Decimal("2495.79") → 2); None for exact integers (counts)."""
    if value is None or isinstance(value, int):
        return None
    exp = value.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def _half(places: int | None) -> Decimal:
    return ZERO if places is None else quantum(places) / 2


def _num(v) -> str:
    if isinstance(v, Decimal):
        return f"{v:f}"
    return str(v)


def _trim(d: Decimal) -> str:
    if d == 0:
        return "0"
    return f"{d.normalize():f}"


# -- identities ------------------------------------------------------------------------
@dataclass
class Cell:
    path: tuple
    value: Decimal | int | None      # None: blank / absent
    label: str
    sign: int = 1

    @property
    def places(self) -> int | None:
        return places_of(self.value)

    @property
    def given(self) -> bool:
        return self.value is not None


@dataclass(eq=False)
class Identity:
    code: str
    total: Cell
    parts: list[Cell]
    what: str                         # how the parts are described (audit.sum_of_level: "其下各项之和")
    context: str = ""                 # where: "一般公共预算财政拨款支出决算表 20801 人力资源和社会保障管理事务"
    relation: str = "="               # "=", ">=", "<="
    mode: str = "interval"            # interval | rounded (scores: Σ rounded to the total's places)
    sum: Decimal = ZERO
    residue: Decimal = ZERO
    tol: Decimal = ZERO
    ok: bool = True

    def evaluate(self) -> "Identity":
        t = self.total.value if self.total.value is not None else ZERO
        given = [c for c in self.parts if c.given]
        self.sum = sum((c.sign * c.value for c in given), ZERO)
        if self.mode == "rounded":
            tp = self.total.places or 0
            self.residue = t - self.sum
            self.tol = _half(tp)
            self.ok = round_half_up(self.sum, tp) == t
            return self
        ok, residue, tol = interval_ok(
            [(c.sign * c.value, c.places if c.places is not None else _EXACT) for c in given],
            t, self.total.places if self.total.places is not None else _EXACT)
        self.residue, self.tol = residue, (tol if any(c.places is not None for c in given)
                                           or self.total.places is not None else ZERO)
        if self.relation == ">=":
            ok = residue >= -tol
        elif self.relation == "<=":
            ok = residue <= tol
        self.ok = ok
        return self

    def cells(self) -> list[Cell]:
        return [self.total] + [c for c in self.parts if c.given]

    def formula(self) -> str:
        given = [c for c in self.parts if c.given]
        bits = []
        for i, c in enumerate(given):
            sign = ("− " if c.sign < 0 else "") if i == 0 else ("− " if c.sign < 0 else "+ ")
            bits.append(f"{sign}{c.label} {_num(c.value)}".strip())
        lhs = " ".join(bits) if bits else "0"
        t = _num(self.total.value) if self.total.given else msg("audit.blank_total")
        # the relation as written "total REL parts"
        if self.relation == "=":
            rel = ("=" if self.residue == 0 else "≈") if self.ok else "≠"
        elif self.relation == ">=":
            rel = "≥" if self.ok else "<"
        else:
            rel = "≤" if self.ok else ">"
        if len(given) == 1 and self.mode != "rounded":
            return f"{self.total.label} {t} {rel} {lhs}"
        flipped = {"≥": "≤", "<": ">", "≤": "≥", ">": "<"}.get(rel, rel)
        return f"{lhs} = {_num(self.sum)} {flipped} {self.total.label} {t}"

    def coefficient(self, path: tuple) -> int:
        k = 1 if self.total.path == path else 0
        for c in self.parts:
            if c.path == path:
                k -= c.sign
        return k

    def fix_interval(self, path: tuple) -> tuple[Decimal | None, Decimal | None] | None:
        """Changes d of the cell at ``path`` that make this identity hold: [lo, hi] (None = unbounded)."""
        k = self.coefficient(path)
        if k == 0:
            return None
        r, tol = self.residue, self.tol
        lo, hi = -tol - r, tol - r          # bounds on k·d
        if self.relation == ">=":
            hi = None
        elif self.relation == "<=":
            lo = None
        if k < 0:
            lo, hi = (None if hi is None else hi / k), (None if lo is None else lo / k)
        else:
            lo, hi = (None if lo is None else lo / k), (None if hi is None else hi / k)
        return lo, hi

    def exact_fix(self, path: tuple) -> Decimal:
        return -self.residue / self.coefficient(path)


# -- the rule file ---------------------------------------------------------------------
@dataclass(frozen=True)
class RowSumInstance:
    """One 列合计 instance: in every row of ``table``, column ``total`` = Σ ± ``terms``."""
    table: str
    total: str
    terms: tuple[tuple[int, str], ...]    # (sign, column): "-合计" in the rule file → (-1, "合计")
    required: tuple[str, ...]             # skip the table when one of these columns has no cell


@dataclass(frozen=True)
class AuditRule:
    code: str
    name: str
    severity: str
    message: str
    kind: str
    spec: dict              # the entry as written in rules/audit.yaml
    builder: str = ""       # the English name of the kinds.py builder its 种类 names (rules/audit.yaml)
    tables: tuple[str, ...] = ()                  # 行合计, 层级: the tables checked
    prefix: str | None = None                     # 等式: the path its formulas are relative to
    formulas: tuple[str, ...] = ()                # 等式
    instances: tuple[RowSumInstance, ...] = ()    # 列合计
    check: str = ""                               # 绩效: the English name of the check


@cache
def performance_checks() -> dict[str, str]:
    """检查 of a 绩效 rule -> the English name of its check in kinds.py, from rules/audit.yaml."""
    return dict(load_rule_file(rules_dir() / "audit.yaml")["绩效检查"])


@cache
def kind_builders() -> dict[str, str]:
    """种类 -> builder name, from rules/audit.yaml: the rule kinds kinds.py builds identities for."""
    return dict(load_rule_file(rules_dir() / "audit.yaml")["种类"])


def _instance(spec: dict) -> RowSumInstance:
    terms = tuple((-1, c[1:]) if c.startswith("-") else (1, c) for c in spec["分项"])
    return RowSumInstance(spec["表"], spec["合计"], terms, tuple(spec.get("必备列", ())))


@cache
def audit_rules() -> tuple[AuditRule, ...]:
    """The rules of rules/audit.yaml, each with the parts of its entry its 种类 reads."""
    data = load_rule_file(rules_dir() / "audit.yaml")
    out = []
    for code, spec in data["规则"].items():
        kind = spec.get("种类")
        if kind not in kind_builders():
            raise AuditRuleError(f"{code}: unknown 种类 {kind!r}")
        builder, table, formulas = kind_builders()[kind], spec.get("表"), spec.get("公式")
        check = ""
        if builder == "performance":
            if spec.get("检查") not in performance_checks():
                raise AuditRuleError(f"{code}: unknown 检查 {spec.get('检查')!r}")
            check = performance_checks()[spec["检查"]]
        rule = AuditRule(str(code), spec["名称"], spec["级别"], spec["说明"], kind, dict(spec), builder,
                         tables=tuple(table) if isinstance(table, list) else (),
                         prefix=table if isinstance(table, str) else None,
                         formulas=(formulas,) if isinstance(formulas, str) else tuple(formulas or ()),
                         instances=tuple(_instance(i) for i in spec.get("实例", ())), check=check)
        for f in rule.formulas if builder == "equation" else ():
            _compile_equation(f, rule.prefix)
        out.append(rule)
    return tuple(out)


# -- paths -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Equation:
    text: str
    lhs: tuple            # canonical path
    relation: str
    rhs: ast.expr
    rhs_text: str
    paths: tuple          # every canonical path in the rhs


_REL = re.compile(r"\s*(>=|<=|≥|≤|=)\s*")


@cache
def _compile_equation(text: str, prefix: str | None) -> Equation:
    m = _REL.search(text)
    if not m:
        raise AuditRuleError(f"no relation (=, >=, <=) in {text!r}")
    rel = {"≥": ">=", "≤": "<="}.get(m.group(1), m.group(1))
    left, right = text[:m.start()].strip(), " ".join(text[m.end():].split())
    pre = tuple(prefix.split(".")) if prefix else ()
    lnode = E.parse(left)
    lpath = E.dotted(lnode)
    if lpath is None:
        raise AuditRuleError(f"left side of {text!r} must be one figure path")
    rnode = E.parse(right)
    paths: list[tuple] = []

    def canon_all(node):
        p = E.dotted(node)
        if p is not None:
            c = _canon(p, pre, text)
            paths.append(c)
            return c
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, (ast.Add, ast.Sub)):
                raise AuditRuleError(f"only + and − in audit equations: {text!r}")
            canon_all(node.left)
            canon_all(node.right)
        elif isinstance(node, ast.UnaryOp):
            canon_all(node.operand)
        elif isinstance(node, ast.Call):
            if node.func.id not in (W.fn_first, W.fn_sum):
                raise AuditRuleError(f"unknown function {node.func.id!r} in {text!r}")
            for a in node.args:
                canon_all(a)
        elif isinstance(node, ast.Constant):
            pass
        else:
            raise AuditRuleError(f"unsupported expression in {text!r}")

    canon_all(rnode)
    return Equation(text, _canon(lpath, pre, text), rel, rnode, right, tuple(paths))


def _canon(path: tuple, prefix: tuple, text: str) -> tuple:
    """Resolve a rule path against the figures schema: canonical names, aliases accepted."""
    root = schema()
    if norm_key(path[0]) not in root.lookup and prefix:
        path = prefix + tuple(path)
    node: Node | None = root
    out: list[str] = []
    row = False
    i = 0
    while i < len(path):
        s = str(path[i])
        if row:
            col = node.column_lookup.get(norm_key(s))
            if col is None:
                raise AuditRuleError(f"{text!r}: {s!r} is not a column of {'.'.join(out)}")
            out.append(col)
            row, node = False, None
        elif node is None or node.kind == "leaf":
            raise AuditRuleError(f"{text!r}: path goes past a figure at {s!r}")
        elif node.kind == "table":
            if s == W.total:
                out.append(s)
                row = True
            elif s == W.rows:
                if i + 1 >= len(path) or not re.fullmatch(r"\d+", str(path[i + 1])):
                    raise AuditRuleError(f"{text!r}: {W.rows} must be followed by a code, e.g. {W.rows}[\"301\"]")
                out += [W.rows, str(path[i + 1])]
                i += 1
                row = True
            elif s in (W.all_classes, W.each_class):
                out.append(s)
                row = True
            else:
                canon = node.lookup.get(norm_key(s))
                if canon is None:
                    raise AuditRuleError(f"{text!r}: unknown name {s!r} under {'.'.join(out)}")
                out.append(canon)
                node = node.children[canon]
        elif node.kind == "map":
            if s in (W.all_classes, W.each_class):
                if node.key_set != W.class_names:
                    raise AuditRuleError(f"{text!r}: {s} needs a mapping keyed by {W.class_names}")
                out.append(s)
                node = node.any_key
            elif s == W.all_items:
                out.append(s)
                node = None
            else:
                canon = node.lookup.get(norm_key(s))
                if canon is None:
                    raise AuditRuleError(f"{text!r}: unknown name {s!r} under {'.'.join(out) or 'top level'}")
                out.append(canon)
                node = node.children[canon]
        else:
            raise AuditRuleError(f"{text!r}: cannot index a {node.kind} at {s!r}")
        i += 1
    return tuple(out)


# -- the audit context -----------------------------------------------------------------
@cache
def _class_names() -> dict[str, str]:
    return dict(subjects()[W.class_names])


@cache
def _class_codes() -> dict[str, str]:
    return {v: k for k, v in _class_names().items()}


@cache
def _wildcards() -> frozenset[str]:
    """The rule path steps that stand for several figures (所有类, 每类, 所有项)."""
    return frozenset((W.all_classes, W.each_class, W.all_items))


@cache
def _code_lengths(system: str) -> tuple[list[int], dict[int, str]]:
    """The code lengths of a classification, ascending, and length -> level name (类, 款, 项)."""
    levels = subjects()[f"{system}编码长度"]
    return sorted(levels.values()), {n: lvl for lvl, n in levels.items()}


def _hierarchy(codes: dict, lengths: list[int]) -> tuple[dict, dict, list, list]:
    """(parent, children, roots, parents deepest first) of the codes (keys of a dict, in order):
    each code's parent is its longest prefix of a shorter code length that is listed too."""
    parent: dict[str, str | None] = {}
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    shorter: dict[int, list[int]] = {}      # code length → the shorter lengths, longest first
    for code in codes:
        cands = shorter.get(len(code))
        if cands is None:
            cands = shorter[len(code)] = [n for n in reversed(lengths) if n < len(code)]
        par = None
        for n in cands:
            if code[:n] in codes:
                par = code[:n]
                break
        parent[code] = par
        if par is None:
            roots.append(code)
        elif par in children:
            children[par].append(code)
        else:
            children[par] = [code]
    # codes with listed children, deepest first, so a 款 is judged before the 类 above it
    return parent, children, roots, sorted(children, key=lambda c: (-len(c), c))


class _Table:
    """Rows of one 科目表 with their hierarchy (nearest listed ancestor).

    ``shapes`` (from _Ctx) shares the hierarchy between the tables of one department that list
    the same codes in the same order (收入决算表, 支出决算表 and the 财政拨款 tables usually do):
    it depends on nothing else, and nothing changes it once built.
    """

    def __init__(self, name: str, data: dict, shapes: dict | None = None, language: str | None = None):
        self.name = name
        self.lang = language or lang()      # the audit's (a string: a bound _Ctx.msg here would make a cycle)
        self.data = data
        self.node = schema().children[name]
        lengths, self.level_names = _code_lengths(self.node.code_system)
        self.rows: dict[str, dict] = {r[W.code]: r for r in data.get(W.rows, [])}
        key = (self.node.code_system, tuple(self.rows))
        shape = shapes.get(key) if shapes is not None else None
        if shape is None:
            shape = _hierarchy(self.rows, lengths)
            if shapes is not None:
                shapes[key] = shape
        self.parent, self.children, self.roots, self._parents = shape
        self._present: set[str] | None = None
        self._columns: list[str] | None = None

    def columns_present(self) -> set[str]:
        # computed once per table: several rules ask, and the figures do not change during an audit
        if self._present is None:
            in_rows: set[str] = set().union(*self.rows.values())  # every key of every row
            in_rows.difference_update((W.code, W.name))
            self._present = set(self.data.get(W.total, {}) or {}) | in_rows
        return self._present

    def columns(self) -> list[str]:
        """The schema's columns that have at least one cell here, in schema order."""
        if self._columns is None:
            present = self.columns_present()
            self._columns = [c for c in self.node.columns if c in present]
        return self._columns

    def msg(self, key: str, /, **params) -> str:
        """core.messages.msg in the language of this audit."""
        return messages()[key][self.lang].format_map(params)

    def parents_deepest_first(self) -> list[str]:
        """Codes with listed children, deepest first, so a 款 is judged before the 类 above it."""
        return self._parents


class _Ctx:
    def __init__(self, figures: Figures):
        self.fig = figures
        self.lang = lang()      # read once: msg() reads the environment at every call
        self._rule_texts: dict[str, str] = {}
        self.data = figures.data
        self._tables: dict[str, _Table | None] = {}
        self._shapes: dict[tuple, tuple] = {}   # hierarchies shared between tables (see _Table)
        self._walked: dict[tuple, tuple] = {}   # see _cell_at
        self._bindings: dict[tuple, list] = {}  # see _bindings_under
        self._codes_under: dict[tuple, list[str]] = {}

    def table(self, name: str) -> _Table | None:
        if name not in self._tables:
            d = self.data.get(name)
            self._tables[name] = _Table(name, d, self._shapes, self.lang) \
                if isinstance(d, dict) and name in schema().children \
                and schema().children[name].kind == "table" else None
        return self._tables[name]

    # display ----------------------------------------------------------------
    def msg(self, key: str, /, **params) -> str:
        """core.messages.msg in the language of this audit (an audit words dozens of texts)."""
        return messages()[key][self.lang].format_map(params)

    def rule_message(self, code: str) -> str:
        """The rule's 说明 in the language of this audit (rules/audit.yaml, checks.yaml)."""
        text = self._rule_texts.get(code)
        if text is None:
            text = self._rule_texts[code] = catalogue()[code].message
        return text

    def cell_name(self, path: tuple) -> str:
        if len(path) >= 3 and path[1] == W.rows:
            t = self.table(path[0])
            row = t.rows.get(path[2]) if t else None
            name = row.get(W.name, "") if row else ""
            return " ".join(x for x in (path[0], path[2], name, *map(str, path[3:])) if x)
        if len(path) >= 2 and path[1] == W.total and self.table(path[0]) is not None:
            return " ".join((path[0], W.total_row, *map(str, path[2:])))
        if path[:3] == (W.performance, W.project_eval, W.projects) and len(path) >= 4:
            try:
                proj = self.data[W.performance][W.project_eval][W.projects][path[3]]
                name = proj.get(W.short_name) or proj.get(W.project_name)
            except (KeyError, IndexError, TypeError):
                name = str(path[3])
            rest = [str(p) if not isinstance(p, int) else "" for p in path[4:]]
            if len(path) >= 6 and path[4] == W.indicators:
                try:
                    rest = [proj[W.indicators][path[5]][W.indicator_name], *map(str, path[6:])]
                except (KeyError, IndexError, TypeError):
                    pass
            return f"{W.project_eval}「{name}」" + " ".join(r for r in rest if r)
        if path[:2] == (W.performance, W.whole) and len(path) >= 4 and path[2] == W.indicators:
            try:
                ind = self.data[W.performance][W.whole][W.indicators][path[3]][W.indicator_name]
            except (KeyError, IndexError, TypeError):
                ind = str(path[3])
            return " ".join([W.whole, ind, *map(str, path[4:])])
        if path[:2] == (W.performance, W.whole):
            return " ".join([W.whole, *map(str, path[2:])])
        return " ".join(map(str, path))

    def line(self, path: tuple) -> int | None:
        return self.fig.line_of(path)

    # data resolution ----------------------------------------------------------
    def resolve(self, path: tuple, code: str | None = None) -> list[tuple[tuple, object]]:
        """Canonical rule path → [(figure path, value or None)], wildcards expanded."""
        if _wildcards().isdisjoint(path):
            return [self._resolve_one(path)]
        results: list[tuple[tuple, object]] = [((), self.data)]
        i = 0
        while i < len(path):
            s = path[i]
            new: list[tuple[tuple, object]] = []
            for p, node in results:
                if node is None:
                    if s in (W.all_classes, W.all_items):
                        continue
                    step = (W.rows, path[i + 1]) if s == W.rows else (s,)
                    new.append((p + step, None))
                    continue
                t = self.table(p[0]) if len(p) == 1 and isinstance(node, dict) and W.rows in node else None
                if t is not None and s in (W.rows, W.all_classes, W.each_class):
                    if s == W.rows:
                        codes = [path[i + 1]]
                    elif s == W.all_classes:
                        codes = list(t.roots)
                    else:
                        codes = [code] if code is not None else []
                    for c in codes:
                        new.append((p + (W.rows, c), t.rows.get(c)))
                elif isinstance(node, dict) and s in (W.all_classes, W.each_class):
                    names = _class_names()
                    if s == W.all_classes:
                        keys = [k for k in node if k in _class_codes()]
                    else:
                        keys = [names.get(code)] if code is not None else []
                    for k in keys:
                        new.append((p + (k,), node.get(k)))
                elif isinstance(node, dict) and s == W.all_items:
                    for k, v in node.items():
                        new.append((p + (k,), v))
                elif isinstance(node, dict):
                    new.append((p + (s,), node.get(s)))
                else:
                    new.append((p + (s,), None))
            results = new
            i += 2 if s == W.rows else 1
        return results

    def _resolve_one(self, path: tuple) -> tuple[tuple, object]:
        """``resolve`` of a path without wildcards: its one (figure path, value), walked without
        the lists of candidates (the reader's sums resolve ~250 such paths a document)."""
        rows = W.rows
        p: tuple = ()
        node: object = self.data
        i, n = 0, len(path)
        while i < n:
            s = path[i]
            if node is None:
                p += (rows, path[i + 1]) if s == rows else (s,)
            elif not isinstance(node, dict):
                p += (s,)
                node = None
            elif s == rows and len(p) == 1 and rows in node and (t := self.table(p[0])) is not None:
                c = path[i + 1]
                p += (rows, c)
                node = t.rows.get(c)
            else:
                p += (s,)
                node = node.get(s)
            i += 2 if s == rows else 1
        return p, node

    def class_codes_under(self, path: tuple) -> list[str]:
        """The 功能分类 class codes a ``每类`` at the end of ``path`` ranges over."""
        # asked once per 每类 equation: remember the answer for the document
        out = self._codes_under.get(path)
        if out is None:
            out = self._codes_under[path] = self._class_codes_under(path)
        return out

    def _class_codes_under(self, path: tuple) -> list[str]:
        out: list[str] = []
        for p, node in self.resolve(path):
            if not isinstance(node, dict):
                continue
            t = self.table(p[0]) if len(p) == 1 and W.rows in node else None
            if t is not None:
                out += [c for c in t.roots if len(c) == 3]
            else:
                out += [_class_codes()[k] for k in node if k in _class_codes()]
        return out


@cache
def _rules_by_code() -> dict[str, AuditRule]:
    return {r.code: r for r in audit_rules()}


# -- findings ------------------------------------------------------------------------
def _finding(ctx: _Ctx, rule: AuditRule, severity: str, message: str, path: tuple, found, expected, formula,
             cells=(), extra=None) -> Finding:
    ex = {"path": list(path), "cells": [list(path)] + [list(c) for c in cells if c != path]}
    if extra:
        ex.update(extra)
    return Finding(rule.code, rule.name, severity, message, ctx.fig.source, ctx.line(path),
                   None, None, None, found, expected, formula, ex)
