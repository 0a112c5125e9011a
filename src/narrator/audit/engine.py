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
row's 合计 = 基本 + 项目, and 208 = Σ 款 at once)."""

from __future__ import annotations

from pathlib import Path

from narrator.audit.kinds import _KINDS, _kind_performance
from narrator.audit.kinds_fast import suspects
from narrator.audit.model import (
    _finding, _rules_by_code, AuditRule, CONSTANT_PATH, Cell, Identity, ZERO, _Ctx, _SEVERITY_RANK, _num, _trim,
    audit_rules,
)
from narrator.audit.signs import sign_findings
from narrator.core import fast
from narrator.core.findings import Finding
from narrator.figures.model import Figures
from narrator.figures.load import load_figures


# -- findings --------------------------------------------------------------------------
def _single(ctx: _Ctx, rules: dict[str, AuditRule], idn: Identity, severity: str | None = None) -> Finding:
    rule = rules[idn.code]
    name = ctx.cell_name(idn.total.path)
    t = _num(idn.total.value) if idn.total.given else ctx.msg("audit.blank")
    if idn.ok:
        message = ctx.msg("audit.rounding_residue", cell=name, total=t, what=idn.what, sum=_num(idn.sum),
                          residue=_trim(idn.residue), tolerance=_trim(idn.tol))
    elif idn.relation == "=":
        message = ctx.msg("audit.beyond_tolerance", rule=ctx.rule_message(rule.code), cell=name, total=t,
                          what=idn.what, sum=_num(idn.sum), residue=_trim(idn.residue), tolerance=_trim(idn.tol))
    elif idn.relation == ">=":
        message = ctx.msg("audit.less_than", rule=ctx.rule_message(rule.code), cell=name, total=t, what=idn.what,
                          sum=_num(idn.sum), difference=_trim(abs(idn.residue)))
    else:
        message = ctx.msg("audit.greater_than", rule=ctx.rule_message(rule.code), cell=name, total=t, what=idn.what,
                          sum=_num(idn.sum), difference=_trim(abs(idn.residue)))
    return _finding(ctx, rule, severity or rule.severity, message, idn.total.path, t, _num(idn.sum), idn.formula(),
                    [c.path for c in idn.cells()],
                    {"residue": _trim(idn.residue), "tolerance": _trim(idn.tol)})


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
                if c.path == CONSTANT_PATH:
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
            views.append(ctx.msg("audit.fix_as_total", what=idn.what, value=_num(x), code=idn.code))
        else:
            views.append(ctx.msg("audit.fix_from_total", cell=ctx.cell_name(idn.total.path), value=_num(x),
                                 code=idn.code,
                                 total=_num(idn.total.value) if idn.total.given else ctx.msg("audit.blank")))
    first = next((i for i in ids if i.total.path == path), ids[0])
    rule = rules[first.code]
    severity = min((rules[i.code].severity for i in ids), key=lambda s: _SEVERITY_RANK.get(s, 3))
    name = ctx.cell_name(path)
    message = ctx.msg("audit.one_cell_breaks", rule=ctx.rule_message(rule.code), cell=name, count=len(ids))
    cells: list[tuple] = []
    for idn in ids:
        for c in idn.cells():
            if c.path not in cells:
                cells.append(c.path)
    found = _num(cell.value) if cell.given else ctx.msg("audit.blank")
    return _finding(ctx, rule, severity, message, path, found, _num(expected),
                    ctx.msg("join.semicolon").join([ctx.msg("audit.one_change_fixes", view=views[0])] + views[1:]
                                               + [i.formula() for i in ids]), cells,
                    {"rules": [i.code for i in ids], "residues": [_trim(i.residue) for i in ids],
                     "tolerances": [_trim(i.tol) for i in ids]})


def identities(figures: Figures) -> tuple[list[Identity], list[Finding]]:
    """Every linear identity the rules give for these figures (evaluated), plus direct findings."""
    ctx = _Ctx(figures)
    ids: list[Identity] = []
    direct: list[Finding] = []
    for rule in audit_rules():
        if rule.builder == "performance":
            ids += _kind_performance(ctx, rule, direct)
        else:
            ids += _KINDS[rule.builder](ctx, rule)
    for idn in ids:
        idn.evaluate()
    return ids, direct


def audit_figures(figures: Figures, info: bool = True) -> list[Finding]:
    """Run the table audit (rules/audit.yaml) over one department's figures.

    Errors for identities that fail beyond rounding tolerance; ``info`` findings (when
    ``info``) for rounding residues inside the tolerance band; negative numbers (signs.py).
    Sorted by line.
    """
    ctx = _Ctx(figures)
    ids, direct = suspects(ctx) if fast.ENABLED else identities(figures)
    return _report(ctx, ids, direct, info)


def _report(ctx: _Ctx, ids: list[Identity], direct: list[Finding], info: bool) -> list[Finding]:
    """Findings from evaluated identities (any that hold with residue 0 may be left out: they give none),
    the direct findings and the negative numbers (signs.py)."""
    rules = _rules_by_code()
    failing = [i for i in ids if not i.ok and not _within_doubt(i, ctx.fig.uncertain)]
    culprits, rest = _culprits(failing)
    out = list(direct) + sign_findings(ctx)
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


def _within_doubt(idn: Identity, uncertain: dict) -> bool:
    """Whether a failing identity holds once the cells the reader could not complete are given
    their room (a printed "171.8" where the tables print cents is anything in [171.80, 171.90)):
    then the table is not proven wrong, and the reader's D002 already says why."""
    if not uncertain:
        return False
    room = sum((uncertain.get(c.path, ZERO) for c in idn.cells()), ZERO)
    if not room:
        return False
    if idn.relation == ">=":
        return idn.residue >= -(idn.tol + room)
    if idn.relation == "<=":
        return idn.residue <= idn.tol + room
    return abs(idn.residue) <= idn.tol + room


def validate_file(path: str | Path, info: bool = True) -> list[Finding]:
    """Load a figures file and audit it (``narrator validate``)."""
    return audit_figures(load_figures(path), info=info)
