"""Input limits: how large, long or deep an input narrator accepts, stated in one place.

A real figures file is 5–50 KB, nested 6 levels deep, with amounts of at most 12 digits
and 2–4 decimals; a real 情况说明 is 10–60 KB. The limits below are far above that and
far below what would make narrator crash, hang or run out of memory. Each is enforced
where the input is read, with a one-line error naming the file (and line) and the limit:

==========================  =========================================================
MAX_FILE_BYTES              any input file (figures, text, workbook, PDF, docx)
MAX_NUMBER_DIGITS           digits before the point of a number in figures
MAX_NUMBER_DECIMALS         digits after the point of a number in figures
MAX_TEXT_NUMBER_CHARS       a digit run in a text longer than this is not read as a
                            number (a pasted ID or garbage), so no arithmetic on it
MAX_YAML_DEPTH              nesting of mappings and lists in a figures file
MAX_YAML_NODES              nodes of a figures file after alias expansion (a
                            "billion laughs" bomb is refused before it is built)
YEAR_MIN, YEAR_MAX          年度
==========================  =========================================================

Negative amounts are not refused here: refusing them at load would keep the table audit from
reporting on such figures. The audit reports them instead (audit/signs.py): T201, an error,
where the forms make a negative impossible, T202, a warning, elsewhere; the figures each
applies to are listed in rules/checks.yaml.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

from narrator.core.errors import InputError
from narrator.core.messages import msg

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NUMBER_DIGITS = 18
MAX_NUMBER_DECIMALS = 8
MAX_TEXT_NUMBER_CHARS = 40
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 1_000_000
YEAR_MIN, YEAR_MAX = 1949, 2100


def _size(n: int) -> str:
    for unit, k in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} bytes"


def check_file_size(path: str | os.PathLike, size: int | None = None) -> None:
    """Refuse a file larger than MAX_FILE_BYTES (with its size and the limit)."""
    if size is None:
        try:
            size = os.stat(path).st_size
        except OSError:
            return  # the reader reports a missing or unreadable file
    if size > MAX_FILE_BYTES:
        raise InputError(msg("input.too_large", size=_size(size), limit=_size(MAX_FILE_BYTES)), str(path))


def number_problem(value: Decimal | int) -> str | None:
    """Why a number of a figures file is out of bounds, or None."""
    if isinstance(value, int):
        if abs(value) >= 10 ** MAX_NUMBER_DIGITS:
            return msg("limits.too_large_int", digits=MAX_NUMBER_DIGITS)
        return None
    if not value.is_finite():
        return msg("limits.not_finite")
    if value and value.adjusted() >= MAX_NUMBER_DIGITS:
        return msg("limits.too_large", digits=MAX_NUMBER_DIGITS)
    exp = _exponent(value)
    if -exp > MAX_NUMBER_DECIMALS:
        return msg("limits.too_many_decimals", decimals=-exp, most=MAX_NUMBER_DECIMALS)
    return None


def _exponent(value: Decimal) -> int:
    """The exponent of a finite Decimal: from its plain string when it has one (str() is ten
    times cheaper than as_tuple(), which figures_problem would call for every figure)."""
    s = str(value)
    if "E" in s:
        return value.as_tuple().exponent
    dot = s.find(".")
    return 0 if dot < 0 else dot + 1 - len(s)


_LONG_DIGITS = re.compile(r"\d{%d,}" % (MAX_NUMBER_DIGITS + MAX_NUMBER_DECIMALS + 2))


def check_number_text(text: str, name: str) -> None:
    """Refuse a figures text holding a digit run no number may have (before any parser
    converts it: Python's int() refuses 4,300 digits with a traceback)."""
    m = _LONG_DIGITS.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise InputError(msg("input.figure_too_long", digits=m.end() - m.start(), before=MAX_NUMBER_DIGITS,
                             after=MAX_NUMBER_DECIMALS), name, line)


def check_yaml_shape(text: str, name: str) -> None:
    """Refuse YAML nested deeper than MAX_YAML_DEPTH or larger than MAX_YAML_NODES after its
    aliases are expanded, from libyaml's event stream (iterative: no recursion, no tree built)."""
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return
    Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = Loader(text)
    depth = 0
    nodes = 0
    anchors: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, node count at its start)
    try:
        while True:
            ev = loader.get_event()
            if ev is None or isinstance(ev, yaml.StreamEndEvent):
                break
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                nodes += 1
                if depth > MAX_YAML_DEPTH:
                    raise InputError(msg("input.too_deep", levels=MAX_YAML_DEPTH), name, ev.start_mark.line + 1)
                open_nodes.append((ev.anchor, nodes))
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                anchor, start = open_nodes.pop()
                if anchor is not None:
                    anchors[anchor] = nodes - start + 1
            elif isinstance(ev, yaml.ScalarEvent):
                nodes += 1
                if ev.anchor is not None:
                    anchors[ev.anchor] = 1
            elif isinstance(ev, yaml.AliasEvent):
                nodes += anchors.get(ev.anchor, 1)
            if nodes > MAX_YAML_NODES:
                raise InputError(msg("input.alias_bomb", nodes=f"{MAX_YAML_NODES:,}"), name, ev.start_mark.line + 1)
    except yaml.YAMLError as e:
        if "depth" in str(e):  # libyaml's own limit (1,000 flow levels)
            mark = getattr(e, "problem_mark", None)
            raise InputError(msg("input.too_deep", levels=MAX_YAML_DEPTH), name,
                             mark.line + 1 if mark is not None else None) from None
        return  # not valid YAML: the parsers report it with its line
    finally:
        loader.dispose()


