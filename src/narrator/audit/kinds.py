"""The reference enumeration: each rule kind (行合计, 层级, 列合计, 等式, 绩效) builds every
identity its instances give for a department."""

from __future__ import annotations

import ast
from decimal import Decimal
from functools import cache

from narrator.audit.model import (
    _finding, AuditRule, AuditRuleError, CONSTANT_PATH, Cell, Equation, Identity, ZERO, _Ctx, _Table, _canon,
    _compile_equation, _num, places_of,
)
from narrator.check.compare import OK, TRUNCATED, interval_ok, verdict
from narrator.core import expr as E
from narrator.core.findings import Finding
from narrator.core.numbers import divide, round_half_up
from narrator.figures.names import WORDS as W


# -- kinds: building identities --------------------------------------------------------
def _columns(t: _Table) -> list[str]:
    return t.columns()


def _kind_total_row(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    for name in rule.tables:
        t = ctx.table(name)
        if t is None or not t.data.get(W.total) or not t.roots:
            continue
        for col in _columns(t):
            idn = _total_row_identity(rule, t, col)
            if idn is not None:
                out.append(idn)
    return out


def _total_row_identity(rule: AuditRule, t: _Table, col: str) -> Identity | None:
    name, total = t.name, t.data[W.total]
    parts = [Cell((name, W.rows, c, col), t.rows[c].get(col), c) for c in t.roots]
    if total.get(col) is None and not any(p.given for p in parts):
        return None
    return Identity(rule.code, Cell((name, W.total, col), total.get(col), f"{W.total_row} {col}"), parts,
                    t.msg("audit.sum_of_classes"), name)


def _kind_hierarchy(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    for name in rule.tables:
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
    parts = [Cell((name, W.rows, k, col), t.rows[k].get(col), k) for k in kids]
    if row.get(col) is None and not any(p.given for p in parts):
        return None
    levels = {t.level_names.get(len(k)) for k in kids}
    if len(levels) == 1:
        level = levels.pop()
        what = t.msg("audit.sum_of_level", level=level if level is not None else t.msg("audit.lower_level"))
    else:
        what = t.msg("audit.sum_of_subjects")
    return Identity(rule.code, Cell((name, W.rows, code, col), row.get(col), f"{code} {col}"),
                    parts, what, f"{name} {code} {row.get(W.name, '')}".strip())


def _row_sum_tables(ctx: _Ctx, rule: AuditRule):
    """(instance, table, its columns) of each of ``rule``'s instances whose table is there with
    the columns the instance needs."""
    for inst in rule.instances:
        t = ctx.table(inst.table)
        if t is None:
            continue
        present = t.columns_present()
        if any(c not in present for c in inst.required):
            continue
        yield inst, t, present


def _kind_row_sum(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    for inst, t, _present in _row_sum_tables(ctx, rule):
        for key, row in _row_sum_rows(t):
            idn = _row_sum_identity(rule, t, inst.total, inst.terms, key, row)
            if idn is not None:
                out.append(idn)
    return out


def _row_sum_cells(ctx: _Ctx, rule: AuditRule):
    """(total cell, part cells) of each identity ``_kind_row_sum`` builds, in its order, without
    the words its messages need (the disclosure reader wants only the cells)."""
    for inst, t, _present in _row_sum_tables(ctx, rule):
        for key, row in _row_sum_rows(t):
            cells = _row_cells(t, inst.total, inst.terms, key, row)
            if cells is not None:
                base, parts = cells
                yield Cell(base + (inst.total,), row.get(inst.total), ""), parts


def _row_cells(t: _Table, tcol: str, terms: tuple[tuple[int, str], ...], key: str, row: dict):
    base = (t.name, W.total) if key == W.total else (t.name, W.rows, key)
    parts = [Cell(base + (c,), row.get(c), c, s) for s, c in terms]
    if row.get(tcol) is None and not any(p.given for p in parts):
        return None
    return base, parts


def _row_sum_rows(t: _Table) -> list[tuple[str, dict]]:
    """The rows a 列合计 rule checks: the 合计 row (key "合计") first, then every 科目 row."""
    return ([(W.total, t.data[W.total])] if t.data.get(W.total) else []) + list(t.rows.items())


def _row_sum_identity(rule: AuditRule, t: _Table, tcol: str, terms: tuple[tuple[int, str], ...], key: str,
                      row: dict) -> Identity | None:
    name = t.name
    cells = _row_cells(t, tcol, terms, key, row)
    if cells is None:
        return None
    base, parts = cells
    where = W.total_row if key == W.total else f"{key} {row.get(W.name, '')}".strip()
    what = t.msg("audit.this_row", terms=" ".join(
        (("− " if p.sign < 0 else "+ ") if i else ("− " if p.sign < 0 else "")) + p.label
        for i, p in enumerate(x for x in parts if x.given))) if any(p.given for p in parts) \
        else t.msg("audit.this_row_columns")
    tlabel = tcol if key == W.total and tcol != W.total else f"{W.total_row if key == W.total else key} {tcol}"
    return Identity(rule.code, Cell(base + (tcol,), row.get(tcol), tlabel), parts, what.strip(), f"{name} {where}")


@cache
def _canon_path(p: tuple, pre: tuple, text: str) -> tuple:
    """``_canon`` of a rule's path (keyed by the rules: the same few hundred paths, for every document)."""
    return _canon(p, pre, text)


def _terms(ctx: _Ctx, node: ast.expr, eq: Equation, pre: tuple, code: str | None, sign: int) -> list[Cell]:
    p = E.dotted(node)
    if p is not None:
        cpath = _canon_path(p, pre, eq.text)
        return [Cell(fp, v if not isinstance(v, dict) else None, "", sign) for fp, v in ctx.resolve(cpath, code)]
    if isinstance(node, ast.BinOp):
        right_sign = sign if isinstance(node.op, ast.Add) else -sign
        return _terms(ctx, node.left, eq, pre, code, sign) + _terms(ctx, node.right, eq, pre, code, right_sign)
    if isinstance(node, ast.UnaryOp):
        return _terms(ctx, node.operand, eq, pre, code, -sign if isinstance(node.op, ast.USub) else sign)
    if isinstance(node, ast.Call):
        alts = [_terms(ctx, a, eq, pre, code, sign) for a in node.args]
        if node.func.id == W.fn_first:
            for a in alts:
                if any(c.given for c in a):
                    return a
            return alts[-1] if alts else []
        return [c for a in alts for c in a]
    if isinstance(node, ast.Constant):
        return [Cell(CONSTANT_PATH, E.constant(node), str(node.value), sign)]
    raise AuditRuleError(f"unsupported expression in {eq.text!r}")


def _labels(cells: list[Cell]) -> None:
    paths = [c.path for c in cells if c.path != CONSTANT_PATH]
    prefix: tuple = ()
    if paths:
        n = min(len(p) for p in paths)
        for i in range(n):
            if all(p[i] == paths[0][i] for p in paths):
                prefix += (paths[0][i],)
            else:
                break
    for c in cells:
        if c.path == CONSTANT_PATH:
            continue
        rest = [str(x) for x in c.path[len(prefix):] if x != W.rows]
        c.label = " ".join(rest) if rest else str(c.path[-1])


def _kind_equation(ctx: _Ctx, rule: AuditRule) -> list[Identity]:
    out = []
    prefix = rule.prefix
    pre = tuple(prefix.split(".")) if prefix else ()
    for text in rule.formulas:
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
    return tuple(p[:p.index(W.each_class)] for p in (eq.lhs,) + eq.paths if W.each_class in p)


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
    return Identity(rule.code, total, parts, what, rule.prefix or "", eq.relation)


# -- kind: 绩效 ------------------------------------------------------------------------
def _evaluations(data: dict) -> list[tuple[tuple, dict]]:
    perf = data.get(W.performance) or {}
    out = []
    for i, p in enumerate(((perf.get(W.project_eval) or {}).get(W.projects)) or []):
        out.append(((W.performance, W.project_eval, W.projects, i), p))
    if perf.get(W.whole):
        out.append(((W.performance, W.whole), perf[W.whole]))
    return out


def _kind_performance(ctx: _Ctx, rule: AuditRule, findings: list[Finding]) -> list[Identity]:
    check = rule.check
    ids: list[Identity] = []

    def add(path, sev, detail, found, expected, formula, cells=()):
        message = ctx.msg("audit.finding", rule=ctx.rule_message(rule.code), detail=detail)
        findings.append(_finding(ctx, rule, sev, message, path, found, expected, formula, cells))

    # only 执行率 and 预算执行得分 look at the rate: the other checks skip dividing it out
    needs_rate = check in ("rate", "budget_score")
    scores = ctx.msg("audit.sum_of_scores", exec_score=W.exec_score, indicator=W.indicators, score=W.score) \
        if check == "total_score" else ""
    for base, ev in _evaluations(ctx.data) if check not in ("project_count", "project_funds", "re_evaluation") else ():
        budget, spent, rate = ev.get(W.budget), ev.get(W.spent), ev.get(W.rate)
        exact = divide(spent, budget) * 100 if needs_rate and budget not in (None, ZERO) and spent is not None \
            else None
        if rate is not None and exact is not None and verdict(exact, rate, places_of(rate) or 0) != OK \
                and rate <= 1 and verdict(exact / 100, rate, places_of(rate) or 0) == OK:
            rate = rate * 100      # printed as a fraction (0.95, 1) rather than a percent
        if check == "rate" and exact is not None and rate is not None:
            pl = places_of(rate) or 0
            v = verdict(exact, rate, pl)
            if v != OK:
                shown = round_half_up(exact, pl + 2)
                add(base + (W.rate,), "warning" if v == TRUNCATED else rule.severity,
                    ctx.msg("audit.rate_off", cell=ctx.cell_name(base + (W.rate,)), rate=_num(rate), spent_name=W.spent,
                        spent=_num(spent), budget_name=W.budget, budget=_num(budget), computed=_num(shown))
                    + (ctx.msg("audit.truncated") if v == TRUNCATED else ""),
                    _num(rate), _num(round_half_up(exact, pl)),
                    f"{_num(spent)} ÷ {_num(budget)} × 100 = {_num(shown)} → {_num(round_half_up(exact, pl))}",
                    (base + (W.spent,), base + (W.budget,)))
        elif check == "budget_score":
            w, score = ev.get(W.exec_weight), ev.get(W.exec_score)
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
            add(base + (W.exec_score,), rule.severity,
                ctx.msg("audit.score_off", cell=ctx.cell_name(base + (W.exec_score,)), score=_num(score),
                        weight=_num(w), rate_name=W.rate, rate=_num(round_half_up(r0, 2)),
                        computed=_num(round_half_up(c0, pl))),
                _num(score), _num(round_half_up(c0, pl)),
                ctx.msg("join.semicolon").join(
                    f"min({_num(w)}, {_num(w)} × {_num(round_half_up(r, 4))}%) = {_num(round_half_up(c, 4))}"
                    for r, c in cands),
                (base + (W.exec_weight,), base + (W.rate,)))
        elif check == "total_score":
            total, inds = ev.get(W.self_score), ev.get(W.indicators) or []
            if total is None or not inds or any(x.get(W.score) is None for x in inds):
                continue
            parts = []
            if ev.get(W.exec_score) is not None:
                parts.append(Cell(base + (W.exec_score,), ev[W.exec_score], W.exec_score))
            parts += [Cell(base + (W.indicators, j, W.score), x[W.score], x.get(W.indicator_name, str(j)))
                      for j, x in enumerate(inds)]
            ids.append(Identity(rule.code, Cell(base + (W.self_score,), total, W.self_score), parts,
                                scores, ctx.cell_name(base), mode="rounded"))
        elif check == "score_cap":
            for j, x in enumerate(ev.get(W.indicators) or []):
                s, full = x.get(W.score), x.get(W.weight)
                if s is None or full is None:
                    continue
                if s > full or s < 0:
                    p = base + (W.indicators, j, W.score)
                    add(p, rule.severity, ctx.msg("audit.score_out_of_range", cell=ctx.cell_name(p), score=_num(s),
                                              weight_name=W.weight, weight=_num(full)), _num(s),
                        f"0–{_num(full)}", ctx.msg("audit.not_between", score=_num(s), weight=_num(full)),
                        (base + (W.indicators, j, W.weight),))
        elif check == "full_marks":
            inds = ev.get(W.indicators) or []
            w = ev.get(W.exec_weight)
            if w is None or not inds or any(x.get(W.weight) is None for x in inds):
                continue
            full = w + sum((x[W.weight] for x in inds), ZERO)
            if full != 100:
                add(base + (W.exec_weight,), rule.severity,
                    ctx.msg("audit.full_marks_off", cell=ctx.cell_name(base), exec_weight=W.exec_weight,
                        indicator=W.indicators, weight_name=W.weight, total=_num(full)),
                    _num(full), "100", " + ".join([_num(w)] + [_num(x[W.weight]) for x in inds]) + f" = {_num(full)}",
                    tuple(base + (W.indicators, j, W.weight) for j in range(len(inds))))
    perf = ctx.data.get(W.performance) or {}
    own = perf.get(W.project_eval) or {}
    projects = own.get(W.projects) or []
    base = (W.performance, W.project_eval)
    count = own.get(W.project_count)
    if check == "project_count" and projects and count is not None and count != len(projects):
        add(base + (W.project_count,), rule.severity,
            ctx.msg("audit.project_count_off", table=W.project_eval, count_name=W.project_count,
                count=own[W.project_count], listed=len(projects)),
            str(own[W.project_count]), str(len(projects)), ctx.msg("audit.projects_listed", listed=len(projects)))
    if check == "project_funds" and projects and own.get(W.funds) is not None:
        funds = own[W.funds]
        sums = []
        for key in (W.spent, W.budget):
            vals = [p.get(key) for p in projects]
            if all(v is not None for v in vals):
                ok, residue, tol = interval_ok([(v, places_of(v) or 0) for v in vals], funds, places_of(funds) or 0)
                sums.append((key, sum(vals, ZERO), ok, vals))
        if sums and not any(ok for _, _, ok, _ in sums):
            key, s, _, vals = sums[0]
            add(base + (W.funds,), rule.severity,
                ctx.msg("audit.funds_off", table=W.project_eval, funds_name=W.funds, funds=_num(funds), key=key,
                    sum=_num(s), others="".join(ctx.msg("audit.funds_other_sum", key=k, sum=_num(x))
                                                for k, x, _, _ in sums[1:])),
                _num(funds), _num(s), " + ".join(_num(v) for v in vals) + f" = {_num(s)} ≠ {_num(funds)}",
                tuple(base + (W.projects, i, key) for i in range(len(vals))))
    if check == "re_evaluation":
        re_ = perf.get(W.re_evaluation) or {}
        name, score = re_.get(W.project_name), re_.get(W.self_score)
        if name and score is not None:
            for i, p in enumerate(projects):
                if name in (p.get(W.project_name), p.get(W.short_name)) and p.get(W.self_score) is not None:
                    if verdict(p[W.self_score], score, places_of(score) or 0) != OK:
                        add((W.performance, W.re_evaluation, W.self_score), rule.severity,
                            ctx.msg("audit.re_evaluation_off", re_evaluation=W.re_evaluation, project=name,
                                score_name=W.self_score, score=_num(score), project_eval=W.project_eval,
                                own=_num(p[W.self_score])),
                            _num(score), _num(p[W.self_score]), f"{_num(score)} ≠ {_num(p[W.self_score])}",
                            (base + (W.projects, i, W.self_score),))
                    break
    return ids


# the builders, by the English names rules/audit.yaml gives each 种类
_KINDS = {"total_row": _kind_total_row, "hierarchy": _kind_hierarchy, "row_sum": _kind_row_sum,
          "equation": _kind_equation, "performance": _kind_performance}
