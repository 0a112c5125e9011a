"""The audit's sums as the disclosure reader needs them: given the figure paths a reading of
the tables found, every equality of rules/audit.yaml that holds among them, as
(left paths, right paths, description). The reader repairs damaged cells with these
(sources/disclosure/repair.py), so the tables' arithmetic is written once, in audit.yaml."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property, partial
from typing import Callable

from narrator.audit.kinds import _bindings, _canon_path, _row_sum_cells, _terms
from narrator.audit.model import CONSTANT_PATH, AuditRule, Cell, _Ctx, _class_names, _compile_equation, audit_rules
from narrator.core import expr as E
from narrator.core.messages import msg
from narrator.figures.model import schema
from narrator.figures.names import WORDS as W

_PRESENT = Decimal(1)     # the value given to every path found: only presence matters here


@dataclass(frozen=True)
class ReadingIdentity:
    """Σ lhs = Σ rhs over figure paths; ``code`` is the audit rule it comes from."""

    code: str
    lhs: tuple[tuple, ...]
    rhs: tuple[tuple, ...]
    _describe: Callable[[], str] = field(repr=False, compare=False)

    @cached_property
    def description(self) -> str:
        """The sum as the rule writes it, for messages (worked out only when one needs it)."""
        return self._describe()


@dataclass
class _Paths:
    """Figures made of the paths found (each worth 1), for the audit's enumeration."""

    data: dict


def _figures_of(paths) -> _Paths:
    """Nested figures with a 1 at each path (科目表 rows as the figures file lists them)."""
    data: dict = {}
    tables = _table_names()
    rows_word, total_word, code_word = W.rows, W.total, W.code
    for p in paths:
        if p[0] in tables:
            t = data.setdefault(p[0], {})
            n = len(p)
            if n == 4 and p[1] == rows_word:
                rows = t.setdefault(rows_word, {})
                row = rows.get(p[2])
                if row is None:
                    row = rows[p[2]] = {code_word: p[2]}
                row[p[3]] = _PRESENT
                continue
            if n == 3 and p[1] == total_word:
                t.setdefault(total_word, {})[p[2]] = _PRESENT
                continue
        d = data
        for k in p[:-1]:
            d = d.setdefault(k, {})
            if not isinstance(d, dict):
                break
        else:
            d[p[-1]] = _PRESENT
    for t in data.values():
        if isinstance(t.get(W.rows), dict):
            t[W.rows] = list(t[W.rows].values())
    return _Paths(data)


@cache
def _table_names() -> frozenset[str]:
    """The schema's tables (their 科目 rows and 合计 row are laid out as the figures file has them)."""
    return frozenset(name for name, node in schema().children.items() if node.kind == "table")


def identities_for_reading(paths, codes) -> list[ReadingIdentity]:
    """Each equality of the audit rules ``codes`` (in rules/audit.yaml order) among ``paths``,
    built as the audit builds it: its left side present and, for an 等式, at least one term on
    the right; absent terms are left out. Rules of kind 列合计 and 等式 only (the reader derives
    行合计 and 层级 from the 科目 codes it read); inequalities are skipped."""
    wanted = set(codes)
    ctx = _Ctx(_figures_of(paths))          # type: ignore[arg-type]  # only .data is read
    out: list[ReadingIdentity] = []
    for rule in audit_rules():
        if rule.code not in wanted:
            continue
        if rule.builder == "row_sum":
            # a row whose 合计 was read but none of its parts says they sum to 0, as the audit
            # does: a reading that lost a table's columns does not add up
            for total, parts in _row_sum_cells(ctx, rule):
                if total.given:
                    out.append(_identity(rule, total, parts, partial(_row_text, rule, total.path)))
        elif rule.builder == "equation":
            pre = tuple(rule.prefix.split(".")) if rule.prefix else ()
            for text in rule.formulas:
                eq = _compile_equation(text, rule.prefix)
                if eq.relation != "=":
                    continue
                for code in _bindings(ctx, eq):
                    # as kinds._equation_identity, without the labels the audit's messages need
                    lhs = ctx.resolve(eq.lhs, code)
                    if len(lhs) != 1 or lhs[0][1] is None or isinstance(lhs[0][1], dict):
                        continue
                    flat = _flat_rhs(text, rule.prefix)
                    parts = _terms(ctx, eq.rhs, eq, pre, code, 1) if flat is None else _flat_cells(ctx, flat, code)
                    if any(c.given and c.path != CONSTANT_PATH for c in parts):
                        out.append(_identity(rule, Cell(lhs[0][0], lhs[0][1], ""), parts,
                                             partial(_equation_text, rule, text, code, parts)))
    return out