# Anchors (aliases need one), or lines that start deep (block nesting, "- - - -" chains) or
# open many flow collections: only such texts are walked by check_yaml_shape before parsing.
# Each pattern is tried once per line (after its newline; re.match for the first line): a
# flow-style row opens one collection per line and "^…" under re.M is tried at every character.
_DEEP_LINE = (re.compile(r"[ \t-]{%d}" % (MAX_YAML_DEPTH // 2)), re.compile(r"\n[ \t-]{%d}" % (MAX_YAML_DEPTH // 2)))
_MANY_FLOW = (re.compile(r"(?:[^\n\[{]*+[\[{]){17}"), re.compile(r"\n(?:[^\n\[{]*+[\[{]){17}"))


def needs_shape_check(text: str) -> bool:
    """Whether a figures text could be deep or hold aliases (a cheap scan; see check_yaml_shape)."""
    return "&" in text or any(first.match(text) is not None or rest.search(text) is not None
                              for first, rest in (_DEEP_LINE, _MANY_FLOW))


def figures_problem(data: dict) -> tuple[tuple, str] | None:
    """The first figure out of bounds in validated figures data: (path, why), or None.

    Numbers beyond MAX_NUMBER_DIGITS / MAX_NUMBER_DECIMALS, a 年度 outside YEAR_MIN–YEAR_MAX.
    Iterative (the data may come from any reader), depth first with the children of a node
    last to first; a path is only built for a container or a figure out of bounds."""
    if not isinstance(data, (dict, list)):
        return _leaf_problem((), data)
    stack = [((), _backwards(data))]
    while stack:
        path, children = stack[-1]
        for k, v in children:
            t = type(v)
            if t is str or (t is Decimal and k != "年度" and _usual(v)):
                continue
            if isinstance(v, (dict, list)):
                stack.append((path + (k,), _backwards(v)))
                break
            bad = _leaf_problem(path + (k,), v)
            if bad is not None:
                return bad
        else:
            stack.pop()
    return None


def _backwards(node: dict | list):
    """(key or index, child) of a dict or list, last first."""
    if isinstance(node, dict):
        return reversed(node.items())
    return zip(range(len(node) - 1, -1, -1), reversed(node))


def _usual(value: Decimal) -> bool:
    """A figure in plain notation within the bounds (most of them: decided without as_tuple())."""
    if not value.is_finite() or (value and value.adjusted() >= MAX_NUMBER_DIGITS):
        return False
    s = str(value)
    dot = s.find(".")
    return "E" not in s and (dot < 0 or len(s) - dot - 1 <= MAX_NUMBER_DECIMALS)


def _leaf_problem(path: tuple, node) -> tuple[tuple, str] | None:
    if not isinstance(node, (Decimal, int)) or isinstance(node, bool):
        return None
    if path and path[-1] == "年度":
        if not YEAR_MIN <= node <= YEAR_MAX:
            return path, msg("limits.bad_year", low=YEAR_MIN, high=YEAR_MAX, got=_short(node))
        return None
    why = number_problem(node)
    return None if why is None else (path, why)


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:20] + "…" + text[-10:]
