"""Table audit (审核公式): do the figures add up, within the rounding of printed numbers?

The rule instances are data (rules/audit.yaml); the kinds are the mechanisms here:

* ``行合计`` a 科目表's 合计 row = Σ of its top-level (类) rows, per column;
* ``层级``   类 = Σ 款, 款 = Σ 项 per column (nearest listed ancestor);
* ``列合计`` within every row, one column = a signed sum of other columns;
* ``等式``   an (in)equation over figure paths, with ``各类``/``每类``/``各项`` wildcards;
* ``绩效``   self-evaluation arithmetic (执行率, 预算执行得分, 总分, …).

Every linear check becomes an :class:`Identity` ``total ≟ Σ ± parts``. Tolerance is interval
arithmetic (XBRL Calculations 1.1, :func:`compare.interval_ok`): each printed number may be
off by half a unit in its last place. Inside the band a nonzero residue is an ``info``
(rounding residue); outside it an error naming the total's cell, both sides and the parts.
When one cell makes several identities fail and changing that one cell would make all of
them hold, a single finding names that cell (e.g. 20801 项目支出 breaks 款 = Σ 项, its own
row's 合计 = 基本 + 项目, and 208 = Σ 款 at once).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from narrator.core import expr as E
from narrator.check.compare import OK, TRUNCATED, interval_ok, verdict
from narrator.figures.model import Figures, Node, load_figures, norm_key, schema, subjects
from narrator.core.findings import Finding
from narrator.core.numbers import divide, quantum, round_half_up
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file

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


@cache
def audit_rules() -> tuple[AuditRule, ...]:
    data = load_rule_file(rules_dir() / "audit.yaml")
    out = []
    for code, spec in data["规则"].items():
        kind = spec.get("种类")
        if kind not in _KINDS:
            raise AuditRuleError(f"{code}: unknown 种类 {kind!r}")
        rule = AuditRule(str(code), spec["名称"], spec["级别"], spec["说明"], kind, dict(spec))
        if kind == "等式":
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


# -- kinds: building identities --------------------------------------------------------
def _columns(t: _Table) -> list[str]:
    return t.columns()


def _kind_total_row(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    for name in rule.spec.get("表", []):
        t = ctx.table(name)
        if t is None or not t.data.get("合计") or not t.roots:
            continue
        for col in _columns(t):
            idn = _total_row_identity(rule, t, col)
            if idn is not None:
                out.append(idn)
    return out


def _total_row_identity(rule: AuditRule, t: _Table, col: str) -> Identity | None:
    name, total = t.name, t.data["合计"]
    parts = [Cell((name, "科目", c, col), t.rows[c].get(col), c) for c in t.roots]
    if total.get(col) is None and not any(p.given for p in parts):
        return None
    return Identity(rule.code, Cell((name, "合计", col), total.get(col), f"合计行 {col}"), parts, "各类之和", name)


def _kind_hierarchy(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    for name in rule.spec.get("表", []):
        t = ctx.table(name)
        if t is None:
            continue
        cols = _columns(t)
        for code in t.parents_deepest_first():
            for col in cols:
                idn = _hierarchy_identity(rule, t, code, col)
                if idn is not None:
                    out.append(idn)
    return out


def _hierarchy_identity(rule: AuditRule, t: _Table, code: str, col: str) -> Identity | None:
    name, kids, row = t.name, t.children[code], t.rows[code]
    parts = [Cell((name, "科目", k, col), t.rows[k].get(col), k) for k in kids]
    if row.get(col) is None and not any(p.given for p in parts):
        return None
    levels = {t.level_names.get(len(k), "下级科目") for k in kids}
    what = f"其下各{levels.pop()}之和" if len(levels) == 1 else "其下各科目之和"
    return Identity(rule.code, Cell((name, "科目", code, col), row.get(col), f"{code} {col}"),
                    parts, what, f"{name} {code} {row.get('科目名称', '')}".strip())


def _kind_row_sum(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    for inst in rule.spec.get("实例", []):
        t = ctx.table(inst["表"])
        if t is None:
            continue
        present = t.columns_present()
        if any(c not in present for c in inst.get("必备列", [])):
            continue
        tcol, terms = _row_sum_terms(inst)
        for key, row in _row_sum_rows(t):
            idn = _row_sum_identity(rule, t, tcol, terms, key, row)
            if idn is not None:
                out.append(idn)
    return out


def _row_sum_terms(inst: dict) -> tuple[str, list[tuple[int, str]]]:
    """An instance's total column and its signed part columns ("-合计" → (-1, "合计"))."""
    return inst["合计"], [(-1, c[1:]) if c.startswith("-") else (1, c) for c in inst["分项"]]


