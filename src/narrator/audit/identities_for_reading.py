"""The audit's sums as the disclosure reader needs them: given the figure paths a reading of
the tables found, every equality of rules/audit.yaml that holds among them, as
(left paths, right paths, description). The reader repairs damaged cells with these
(sources/disclosure/repair.py), so the tables' arithmetic is written once, in audit.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from narrator.audit.kinds import _bindings, _equation_identity, _kind_row_sum
from narrator.audit.model import CONSTANT_PATH, AuditRule, _Ctx, _class_names, _compile_equation, audit_rules
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
    description: str


@dataclass
class _Paths:
    """Figures made of the paths found (each worth 1), for the audit's enumeration."""

    data: dict


def _figures_of(paths) -> _Paths:
    """Nested figures with a 1 at each path (科目表 rows as the figures file lists them)."""
    data: dict = {}
    for p in paths:
        node = schema().children.get(p[0])
        if node is not None and node.kind == "table":
            t = data.setdefault(p[0], {})
            if len(p) == 4 and p[1] == W.rows:
                rows = t.setdefault(W.rows, {})
                rows.setdefault(p[2], {W.code: p[2]})[p[3]] = _PRESENT
                continue
            if len(p) == 3 and p[1] == W.total:
                t.setdefault(W.total, {})[p[2]] = _PRESENT
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
            for idn in _kind_row_sum(ctx, rule):
                _add(out, rule, idn, _row_text(rule, idn), keep_empty=True)
        elif rule.builder == "equation":
            pre = tuple(rule.prefix.split(".")) if rule.prefix else ()
            for text in rule.formulas:
                eq = _compile_equation(text, rule.prefix)
                for code in _bindings(ctx, eq):
                    idn = _equation_identity(ctx, rule, eq, pre, code)
                    if idn is not None:
                        _add(out, rule, idn, _equation_text(rule, text, code, idn))
    return out


def _add(out: list, rule: AuditRule, idn, description: str, keep_empty: bool = False) -> None:
    """``idn`` as a reading identity, when it is an equality with its left side found. A row
    whose 合计 was read but none of its parts (keep_empty) says the parts sum to 0, as the audit
    does: a reading that lost a table's columns does not add up."""
    if idn.relation != "=" or not idn.total.given:
        return
    parts = [c for c in idn.parts if c.given and c.path != CONSTANT_PATH]
    if parts or keep_empty:
        out.append(ReadingIdentity(rule.code, (idn.total.path,) + tuple(c.path for c in parts if c.sign < 0),
                                   tuple(c.path for c in parts if c.sign > 0), description))


def _row_text(rule: AuditRule, idn) -> str:
    """"收入决算表 208 行：本年收入合计 = 财政拨款收入 + …" (a 列合计 instance, every column named)."""
    table = idn.total.path[0]
    inst = next(i for i in rule.instances if i.table == table and idn.total.path[-1] == i.total)
    plus = [c for s, c in inst.terms if s > 0]
    minus = [c for s, c in inst.terms if s < 0]
    expr = " + ".join([inst.total] + minus) + " = " + " + ".join(plus)
    row = W.total if idn.total.path[1] == W.total else idn.total.path[2]
    return msg("identity.row", table=table, row=row, expr=expr)


def _equation_text(rule: AuditRule, text: str, code: str | None, idn) -> str:
    """The rule's formula as written, for this instance: 每类 named, 取其一 by the terms it took."""
    if code is not None:
        text = text.replace(W.each_class, _class_names().get(code, code))
    left, right = re.split(r"\s*(?:>=|<=|=)\s*", text, maxsplit=1)
    if W.fn_first in right:
        n = len(rule.prefix.split(".")) if rule.prefix else 0
        right = " ".join(("+ " if c.sign > 0 else "− ") * bool(i or c.sign < 0) + ".".join(c.path[n:])
                         for i, c in enumerate(idn.parts))
    shown = re.sub(r'\["([^"]+)"\]', r".\1", f"{left} = {right}")
    shown = re.sub(r"(?<=\D)\.(?=\D)", " ", shown)
    return shown if rule.prefix is None else msg("identity.in_table", table=rule.prefix, expr=shown)