@cache
def _flat_rhs(text: str, prefix: str | None) -> tuple | None:
    """An equation's right side as the terms ``kinds._terms`` gives, in its order, worked out once:
    (canonical path, sign) for a figure, (None, sign, constant node) for a number; None when it
    calls 取其一 (which term is taken depends on the figures: ``_terms`` then)."""
    eq = _compile_equation(text, prefix)
    pre = tuple(prefix.split(".")) if prefix else ()
    out: list[tuple] = []

    def walk(node: ast.expr, sign: int) -> bool:
        p = E.dotted(node)
        if p is not None:
            out.append((_canon_path(p, pre, eq.text), sign))
            return True
        if isinstance(node, ast.BinOp):
            return walk(node.left, sign) and walk(node.right, sign if isinstance(node.op, ast.Add) else -sign)
        if isinstance(node, ast.UnaryOp):
            return walk(node.operand, -sign if isinstance(node.op, ast.USub) else sign)
        if isinstance(node, ast.Call):
            return node.func.id != W.fn_first and all(walk(a, sign) for a in node.args)
        if isinstance(node, ast.Constant):
            out.append((None, sign, node))
            return True
        return False                      # (_terms reports it)

    return tuple(out) if walk(eq.rhs, 1) else None


def _flat_cells(ctx: _Ctx, flat: tuple, code: str | None) -> list[Cell]:
    """``_terms`` of an equation without 取其一, from its ``_flat_rhs``."""
    out = []
    for t in flat:
        if t[0] is None:
            out.append(Cell(CONSTANT_PATH, E.constant(t[2]), str(t[2].value), t[1]))
        else:
            sign = t[1]
            out += [Cell(fp, None if isinstance(v, dict) else v, "", sign) for fp, v in ctx.resolve(t[0], code)]
    return out


def _identity(rule: AuditRule, total: Cell, parts: list[Cell], describe: Callable[[], str]) -> ReadingIdentity:
    given = [c for c in parts if c.given and c.path != CONSTANT_PATH]
    return ReadingIdentity(rule.code, (total.path,) + tuple(c.path for c in given if c.sign < 0),
                           tuple(c.path for c in given if c.sign > 0), describe)


def _row_text(rule: AuditRule, path: tuple) -> str:
    """"收入决算表 208 行：本年收入合计 = 财政拨款收入 + …" (a 列合计 instance, every column named)."""
    table = path[0]
    inst = next(i for i in rule.instances if i.table == table and path[-1] == i.total)
    plus = [c for s, c in inst.terms if s > 0]
    minus = [c for s, c in inst.terms if s < 0]
    expr = " + ".join([inst.total] + minus) + " = " + " + ".join(plus)
    row = W.total if path[1] == W.total else path[2]
    return msg("identity.row", table=table, row=row, expr=expr)


def _equation_text(rule: AuditRule, text: str, code: str | None, parts: list[Cell]) -> str:
    """The rule's formula as written, for this instance: 每类 named, 取其一 by the terms it took."""
    if code is not None:
        text = text.replace(W.each_class, _class_names().get(code, code))
    left, right = re.split(r"\s*(?:>=|<=|=)\s*", text, maxsplit=1)
    if W.fn_first in right:
        n = len(rule.prefix.split(".")) if rule.prefix else 0
        right = " ".join(("+ " if c.sign > 0 else "− ") * bool(i or c.sign < 0) + ".".join(c.path[n:])
                         for i, c in enumerate(parts))
    shown = re.sub(r'\["([^"]+)"\]', r".\1", f"{left} = {right}")
    shown = re.sub(r"(?<=\D)\.(?=\D)", " ", shown)
    return shown if rule.prefix is None else msg("identity.in_table", table=rule.prefix, expr=shown)