def _row_sum_rows(t: _Table) -> list[tuple[str, dict]]:
    """The rows a 列合计 rule checks: the 合计 row (key "合计") first, then every 科目 row."""
    return ([("合计", t.data["合计"])] if t.data.get("合计") else []) + list(t.rows.items())


def _row_sum_identity(rule: AuditRule, t: _Table, tcol: str, terms: list[tuple[int, str]], key: str,
                      row: dict) -> Identity | None:
    name = t.name
    base = (name, "合计") if key == "合计" else (name, "科目", key)
    parts = [Cell(base + (c,), row.get(c), c, s) for s, c in terms]
    if row.get(tcol) is None and not any(p.given for p in parts):
        return None
    where = "合计行" if key == "合计" else f"{key} {row.get('科目名称', '')}".strip()
    what = "本行 " + " ".join(
        (("− " if p.sign < 0 else "+ ") if i else ("− " if p.sign < 0 else "")) + p.label
        for i, p in enumerate(x for x in parts if x.given)) if any(p.given for p in parts) else "本行各列之和"
    tlabel = tcol if key == "合计" and tcol != "合计" else f"{'合计行' if key == '合计' else key} {tcol}"
    return Identity(rule.code, Cell(base + (tcol,), row.get(tcol), tlabel), parts, what.strip(), f"{name} {where}")


def _terms(ctx: _Ctx, node: ast.expr, eq: Equation, pre: tuple, code: str | None, sign: int) -> list[Cell]:
    p = E.dotted(node)
    if p is not None:
        cpath = _canon(p, pre, eq.text)
        return [Cell(fp, v if not isinstance(v, dict) else None, "", sign) for fp, v in ctx.resolve(cpath, code)]
    if isinstance(node, ast.BinOp):
        right_sign = sign if isinstance(node.op, ast.Add) else -sign
        return _terms(ctx, node.left, eq, pre, code, sign) + _terms(ctx, node.right, eq, pre, code, right_sign)
    if isinstance(node, ast.UnaryOp):
        return _terms(ctx, node.operand, eq, pre, code, -sign if isinstance(node.op, ast.USub) else sign)
    if isinstance(node, ast.Call):
        alts = [_terms(ctx, a, eq, pre, code, sign) for a in node.args]
        if node.func.id == "取其一":
            for a in alts:
                if any(c.given for c in a):
                    return a
            return alts[-1] if alts else []
        return [c for a in alts for c in a]
    if isinstance(node, ast.Constant):
        return [Cell(("常数",), E.constant(node), str(node.value), sign)]
    raise AuditRuleError(f"unsupported expression in {eq.text!r}")


def _labels(cells: list[Cell]) -> None:
    paths = [c.path for c in cells if c.path != ("常数",)]
    prefix: tuple = ()
    if paths:
        n = min(len(p) for p in paths)
        for i in range(n):
            if all(p[i] == paths[0][i] for p in paths):
                prefix += (paths[0][i],)
            else:
                break
    for c in cells:
        if c.path == ("常数",):
            continue
        rest = [str(x) for x in c.path[len(prefix):] if x != "科目"]
        c.label = ".".join(rest) if rest else str(c.path[-1])


