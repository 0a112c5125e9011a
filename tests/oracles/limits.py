"""The plain forms of core.limits' scans: one regular expression over the whole text, a stack
walk that keeps every path, the exponent from ``as_tuple()``."""

from __future__ import annotations

import re
from decimal import Decimal

from narrator.core.limits import MAX_NUMBER_DECIMALS, MAX_NUMBER_DIGITS, MAX_YAML_DEPTH, YEAR_MAX, YEAR_MIN
from narrator.core.messages import msg

SHAPE_HINT = re.compile(r"&|^[ \t-]{%d,}|[\[{](?:[^\n\[{]*[\[{]){16,}" % (MAX_YAML_DEPTH // 2), re.M)


def needs_shape_check(text: str) -> bool:
    return SHAPE_HINT.search(text) is not None


def number_problem(value) -> str | None:
    if isinstance(value, int):
        if abs(value) >= 10 ** MAX_NUMBER_DIGITS:
            return msg("limits.too_large_int", digits=MAX_NUMBER_DIGITS)
        return None
    if not value.is_finite():
        return msg("limits.not_finite")
    if value and value.adjusted() >= MAX_NUMBER_DIGITS:
        return msg("limits.too_large", digits=MAX_NUMBER_DIGITS)
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and -exp > MAX_NUMBER_DECIMALS:
        return msg("limits.too_many_decimals", decimals=-exp, most=MAX_NUMBER_DECIMALS)
    return None


def figures_problem(data) -> tuple | None:
    """(path, why) of the first figure out of bounds, in the plain stack walk's order."""
    stack = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                stack.append((path + (k,), v))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                stack.append((path + (i,), v))
        elif isinstance(node, (Decimal, int)) and not isinstance(node, bool):
            if path and path[-1] == "年度":
                if not YEAR_MIN <= node <= YEAR_MAX:
                    text = str(node)
                    got = text if len(text) <= 40 else text[:20] + "…" + text[-10:]
                    return path, msg("limits.bad_year", low=YEAR_MIN, high=YEAR_MAX, got=got)
                continue
            why = number_problem(node)
            if why is not None:
                return path, why
    return None
