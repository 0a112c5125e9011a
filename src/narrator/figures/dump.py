"""Figures back into the canonical tree and YAML text (``narrator convert IN.xlsx -o OUT.yaml``,
``narrator extract``)."""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from narrator.figures.model import Figures, Node, schema
from narrator.figures.names import WORDS


# ======================================================================================
# Figures → tree, YAML
# ======================================================================================
def figures_to_tree(figures: Figures) -> dict:
    """The canonical tree of Figures (schema order; empty 科目 lists left out)."""
    return _to_tree(schema(), figures.data, schema())


def _to_tree(node: Node, value, root: Node):
    if node.kind == "same":
        return _to_tree(root, value, root)
    if node.kind in ("map", "table") and isinstance(value, dict):
        out = {}
        named = [k for k in node.children if k in value]
        free = [k for k in value if k not in node.children]
        order = free + named if node.key_set else named + free
        if node.kind == "table":
            order = ([WORDS.total] if WORDS.total in value else []) + [k for k in order if k not in (WORDS.total, WORDS.rows)]
        for k in order:
            child = node.children.get(k) or node.any_key
            v = value[k]
            out[k] = _to_tree(child, v, root) if child is not None else _plain(v)
        if node.kind == "table" and value.get(WORDS.rows):
            out[WORDS.rows] = [dict(r) for r in value[WORDS.rows]]
        return out
    if node.kind == "list" and isinstance(value, list):
        return [_to_tree(node.item, v, root) for v in value]
    if node.kind == "dict" and isinstance(value, dict):
        return {k: _to_tree(node.value, v, root) for k, v in value.items()}
    return _plain(value)


def _plain(v):
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


_YAML_SPECIAL = re.compile(
    r"[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0[xob][0-9a-fA-F_]+|[-+]?\.(inf|nan|Inf|NaN|INF|NAN)"
    r"|(?i:true|false|yes|no|on|off|null|y|n)|~|\d{4}-\d\d?-\d\d?([Tt ].*)?|[\d:]+:\d+(\.\d*)?|<<")


def _scalar(v, *, flow: bool = False, quote: bool = False) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return f"{v:f}"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, _dt.date):
        return v.isoformat()
    if v is None:
        return "null"
    s = str(v)
    if quote or _needs_quotes(s, flow):
        return json.dumps(s, ensure_ascii=False)
    return s


def _needs_quotes(s: str, flow: bool) -> bool:
    if not s or s != s.strip() or "\n" in s or "\t" in s or "\r" in s:
        return True
    if s[0] in "-?:,[]{}#&*!|>'\"%@`":
        return True
    if ": " in s or " #" in s or s.endswith(":"):
        return True
    if flow and any(ch in s for ch in ",[]{}"):
        return True
    if _YAML_SPECIAL.fullmatch(s):
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in s)


def _key(k) -> str:
    return _scalar(str(k), quote=not isinstance(k, str) or bool(re.fullmatch(r"\d+", str(k))))


def _is_scalar(v) -> bool:
    return not isinstance(v, (dict, list))


def _flow_map(d: dict, code_keys: set[str] = frozenset()) -> str:
    parts = []
    for k, v in d.items():
        parts.append(f"{_key(k)}: {_scalar(v, flow=True, quote=k in code_keys)}")
    return "{" + ", ".join(parts) + "}"


def _flowable(v: dict) -> bool:
    return all(_is_scalar(x) and not (isinstance(x, str) and "\n" in x) for x in v.values())


def _emit(out: list[str], value: dict, indent: int, path: tuple) -> None:
    pad = "  " * indent
    for k, v in value.items():
        kt = _key(k)
        if isinstance(v, dict):
            if not v:
                out.append(f"{pad}{kt}: {{}}")
                continue
            if indent >= 1 and _flowable(v) and len(v) <= 7 and path[:1] != (WORDS.notes,):
                line = f"{pad}{kt}: {_flow_map(v)}"
                if len(line) <= 110 or k == WORDS.total:
                    out.append(line)
                    continue
            out.append(f"{pad}{kt}:")
            _emit(out, v, indent + 1, path + (k,))
        elif isinstance(v, list):
            if not v:
                out.append(f"{pad}{kt}: []")
                continue
            out.append(f"{pad}{kt}:")
            for item in v:
                if isinstance(item, dict) and item and k in (WORDS.rows, WORDS.indicators) and _flowable(item):
                    out.append(f"{pad}  - {_flow_map(item, {WORDS.code})}")
                elif isinstance(item, dict) and item:
                    sub: list[str] = []
                    _emit(sub, item, indent + 2, path + (k,))
                    out.append(f"{pad}  - {sub[0][len(pad) + 4:]}")
                    out.extend(sub[1:])
                else:
                    out.append(f"{pad}  - {_scalar(item)}")
        elif isinstance(v, str) and _literal_ok(v):
            out.append(f"{pad}{kt}: |-")
            for line in v.split("\n"):
                out.append(f"{pad}  {line}" if line else "")
        else:
            out.append(f"{pad}{kt}: {_scalar(v, quote=k == WORDS.code)}")


def _literal_ok(v: str) -> bool:
    """A multi-line text that a |- block gives back exactly."""
    if "\n" not in v or "\t" in v or "\r" in v or v != v.strip():
        return False
    if any(line != line.rstrip() for line in v.split("\n")):
        return False
    return not any(unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch != "\n" for ch in v)


def dump_yaml(figures: Figures) -> str:
    """Figures as YAML text in the figures-file format (canonical names, exact numbers)."""
    tree = figures_to_tree(figures)
    src = Path(figures.source).name if figures.source and not figures.source.startswith("<") else ""
    out = [f"# 决算数据（结构见 rules/figures-schema.yaml）{'；由 narrator 从 ' + src + ' 转换' if src else ''}。"]
    first = True
    for k, v in tree.items():
        if isinstance(v, (dict, list)) and not first:
            out.append("")
        _emit(out, {k: v}, 0, ())
        first = False
    return "\n".join(out) + "\n"
