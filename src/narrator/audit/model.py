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
from narrator.core.findings import Finding
from narrator.core.numbers import quantum, round_half_up
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import Figures, Node, norm_key, schema, subjects


ZERO = Decimal(0)
_EXACT = 28            # "places" given to exact numbers (integers, blanks): a negligible tolerance
_WILD = ("各类", "每类", "各项")
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
    what: str                         # how the parts are described: "其下各项之和"
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
        t = _num(self.total.value) if self.total.given else "0（空）"
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
class AuditRule:
    code: str
    name: str
    severity: str
    message: str
    kind: str
    spec: dict
    builder: str = ""       # the English name of the kinds.py builder its 种类 names (rules/audit.yaml)


@cache
def performance_checks() -> dict[str, str]:
    """检查 of a 绩效 rule -> the English name of its check in kinds.py, from rules/audit.yaml."""
    return dict(load_rule_file(rules_dir() / "audit.yaml")["绩效检查"])


@cache
def kind_builders() -> dict[str, str]:
    """种类 -> builder name, from rules/audit.yaml: the rule kinds kinds.py builds identities for."""
    return dict(load_rule_file(rules_dir() / "audit.yaml")["种类"])


@cache
def audit_rules() -> tuple[AuditRule, ...]:
    data = load_rule_file(rules_dir() / "audit.yaml")
    out = []
    for code, spec in data["规则"].items():
        kind = spec.get("种类")
        if kind not in kind_builders():
            raise AuditRuleError(f"{code}: unknown 种类 {kind!r}")
        rule = AuditRule(str(code), spec["名称"], spec["级别"], spec["说明"], kind, dict(spec), kind_builders()[kind])
        if rule.builder == "performance" and spec.get("检查") not in performance_checks():
            raise AuditRuleError(f"{code}: unknown 检查 {spec.get('检查')!r}")
        if rule.builder == "equation":
            for f in _formulas(rule):
                _compile_equation(f, rule.spec.get("表"))
        out.append(rule)
    return tuple(out)


def _formulas(rule: AuditRule) -> list[str]:
    f = rule.spec.get("公式")
    return [f] if isinstance(f, str) else list(f or [])


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
            if node.func.id not in ("取其一", "求和"):
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
            if s == "合计":
                out.append(s)
                row = True
            elif s == "科目":
                if i + 1 >= len(path) or not re.fullmatch(r"\d+", str(path[i + 1])):
                    raise AuditRuleError(f"{text!r}: 科目 must be followed by a code, e.g. 科目[\"301\"]")
                out += ["科目", str(path[i + 1])]
                i += 1
                row = True
            elif s in ("各类", "每类"):
                out.append(s)
                row = True
            else:
                canon = node.lookup.get(norm_key(s))
                if canon is None:
                    raise AuditRuleError(f"{text!r}: unknown name {s!r} under {'.'.join(out)}")
                out.append(canon)
                node = node.children[canon]
        elif node.kind == "map":
            if s in ("各类", "每类"):
                if node.key_set != "功能分类类名":
                    raise AuditRuleError(f"{text!r}: {s} needs a mapping keyed by 功能分类类名")
                out.append(s)
                node = node.any_key
            elif s == "各项":
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
    return dict(subjects()["功能分类类名"])


@cache
def _class_codes() -> dict[str, str]:
    return {v: k for k, v in _class_names().items()}


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

    def __init__(self, name: str, data: dict, shapes: dict | None = None):
        self.name = name
        self.data = data
        self.node = schema().children[name]
        lengths, self.level_names = _code_lengths(self.node.code_system)
        self.rows: dict[str, dict] = {r["科目编码"]: r for r in data.get("科目", [])}
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
            in_rows.difference_update(("科目编码", "科目名称"))
            self._present = set(self.data.get("合计", {}) or {}) | in_rows
        return self._present

    def columns(self) -> list[str]:
        """The schema's columns that have at least one cell here, in schema order."""
        if self._columns is None:
            present = self.columns_present()
            self._columns = [c for c in self.node.columns if c in present]
        return self._columns

    def parents_deepest_first(self) -> list[str]:
        """Codes with listed children, deepest first, so a 款 is judged before the 类 above it."""
        return self._parents


