"""YAML reading: exact decimals (never float), line numbers, one-line errors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import InputError


def _construct_decimal(self, node):
    text = str(node.value).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"not a number: {node.value!r}", None, node.start_mark.line + 1) from None
    if not value.is_finite():
        raise InputError(f"not a finite number: {node.value!r}", None, node.start_mark.line + 1)
    return value


class _DecimalRT(RoundTripConstructor):
    pass


class _DecimalSafe(SafeConstructor):
    pass


_DecimalRT.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalSafe.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def _yaml(typ: str) -> YAML:
    y = YAML(typ=typ, pure=True)
    y.Constructor = _DecimalRT if typ == "rt" else _DecimalSafe
    y.allow_duplicate_keys = False
    return y


def parse_yaml(text: str, name: str, *, with_lines: bool = True):
    """Parse YAML (or JSON) text. Floats become Decimal. Errors become InputError."""
    y = _yaml("rt" if with_lines else "safe")
    try:
        return y.load(text)
    except InputError as e:
        e.file = name
        raise
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        what = (e.problem or e.context or "invalid YAML").strip()
        if "duplicate key" in str(e):
            what = "duplicate key " + str(e).split('found duplicate key "', 1)[-1].split('"', 1)[0] \
                if 'found duplicate key "' in str(e) else "duplicate key"
        raise InputError(f"invalid YAML: {what}", name, line, col) from None
    except YAMLError as e:
        raise InputError(f"invalid YAML: {str(e).splitlines()[0]}", name) from None


@cache
def load_rule_file(path: Path):
    """Load one of narrator's own rule files (cached; plain dicts)."""
    return parse_yaml(path.read_text(encoding="utf-8"), str(path), with_lines=False)
