"""Negative numbers where the tables say a number cannot be, or rarely is, negative.

The data items are in rules/checks.yaml (T201 error: impossible; T202 warning: legal but
unusual), as paths with ``*`` (one name or row) and ``**`` (any number of levels); the first
rule whose items match a number decides. 上年 has the same structure as the year itself and
is matched without its prefix. 年度 is bounded at load (core/limits.py), not here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from narrator.audit.model import _Ctx, _num
from narrator.core.catalogue import RuleDoc, catalogue
from narrator.core.findings import Finding
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.names import WORDS as W

SIGN_CODES = ("T201", "T202")
_PRIOR = W.prior_year


@cache
def _patterns() -> tuple[tuple[RuleDoc, tuple[tuple[str, ...], ...]], ...]:
    data = load_rule_file(rules_dir() / "checks.yaml")
    cat = catalogue()
    return tuple((cat[code], tuple(tuple(str(p).split(".")) for p in data[code]["数据项"])) for code in SIGN_CODES)


def _matches(pattern: tuple[str, ...], path: tuple) -> bool:
    """Whether a figure path matches a pattern (``*`` one step, ``**`` any number of steps)."""
    if not pattern:
        return not path
    head = pattern[0]
    if head == "**":
        return any(_matches(pattern[1:], path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    return (head == "*" or head == str(path[0])) and _matches(pattern[1:], path[1:])


def _negatives(data: dict):
    """(path, value) of every negative number; rows of a 科目 list are named by their 科目编码.
    Paths are built for containers and negative numbers only (a document has ~2,000 numbers)."""
    stack: list[tuple[tuple, object]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            items = node.items()
        elif path[-1:] == (W.rows,):
            items = ((v.get(W.code, i) if isinstance(v, dict) else i, v) for i, v in enumerate(node))
        else:
            items = enumerate(node)
        for k, v in items:
            t = type(v)
            if t is str or (t is Decimal and not v < 0):   # most leaves: one test
                continue
            if isinstance(v, (dict, list)):
                stack.append((path + (k,), v))
            elif isinstance(v, (Decimal, int)) and not isinstance(v, bool) and v < 0 and k != W.year:
                yield path + (k,), v


def sign_findings(ctx: _Ctx) -> list[Finding]:
    """T201 / T202 findings for the negative numbers of one department's figures."""
    out: list[Finding] = []
    for path, value in _negatives(ctx.data):
        bare = path[1:] if path[:1] == (_PRIOR,) else path
        for rule, patterns in _patterns():
            if any(_matches(p, bare) for p in patterns):
                text = _num(value)
                # the 说明 in the audit's language (_patterns keeps the catalogue of its first call)
                message = ctx.msg("audit.negative", message=ctx.rule_message(rule.code), cell=ctx.cell_name(path),
                                  value=text)
                out.append(Finding(rule.code, rule.name, rule.severity, message,
                                   ctx.fig.source, ctx.line(path), found=text, expected="≥ 0",
                                   extra={"path": list(path), "cells": [list(path)]}))
                break
    return out