class _Ctx:
    def __init__(self, figures: Figures):
        self.fig = figures
        self.data = figures.data
        self._tables: dict[str, _Table | None] = {}
        self._shapes: dict[tuple, tuple] = {}   # hierarchies shared between tables (see _Table)
        self._walked: dict[tuple, tuple] = {}   # see _cell_at
        self._bindings: dict[tuple, list] = {}  # see _bindings_under
        self._codes_under: dict[tuple, list[str]] = {}

    def table(self, name: str) -> _Table | None:
        if name not in self._tables:
            d = self.data.get(name)
            self._tables[name] = _Table(name, d, self._shapes) if isinstance(d, dict) and name in schema().children \
                and schema().children[name].kind == "table" else None
        return self._tables[name]

    # display ----------------------------------------------------------------
    def cell_name(self, path: tuple) -> str:
        if len(path) >= 3 and path[1] == "科目":
            t = self.table(path[0])
            row = t.rows.get(path[2]) if t else None
            name = row.get("科目名称", "") if row else ""
            return " ".join(x for x in (path[0], path[2], name, *map(str, path[3:])) if x)
        if len(path) >= 2 and path[1] == "合计" and self.table(path[0]) is not None:
            return " ".join((path[0], "合计行", *map(str, path[2:])))
        if path[:3] == ("预算绩效", "项目自评", "项目") and len(path) >= 4:
            try:
                proj = self.data["预算绩效"]["项目自评"]["项目"][path[3]]
                name = proj.get("简称") or proj.get("项目名称")
            except (KeyError, IndexError, TypeError):
                name = str(path[3])
            rest = [str(p) if not isinstance(p, int) else "" for p in path[4:]]
            if len(path) >= 6 and path[4] == "指标":
                try:
                    rest = [proj["指标"][path[5]]["名称"], *map(str, path[6:])]
                except (KeyError, IndexError, TypeError):
                    pass
            return f"项目自评「{name}」" + " ".join(r for r in rest if r)
        if path[:2] == ("预算绩效", "整体支出") and len(path) >= 4 and path[2] == "指标":
            try:
                ind = self.data["预算绩效"]["整体支出"]["指标"][path[3]]["名称"]
            except (KeyError, IndexError, TypeError):
                ind = str(path[3])
            return "整体支出 " + " ".join([ind, *map(str, path[4:])])
        if path[:2] == ("预算绩效", "整体支出"):
            return "整体支出 " + " ".join(map(str, path[2:]))
        return " ".join(map(str, path))

    def line(self, path: tuple) -> int | None:
        return self.fig.line_of(path)

    # data resolution ----------------------------------------------------------
    def resolve(self, path: tuple, code: str | None = None) -> list[tuple[tuple, object]]:
        """Canonical rule path → [(figure path, value or None)], wildcards expanded."""
        results: list[tuple[tuple, object]] = [((), self.data)]
        i = 0
        while i < len(path):
            s = path[i]
            new: list[tuple[tuple, object]] = []
            for p, node in results:
                if node is None:
                    if s in ("各类", "各项"):
                        continue
                    step = ("科目", path[i + 1]) if s == "科目" else (s,)
                    new.append((p + step, None))
                    continue
                t = self.table(p[0]) if len(p) == 1 and isinstance(node, dict) and "科目" in node else None
                if t is not None and s in ("科目", "各类", "每类"):
                    if s == "科目":
                        codes = [path[i + 1]]
                    elif s == "各类":
                        codes = list(t.roots)
                    else:
                        codes = [code] if code is not None else []
                    for c in codes:
                        new.append((p + ("科目", c), t.rows.get(c)))
                elif isinstance(node, dict) and s in ("各类", "每类"):
                    names = _class_names()
                    if s == "各类":
                        keys = [k for k in node if k in _class_codes()]
                    else:
                        keys = [names.get(code)] if code is not None else []
                    for k in keys:
                        new.append((p + (k,), node.get(k)))
                elif isinstance(node, dict) and s == "各项":
                    for k, v in node.items():
                        new.append((p + (k,), v))
                elif isinstance(node, dict):
                    new.append((p + (s,), node.get(s)))
                else:
                    new.append((p + (s,), None))
            results = new
            i += 2 if s == "科目" else 1
        return results

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
            t = self.table(p[0]) if len(p) == 1 and "科目" in node else None
            if t is not None:
                out += [c for c in t.roots if len(c) == 3]
            else:
                out += [_class_codes()[k] for k in node if k in _class_codes()]
        return out


@cache
def _rules_by_code() -> dict[str, AuditRule]:
    return {r.code: r for r in audit_rules()}


# -- findings ------------------------------------------------------------------------
def _finding(ctx: _Ctx, rule: AuditRule, severity: str, detail: str, path: tuple, found, expected, formula,
             cells=(), extra=None, headline: str | None = None) -> Finding:
    ex = {"path": list(path), "cells": [list(path)] + [list(c) for c in cells if c != path]}
    if extra:
        ex.update(extra)
    return Finding(rule.code, rule.name, severity, f"{headline or rule.message}：{detail}", ctx.fig.source, ctx.line(path),
                   None, None, None, found, expected, formula, ex)
