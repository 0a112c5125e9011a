"""A tiny, safe arithmetic language for rules: + - * / ( ), figure paths, rule functions.

Expressions are Python syntax parsed with ``ast`` and compiled once into closures over
``Decimal``. Names are official Chinese figure names (``收入支出决算总表.收入.总计``) or
parameters of a rule function. Nothing else is reachable: no attributes of Python objects,
no builtins.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from functools import lru_cache
from typing import Callable

from narrator.core.numbers import to_decimal

_OPS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}


class ExprError(ValueError):
    pass


@lru_cache(maxsize=4096)
def parse(text: str) -> ast.expr:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExprError(f"bad expression {text!r}: {e.msg}") from None
    _check(tree.body, text)
    return tree.body


def _check(node: ast.AST, text: str) -> None:
    allowed = (ast.BinOp, ast.UnaryOp, ast.Name, ast.Attribute, ast.Subscript, ast.Constant,
               ast.Call, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd)
    for sub in ast.walk(node):
        if not isinstance(sub, allowed):
            raise ExprError(f"not allowed in a rule expression {text!r}: {type(sub).__name__}")
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, (int, float, str)):
            raise ExprError(f"bad constant in {text!r}")
        if isinstance(sub, ast.Call) and not isinstance(sub.func, ast.Name):
            raise ExprError(f"only rule functions may be called in {text!r}")


def dotted(node: ast.expr) -> tuple[str, ...] | None:
    """``a.b["c"].d`` -> ("a", "b", "c", "d"); None if not a plain path."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Name):
            parts.append(node.id)
            return tuple(reversed(parts))
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            parts.append(str(node.slice.value))
            node = node.value
        else:
            return None


def constant(node: ast.Constant) -> Decimal:
    if isinstance(node.value, float):
        # float literals in rule files: take their source text exactly
        return Decimal(repr(node.value))
    return to_decimal(node.value)


def op_symbol(op: ast.operator) -> str:
    return _OPS[type(op)]


Compiled = Callable[..., object]