def _kind_equation(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    prefix = rule.spec.get("表")
    pre = tuple(prefix.split(".")) if prefix else ()
    for text in _formulas(rule):
        eq = _compile_equation(text, prefix)
        for code in _bindings(ctx, eq):
            idn = _equation_identity(ctx, rule, eq, pre, code)
            if idn is not None:
                out.append(idn)
    return out


def _bindings(ctx: _Ctx, eq: Equation) -> list[str | None]:
    """The class codes a ``每类`` equation is instantiated for ([None]: an equation without 每类)."""
    return _bindings_under(ctx, _each_prefixes(eq))


def _each_prefixes(eq: Equation) -> tuple[tuple, ...]:
    """Where the equation's ``每类`` steps range: the path before each 每类, in order."""
    return tuple(p[:p.index("每类")] for p in (eq.lhs,) + eq.paths if "每类" in p)


def _bindings_under(ctx: _Ctx, prefixes: tuple[tuple, ...]) -> list[str | None]:
    if not prefixes:
        return [None]
    # many formulas range over the same 每类 steps: worked out once per audit (callers only read it)
    codes = ctx._bindings.get(prefixes)
    if codes is None:
        codes = []
        for p in prefixes:
            for c in ctx.class_codes_under(p):
                if c not in codes:
                    codes.append(c)
        codes = ctx._bindings[prefixes] = sorted(codes)
    return codes


def _equation_identity(ctx: _Ctx, rule: AuditRule, eq: Equation, pre: tuple, code: str | None) -> Identity | None:
    lhs = ctx.resolve(eq.lhs, code)
    if len(lhs) != 1 or lhs[0][1] is None or isinstance(lhs[0][1], dict):
        return None
    total = Cell(lhs[0][0], lhs[0][1], "")
    parts = _terms(ctx, eq.rhs, eq, pre, code, 1)
    if not any(c.given for c in parts):
        return None
    _labels([total] + parts)
    given = [c for c in parts if c.given]
    what = " ".join((("− " if c.sign < 0 else "+ ") if i else ("− " if c.sign < 0 else "")) + c.label
                    for i, c in enumerate(given))
    return Identity(rule.code, total, parts, what, rule.spec.get("表") or "", eq.relation)


# -- kind: 绩效 ------------------------------------------------------------------------
def _evaluations(data: dict) -> list[tuple[tuple, dict]]:
    perf = data.get("预算绩效") or {}
    out = []
    for i, p in enumerate(((perf.get("项目自评") or {}).get("项目")) or []):
        out.append((("预算绩效", "项目自评", "项目", i), p))
    if perf.get("整体支出"):
        out.append((("预算绩效", "整体支出"), perf["整体支出"]))
    return out


def _kind_performance(ctx: _Ctx, rule: AuditRule, findings: list[Finding]) -> list[Identity]:
    check = rule.spec.get("检查")
    ids: list[Identity] = []

    def add(path, sev, detail, found, expected, formula, cells=()):
        findings.append(_finding(ctx, rule, sev, detail, path, found, expected, formula, cells))

    # only 执行率 and 预算执行得分 look at the rate: the other checks skip dividing it out
    needs_rate = check in ("执行率", "预算执行得分")
    for base, ev in _evaluations(ctx.data) if check not in ("项目数", "涉及资金", "再评价") else ():
        budget, spent, rate = ev.get("预算数"), ev.get("执行数"), ev.get("执行率")
        exact = divide(spent, budget) * 100 if needs_rate and budget not in (None, ZERO) and spent is not None \
            else None
        if rate is not None and exact is not None and verdict(exact, rate, places_of(rate) or 0) != OK \
                and rate <= 1 and verdict(exact / 100, rate, places_of(rate) or 0) == OK:
            rate = rate * 100      # printed as a fraction (0.95, 1) rather than a percent
        if check == "执行率" and exact is not None and rate is not None:
            pl = places_of(rate) or 0
            v = verdict(exact, rate, pl)
            if v != OK:
                shown = round_half_up(exact, pl + 2)
                add(base + ("执行率",), "warning" if v == TRUNCATED else rule.severity,
                    f"{ctx.cell_name(base + ('执行率',))} 印 {_num(rate)}%，执行数 {_num(spent)} ÷ 预算数 {_num(budget)}"
                    f" = {_num(shown)}%" + ("（截断而非四舍五入）" if v == TRUNCATED else ""),
                    _num(rate), _num(round_half_up(exact, pl)),
                    f"{_num(spent)} ÷ {_num(budget)} × 100 = {_num(shown)} → {_num(round_half_up(exact, pl))}",
                    (base + ("执行数",), base + ("预算数",)))
        elif check == "预算执行得分":
            w, score = ev.get("预算执行权重"), ev.get("预算执行得分")
            if w is None or score is None or (rate is None and exact is None):
                continue
            pl = places_of(score) or 0
            cands = []
            for r in (rate, exact):
                if r is not None:
                    cands.append((r, min(w, w * min(r, Decimal(100)) / 100)))
            if any(verdict(c, score, pl) == OK for _, c in cands):
                continue
            r0, c0 = cands[0]
            add(base + ("预算执行得分",), rule.severity,
                f"{ctx.cell_name(base + ('预算执行得分',))} 印 {_num(score)}，权重 {_num(w)} × 执行率 "
                f"{_num(round_half_up(r0, 2))}% = {_num(round_half_up(c0, pl))}",
                _num(score), _num(round_half_up(c0, pl)),
                "；".join(f"min({_num(w)}, {_num(w)} × {_num(round_half_up(r, 4))}%) = {_num(round_half_up(c, 4))}"
                         for r, c in cands),
                (base + ("预算执行权重",), base + ("执行率",)))
        elif check == "总分":
            total, inds = ev.get("自评得分"), ev.get("指标") or []
            if total is None or not inds or any(x.get("得分") is None for x in inds):
                continue
            parts = []
            if ev.get("预算执行得分") is not None:
                parts.append(Cell(base + ("预算执行得分",), ev["预算执行得分"], "预算执行得分"))
            parts += [Cell(base + ("指标", j, "得分"), x["得分"], x.get("名称", str(j))) for j, x in enumerate(inds)]
            ids.append(Identity(rule.code, Cell(base + ("自评得分",), total, "自评得分"), parts,
                                "预算执行得分与各指标得分之和", ctx.cell_name(base), mode="rounded"))
        elif check == "分值上限":
            for j, x in enumerate(ev.get("指标") or []):
                s, full = x.get("得分"), x.get("分值")
                if s is None or full is None:
                    continue
                if s > full or s < 0:
                    p = base + ("指标", j, "得分")
                    add(p, rule.severity, f"{ctx.cell_name(p)} {_num(s)}，分值 {_num(full)}", _num(s),
                        f"0–{_num(full)}", f"0 ≤ {_num(s)} ≤ {_num(full)} 不成立", (base + ("指标", j, "分值"),))
        elif check == "满分":
            inds = ev.get("指标") or []
            w = ev.get("预算执行权重")
            if w is None or not inds or any(x.get("分值") is None for x in inds):
                continue
            full = w + sum((x["分值"] for x in inds), ZERO)
            if full != 100:
                add(base + ("预算执行权重",), rule.severity,
                    f"{ctx.cell_name(base)}：预算执行权重与各指标分值之和为 {_num(full)}",
                    _num(full), "100", " + ".join([_num(w)] + [_num(x["分值"]) for x in inds]) + f" = {_num(full)}",
                    tuple(base + ("指标", j, "分值") for j in range(len(inds))))
    perf = ctx.data.get("预算绩效") or {}
    own = perf.get("项目自评") or {}
    projects = own.get("项目") or []
    base = ("预算绩效", "项目自评")
    if check == "项目数" and projects and own.get("项目数") is not None and own["项目数"] != len(projects):
        add(base + ("项目数",), rule.severity, f"项目自评 项目数 {own['项目数']}，列出 {len(projects)} 个项目",
            str(own["项目数"]), str(len(projects)), f"列出的项目 {len(projects)} 个")
    if check == "涉及资金" and projects and own.get("涉及资金") is not None:
        funds = own["涉及资金"]
        sums = []
        for key in ("执行数", "预算数"):
            vals = [p.get(key) for p in projects]
            if all(v is not None for v in vals):
                ok, residue, tol = interval_ok([(v, places_of(v) or 0) for v in vals], funds, places_of(funds) or 0)
                sums.append((key, sum(vals, ZERO), ok, vals))
        if sums and not any(ok for _, _, ok, _ in sums):
            key, s, _, vals = sums[0]
            add(base + ("涉及资金",), rule.severity,
                f"项目自评 涉及资金 {_num(funds)}，各项目{key}之和 {_num(s)}"
                + "".join(f"，{k}之和 {_num(x)}" for k, x, _, _ in sums[1:]),
                _num(funds), _num(s), " + ".join(_num(v) for v in vals) + f" = {_num(s)} ≠ {_num(funds)}",
                tuple(base + ("项目", i, key) for i in range(len(vals))))
    if check == "再评价":
        re_ = perf.get("再评价") or {}
        name, score = re_.get("项目名称"), re_.get("自评得分")
        if name and score is not None:
            for i, p in enumerate(projects):
                if name in (p.get("项目名称"), p.get("简称")) and p.get("自评得分") is not None:
                    if verdict(p["自评得分"], score, places_of(score) or 0) != OK:
                        add(("预算绩效", "再评价", "自评得分"), rule.severity,
                            f"再评价「{name}」自评得分 {_num(score)}，项目自评表 {_num(p['自评得分'])}",
                            _num(score), _num(p["自评得分"]), f"{_num(score)} ≠ {_num(p['自评得分'])}",
                            (base + ("项目", i, "自评得分"),))
                    break
    return ids


_KINDS = {"行合计": _kind_total_row, "层级": _kind_hierarchy, "列合计": _kind_row_sum, "等式": _kind_equation,
          "绩效": _kind_performance}


# -- the fast enumeration (audit_figures) ------------------------------------------------
# A department gives hundreds of identities (every column of every 科目 row, …) and nearly all
# of them hold exactly: residue 0, so they yield no finding at all, neither an error nor a
# rounding-residue info. audit_figures therefore walks the same identities in the same order
# as identities(), but first only adds up the raw cell values; just when total ≠ Σ parts does
# it build the Identity (cells, labels, descriptions) with the very builder identities() uses,
# and evaluate it. The order of the identities that remain is the order identities() gives,
# so failing ones, culprits and infos come out exactly as before.
#
# "total = Σ parts" here is the same Decimal arithmetic as Identity.evaluate (figures are exact
# decimals far below the 28 significant digits of the default context, so every sum is exact);
# a blank total counts as 0, as there: the test is ``(s != 0) if total is None else total != s``.

_WILDCARD_STEPS = frozenset(("科目", "各类", "每类", "各项"))


def _suspects(ctx: _Ctx) -> tuple[list[Identity], list[Finding]]:
    """identities() restricted to the ones that can give a finding, evaluated: the failing ones, and
    the "=" ones with a rounding residue ≠ 0 (an inequality that holds gives no info finding)."""
    ids: list[Identity] = []
    direct: list[Finding] = []
    for rule in audit_rules():
        kind = rule.kind
        if kind == "层级":
            _fast_hierarchy(ctx, rule, ids)
        elif kind == "列合计":
            _fast_row_sum(ctx, rule, ids)
        elif kind == "行合计":
            _fast_total_row(ctx, rule, ids)
        elif kind == "等式":
            _fast_equation(ctx, rule, ids)
        else:  # 绩效: a handful of cells per department, built and evaluated as identities() does
            for idn in _KINDS[kind](ctx, rule, direct):
                idn.evaluate()
                if not idn.ok or idn.residue != 0 and idn.relation == "=":
                    ids.append(idn)
    return ids, direct


def _fast_total_row(ctx: _Ctx, rule: AuditRule, out: list[Identity]) -> None:
    for name in rule.spec.get("表", []):
        t = ctx.table(name)
        if t is None or not t.data.get("合计") or not t.roots:
            continue
        total = t.data["合计"]
        roots = [t.rows[c] for c in t.roots]
        for col in t.columns():
            s = ZERO
            for r in roots:
                v = r.get(col)
                if v is not None:
                    s += v
            total_value = total.get(col)
            if (s != 0) if total_value is None else (total_value != s):
                idn = _total_row_identity(rule, t, col)
                if idn is not None:
                    out.append(idn.evaluate())


def _fast_hierarchy(ctx: _Ctx, rule: AuditRule, out: list[Identity]) -> None:
    for name in rule.spec.get("表", []):
        t = ctx.table(name)
        if t is None:
            continue
        cols = t.columns()
        rows = t.rows
        for code in t.parents_deepest_first():
            row = rows[code]
            kids = t.children[code]
            if len(kids) == 1:  # the loop below for one kid, unrolled: Σ is ZERO + the cell, or ZERO
                kid = rows[kids[0]]
                for col in cols:
                    v, total = kid.get(col), row.get(col)
                    s = ZERO if v is None else ZERO + v  # (the addition rounds as the loop's does)
                    if (s != 0) if total is None else (total != s):
                        idn = _hierarchy_identity(rule, t, code, col)
                        if idn is not None:
                            out.append(idn.evaluate())
                continue
            kids = [rows[k] for k in kids]
            for col in cols:
                s = ZERO
                for r in kids:
                    v = r.get(col)
                    if v is not None:
                        s += v
                total = row.get(col)
                if (s != 0) if total is None else (total != s):
                    idn = _hierarchy_identity(rule, t, code, col)
                    if idn is not None:
                        out.append(idn.evaluate())


def _fast_row_sum(ctx: _Ctx, rule: AuditRule, out: list[Identity]) -> None:
    for inst in rule.spec.get("实例", []):
        t = ctx.table(inst["表"])
        if t is None:
            continue
        present = t.columns_present()
        if any(c not in present for c in inst.get("必备列", [])):
            continue
        tcol, terms = _row_sum_terms(inst)
        # a column with no cell in the table (nor in its 合计 row) adds nothing to any row
        plus = [c for sign, c in terms if sign > 0 and c in present]
        minus = [c for sign, c in terms if sign < 0 and c in present]
        for key, row in _row_sum_rows(t):
            s = ZERO
            for c in plus:
                v = row.get(c)
                if v is not None:
                    s += v
            for c in minus:
                v = row.get(c)
                if v is not None:
                    s -= v
            total = row.get(tcol)
            if (s != 0) if total is None else (total != s):
                idn = _row_sum_identity(rule, t, tcol, terms, key, row)
                if idn is not None:
                    out.append(idn.evaluate())


@dataclass(frozen=True)
class _Term:
    """One summand of a compiled equation's right side: a figure path, a constant or 取其一(…)."""
    sign: int
    path: tuple = ()              # canonical path
    each: int | None = None       # see _shape: -1 plain, i ≥ 0 one 每类 at i, None anything else
    constant: Decimal | None = None
    choices: tuple = ()           # 取其一: alternatives, each a tuple of _Term


@cache
def _compiled_terms(text: str, prefix: str | None) -> tuple[_Term, ...]:
    """The right side of an equation as a flat tuple of terms (the same signs and order as _terms)."""
    eq = _compile_equation(text, prefix)
    pre = tuple(prefix.split(".")) if prefix else ()

    def walk(node: ast.expr, sign: int) -> list[_Term]:
        p = E.dotted(node)
        if p is not None:
            cpath = _canon(p, pre, eq.text)
            return [_Term(sign, cpath, _shape(cpath))]
        if isinstance(node, ast.BinOp):
            return walk(node.left, sign) + walk(node.right, sign if isinstance(node.op, ast.Add) else -sign)
        if isinstance(node, ast.UnaryOp):
            return walk(node.operand, -sign if isinstance(node.op, ast.USub) else sign)
        if isinstance(node, ast.Call):
            alts = [tuple(walk(a, sign)) for a in node.args]
            if node.func.id == "取其一":
                return [_Term(sign, choices=tuple(alts))]
            return [t for a in alts for t in a]
        if isinstance(node, ast.Constant):
            return [_Term(sign, constant=E.constant(node))]
        raise AuditRuleError(f"unsupported expression in {eq.text!r}")

    return tuple(walk(eq.rhs, 1))


def _shape(path: tuple) -> int | None:
    """How to find the one cell of a path: -1 by walking the dicts (no 科目/各类/每类/各项 step),
    i ≥ 0 the same with a 每类 at step i (its only special step); None: through _Ctx.resolve."""
    special = [i for i, s in enumerate(path) if s in _WILDCARD_STEPS]
    if not special:
        return -1
    if len(special) == 1 and path[special[0]] == "每类":
        return special[0]
    return None


def _walk(node, path: tuple):
    """The value at a plain path (what _Ctx.resolve gives for a path without wildcards)."""
    for s in path:
        if not isinstance(node, dict):
            return None
        node = node.get(s)
    return node


def _cell_at(ctx: _Ctx, path: tuple, each: int, code: str | None):
    """The single value _Ctx.resolve(path, code) gives for a path of shape ``each`` ≠ None (see _shape)."""
    # The walk up to the 每类 step (or the whole walk, for a plain path) is the same for every
    # code an equation is bound to: it is done once per audit (the figures do not change meanwhile).
    # ``each`` is a function of ``path`` (_shape), so the path alone is the key.
    known = ctx._walked.get(path)
    if known is None:
        known = ctx._walked[path] = (_walk(ctx.data, path),) if each < 0 else \
            (_walk(ctx.data, path[:each]), path[each + 1:])
    if each < 0:
        return known[0]
    node, tail = known
    if isinstance(node, dict):
        t = ctx.table(path[0]) if each == 1 and "科目" in node else None
        node = t.rows.get(code) if t is not None else node.get(_class_names().get(code))
    else:
        node = None
    return _walk(node, tail)


def _term_values(ctx: _Ctx, terms: tuple, code: str | None) -> list[tuple[int, object]]:
    """(sign, value or None) for every cell _terms would give, in the same order."""
    out: list[tuple[int, object]] = []
    for term in terms:
        if term.choices:
            alts = [_term_values(ctx, a, code) for a in term.choices]
            pick = next((a for a in alts if any(v is not None for _, v in a)), alts[-1] if alts else [])
            out += pick
        elif term.constant is not None:
            out.append((term.sign, term.constant))
        elif term.each is not None and (code is not None or term.each < 0):
            v = _cell_at(ctx, term.path, term.each, code)
            out.append((term.sign, None if isinstance(v, dict) else v))
        else:
            out += [(term.sign, None if isinstance(v, dict) else v) for _, v in ctx.resolve(term.path, code)]
    return out


def _term_sum(ctx: _Ctx, terms: tuple, code: str | None) -> tuple[bool, Decimal]:
    """(whether any cell is given, Σ sign·value) over what _term_values gives, added in the same
    order; single cells (most terms) are read in place, without the list _term_values builds."""
    s = ZERO
    given = False
    for term in terms:
        each = term.each
        if each is not None and not term.choices and term.constant is None and (code is not None or each < 0):
            v = _cell_at(ctx, term.path, each, code)
            if v is not None and not isinstance(v, dict):
                given = True
                s += term.sign * v
        else:
            for sign, v in _term_values(ctx, (term,), code):
                if v is not None:
                    given = True
                    s += sign * v
    return given, s


@cache
def _compiled_equations(code: str) -> tuple[tuple[Equation, tuple, int | None, tuple], ...]:
    """Per formula of an 等式 rule: the equation, its right side's terms, the left side's shape and
    the 每类 prefixes: all that does not depend on the figures, worked out once per process."""
    rule = _rules_by_code()[code]
    prefix = rule.spec.get("表")
    out = []
    for text in _formulas(rule):
        eq = _compile_equation(text, prefix)
        out.append((eq, _compiled_terms(text, prefix), _shape(eq.lhs), _each_prefixes(eq)))
    return tuple(out)


def _fast_equation(ctx: _Ctx, rule: AuditRule, out: list[Identity]) -> None:
    prefix = rule.spec.get("表")
    pre = tuple(prefix.split(".")) if prefix else ()
    for eq, terms, each, each_prefixes in _compiled_equations(rule.code):
        relation = eq.relation
        for code in _bindings_under(ctx, each_prefixes):
            if each is not None and (code is not None or each < 0):
                total = _cell_at(ctx, eq.lhs, each, code)
            else:
                lhs = ctx.resolve(eq.lhs, code)
                if len(lhs) != 1:
                    continue
                total = lhs[0][1]
            if total is None or isinstance(total, dict):
                continue
            given, s = _term_sum(ctx, terms, code)
            # An inequality that holds outright (total ≥ Σ for ">=") is ok whatever the tolerance
            # (Identity.evaluate: residue = total − Σ, tolerance ≥ 0) and, not being an "=",
            # gives no rounding info either: no finding, so it is not built.
            if given and total != s and (relation == "=" or (total < s if relation == ">=" else total > s)):
                idn = _equation_identity(ctx, rule, eq, pre, code)
                if idn is not None:
                    idn.evaluate()
                    # an inequality short by less than its rounding tolerance holds after all
                    # ("interval" mode): no finding, so left out as identities() filters it
                    if not idn.ok or idn.relation == "=":
                        out.append(idn)


# -- findings --------------------------------------------------------------------------
def _finding(ctx: _Ctx, rule: AuditRule, severity: str, detail: str, path: tuple, found, expected, formula,
             cells=(), extra=None, headline: str | None = None) -> Finding:
    ex = {"path": list(path), "cells": [list(path)] + [list(c) for c in cells if c != path]}
    if extra:
        ex.update(extra)
    return Finding(rule.code, rule.name, severity, f"{headline or rule.message}：{detail}", ctx.fig.source, ctx.line(path),
                   None, None, None, found, expected, formula, ex)


def _single(ctx: _Ctx, rules: dict[str, AuditRule], idn: Identity, severity: str | None = None) -> Finding:
    rule = rules[idn.code]
    name = ctx.cell_name(idn.total.path)
    t = _num(idn.total.value) if idn.total.given else "空"
    headline = None
    if idn.ok:
        headline = "舍入尾差，不是差错"
        detail = (f"{name} {t}，{idn.what} {_num(idn.sum)}，差 {_trim(idn.residue)}，"
                  f"在舍入容差 ±{_trim(idn.tol)} 之内")
    elif idn.relation == "=":
        detail = (f"{name} 印 {t}，{idn.what} {_num(idn.sum)}"
                  f"（差 {_trim(idn.residue)}，超出舍入容差 ±{_trim(idn.tol)}）")
    else:
        word = "小于" if idn.relation == ">=" else "大于"
        detail = f"{name} {t} {word} {idn.what} {_num(idn.sum)}（差 {_trim(abs(idn.residue))}）"
    return _finding(ctx, rule, severity or rule.severity, detail, idn.total.path, t, _num(idn.sum), idn.formula(),
                    [c.path for c in idn.cells()],
                    {"residue": _trim(idn.residue), "tolerance": _trim(idn.tol)}, headline)


def _intersect(a, b):
    lo = a[0] if b[0] is None else (b[0] if a[0] is None else max(a[0], b[0]))
    hi = a[1] if b[1] is None else (b[1] if a[1] is None else min(a[1], b[1]))
    if lo is not None and hi is not None and lo > hi:
        return None
    return lo, hi


def _culprits(failing: list[Identity]) -> tuple[list[tuple[tuple, Cell, list[Identity]]], list[Identity]]:
    """Cells that explain several failing identities at once (one change fixes them all)."""
    remaining = list(failing)
    found: list[tuple[tuple, Cell, list[Identity]]] = []
    while len(remaining) >= 2:
        by_cell: dict[tuple, list[Identity]] = {}
        cell_of: dict[tuple, Cell] = {}
        for idn in remaining:
            for c in [idn.total] + idn.parts:
                if c.path == ("常数",):
                    continue
                lst = by_cell.setdefault(c.path, [])
                if idn not in lst:
                    lst.append(idn)
                cell_of.setdefault(c.path, c)
        best = None
        for order, (path, ids) in enumerate(by_cell.items()):
            if len(ids) < 2:
                continue
            # judge the identities where the cell is the total first
            ids = sorted(ids, key=lambda i: i.total.path != path)
            chosen, box = [], (None, None)
            for idn in ids:
                iv = idn.fix_interval(path)
                if iv is None:
                    continue
                nb = _intersect(box, iv)
                if nb is not None:
                    chosen.append(idn)
                    box = nb
            if len(chosen) < 2:
                continue
            is_total = any(i.total.path == path for i in chosen)
            key = (len(chosen), is_total, -order)
            if best is None or key > best[0]:
                best = (key, path, chosen, box)
        if best is None:
            break
        _, path, chosen, box = best
        found.append((path, cell_of[path], chosen))
        remaining = [i for i in remaining if i not in chosen]
    return found, remaining


def _merged(ctx: _Ctx, rules: dict[str, AuditRule], path: tuple, cell: Cell, ids: list[Identity]) -> Finding:
    v = cell.value if cell.value is not None else ZERO
    box = (None, None)
    for idn in ids:
        box = _intersect(box, idn.fix_interval(path)) or box
    implied = []
    for idn in ids:
        implied.append(v + idn.exact_fix(path))
    expected = None
    for x in implied:
        d = x - v
        if (box[0] is None or d >= box[0]) and (box[1] is None or d <= box[1]):
            expected = x
            break
    if expected is None:
        expected = implied[0]
    views = []
    for idn, x in zip(ids, implied):
        if idn.total.path == path:
            views.append(f"{idn.what}为 {_num(x)}（{idn.code}）")
        else:
            views.append(f"由 {ctx.cell_name(idn.total.path)} {_num(idn.total.value) if idn.total.given else '空'}"
                         f" 与其余各项倒算为 {_num(x)}（{idn.code}）")
    first = next((i for i in ids if i.total.path == path), ids[0])
    rule = rules[first.code]
    severity = min((rules[i.code].severity for i in ids), key=lambda s: _SEVERITY_RANK.get(s, 3))
    name = ctx.cell_name(path)
    detail = (f"{name} 印 {_num(cell.value) if cell.given else '空'}，同时使 {len(ids)} 条审核关系不成立，"
              f"只改这一格即可都成立：" + "；".join(views))
    cells: list[tuple] = []
    for idn in ids:
        for c in idn.cells():
            if c.path not in cells:
                cells.append(c.path)
    return _finding(ctx, rule, severity, detail, path, _num(cell.value) if cell.given else "空", _num(expected),
                    "；".join(i.formula() for i in ids), cells,
                    {"rules": [i.code for i in ids], "residues": [_trim(i.residue) for i in ids],
                     "tolerances": [_trim(i.tol) for i in ids]})


def identities(figures: Figures) -> tuple[list[Identity], list[Finding]]:
    """Every linear identity the rules give for these figures (evaluated), plus direct findings."""
    ctx = _Ctx(figures)
    ids: list[Identity] = []
    direct: list[Finding] = []
    for rule in audit_rules():
        if rule.kind == "绩效":
            ids += _kind_performance(ctx, rule, direct)
        else:
            ids += _KINDS[rule.kind](ctx, rule)
    for idn in ids:
        idn.evaluate()
    return ids, direct


def audit_figures(figures: Figures, info: bool = True) -> list[Finding]:
    """Run the table audit (rules/audit.yaml) over one department's figures.

    Errors for identities that fail beyond rounding tolerance; ``info`` findings (when
    ``info``) for rounding residues inside the tolerance band. Sorted by line.
    """
    ctx = _Ctx(figures)
    ids, direct = _suspects(ctx)
    return _report(ctx, ids, direct, info)


def _report(ctx: _Ctx, ids: list[Identity], direct: list[Finding], info: bool) -> list[Finding]:
    """Findings from evaluated identities (any that hold with residue 0 may be left out: they give none)."""
    rules = _rules_by_code()
    failing = [i for i in ids if not i.ok]
    culprits, rest = _culprits(failing)
    out = list(direct)
    for path, cell, group in culprits:
        out.append(_merged(ctx, rules, path, cell, group))
    for idn in rest:
        out.append(_single(ctx, rules, idn))
    if info:
        for idn in ids:
            if idn.ok and idn.residue != 0 and idn.relation == "=":
                out.append(_single(ctx, rules, idn, "info"))
    out.sort(key=lambda f: (f.line or 0, _SEVERITY_RANK.get(f.severity, 3), f.code, f.message))
    return out


@cache
def _rules_by_code() -> dict[str, AuditRule]:
    return {r.code: r for r in audit_rules()}


def validate_file(path: str | Path, info: bool = True) -> list[Finding]:
    """Load a figures file and audit it (``narrator validate``)."""
    return audit_figures(load_figures(path), info=info)
