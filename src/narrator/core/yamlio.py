"""YAML reading: exact decimals (never float), line numbers, one-line errors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from narrator.core.diskcache import content_key, pickled
from narrator.core.errors import InputError
from narrator.core.messages import msg


def _construct_decimal(self, node):
    text = str(node.value)
    if "_" in text:  # YAML 1.2: 1_000.5 is text, not a number
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(msg("input.not_a_number", value=repr(node.value)), None, node.start_mark.line + 1) from None
    if not value.is_finite():
        raise InputError(msg("input.not_finite", value=repr(node.value)), None, node.start_mark.line + 1)
    return value


_DECIMAL_INT = __import__("re").compile(r"[-+]?[0-9]+")


def _construct_int(self, node):
    """YAML 1.2 (JSON) integers only: 0x1F, 0o17, 1_000 and 0b1 stay text (the validator then
    says a number was expected); a number too long for int() is refused with its line."""
    text = str(node.value)
    if not _DECIMAL_INT.fullmatch(text):
        return text
    if len(text) > 4000:
        raise InputError(msg("input.number_too_long", digits=len(text)), None, node.start_mark.line + 1)
    return int(text, 10)


@cache
def _constructors() -> dict:
    """ruamel's constructors with exact decimals and YAML 1.2 integers (ruamel is imported
    only when a file needs it: a short command reads its files with libyaml)."""
    from ruamel.yaml.constructor import RoundTripConstructor, SafeConstructor

    out = {}
    for typ, base in (("rt", RoundTripConstructor), ("safe", SafeConstructor)):
        cls = type(f"_Decimal_{typ}", (base,), {})
        cls.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
        cls.add_constructor("tag:yaml.org,2002:int", _construct_int)
        out[typ] = cls
    return out


def _yaml(typ: str):
    from ruamel.yaml import YAML

    y = YAML(typ=typ, pure=True)
    y.Constructor = _constructors()[typ]
    y.allow_duplicate_keys = False
    return y


# the parser's commonest complaints, in the reader's words (others are shown as the parser says them)
_PROBLEMS = {
    "mapping values are not allowed here": "yaml.mapping_values",
    "found character '\\t' that cannot start any token": "yaml.tab",
    "found unexpected end of stream": "yaml.unexpected_end",
    "expected ',' or ']', but got '<stream end>'": "yaml.unclosed_list",
    "expected ',' or '}', but got '<stream end>'": "yaml.unclosed_mapping",
}


def _problem(text: str) -> str:
    key = _PROBLEMS.get(text)
    return msg(key) if key else text


def parse_yaml(text: str, name: str, *, with_lines: bool = True):
    """Parse YAML (or JSON) text. Floats become Decimal. Errors become InputError."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

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
        what = _problem((e.problem or e.context or "").strip())
        if "duplicate key" in str(e):
            what = msg("input.duplicate_key", key=str(e).split('found duplicate key "', 1)[-1].split('"', 1)[0]
                       if 'found duplicate key "' in str(e) else "")
        raise InputError(msg("input.invalid_yaml", detail=what), name, line, col) from None
    except YAMLError as e:
        raise InputError(msg("input.invalid_yaml", detail=str(e).splitlines()[0]), name) from None


try:  # libyaml through PyYAML: ~30x faster than the pure-Python round-trip parser
    import yaml as _pyyaml

    class FastLoader(_pyyaml.CSafeLoader):  # type: ignore[name-defined,misc]
        pass

    def _fast_decimal(loader, node):
        text = str(node.value)
        value = Decimal(text) if text.lower() not in (".inf", "-.inf", "+.inf", ".nan") else None
        if value is None:
            raise ValueError("not a finite number")
        return value

    def _fast_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        out = {}
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=deep)
            if key in out:
                raise ValueError("duplicate key")
            out[key] = loader.construct_object(v_node, deep=deep)
        return out

    def _fast_int(loader, node):
        return int(str(node.value), 10)  # YAML 1.2: 010 is ten, not octal eight

    FastLoader.add_constructor("tag:yaml.org,2002:float", _fast_decimal)
    FastLoader.add_constructor("tag:yaml.org,2002:int", _fast_int)
    FastLoader.add_constructor("tag:yaml.org,2002:map", _fast_mapping)
    # YAML 1.2 core schema for booleans and numbers (no yes/no/on/off, no octal, no 1:30
    # sexagesimals), as ruamel reads them
    FastLoader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                                                      "tag:yaml.org,2002:float")]
        for k, v in _pyyaml.CSafeLoader.yaml_implicit_resolvers.copy().items()}
    import re as _re

    FastLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                      list("tTfF"))
    FastLoader.add_implicit_resolver("tag:yaml.org,2002:int", _re.compile(r"^[-+]?[0-9]+$"),
                                      list("-+0123456789"))
    FastLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float", _re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
        list("-+.0123456789"))
except (ImportError, AttributeError):  # pragma: no cover - PyYAML without libyaml
    FastLoader = None


class _LineCol:
    """What ruamel's round-trip containers offer as ``.lc`` (0-based lines and columns)."""

    __slots__ = ("line", "col", "_keys", "_items")

    def __init__(self, mark, keys=None, items=None):
        self.line, self.col = mark.line, mark.column
        self._keys = keys
        self._items = items

    def key(self, k):
        return self._keys[k]

    def item(self, i):
        return self._items[i]


class LinedDict(dict):
    __slots__ = ("lc",)


class LinedList(list):
    __slots__ = ("lc",)


if FastLoader is not None:
    class FastLinesLoader(FastLoader):  # type: ignore[misc,valid-type]
        """libyaml, with each mapping and list knowing the line of its keys and items, as ruamel's
        round-trip parse gives them (for Figures.line_of)."""

    def _lines_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        out = LinedDict()
        keys = {}
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=True)
            if key in out:
                raise ValueError("duplicate key")
            out[key] = loader.construct_object(v_node, deep=True)
            keys[key] = (k_node.start_mark.line, k_node.start_mark.column)
        out.lc = _LineCol(node.start_mark, keys=keys)
        return out

    def _lines_sequence(loader, node, deep=False):
        out = LinedList(loader.construct_object(n, deep=True) for n in node.value)
        out.lc = _LineCol(node.start_mark, items=[(n.start_mark.line, n.start_mark.column) for n in node.value])
        return out

    FastLinesLoader.add_constructor("tag:yaml.org,2002:map", _lines_mapping)
    FastLinesLoader.add_constructor("tag:yaml.org,2002:seq", _lines_sequence)
else:  # pragma: no cover
    FastLinesLoader = None


def parse_yaml_fast_lines(text: str):
    """Like parse_yaml_fast, with ``.lc`` line positions on mappings and lists (see LinedDict);
    None when libyaml is missing or on any problem."""
    if FastLinesLoader is None:
        return None
    try:
        return _pyyaml.load(text, Loader=FastLinesLoader)  # noqa: S506 - a SafeLoader subclass
    except Exception:
        return None


def parse_yaml_fast(text: str):
    """Parse with libyaml; None when unavailable or on any problem (the caller falls back to
    parse_yaml, which reports the problem with its line)."""
    if FastLoader is None:
        return None
    try:
        return _pyyaml.load(text, Loader=FastLoader)  # noqa: S506 - a SafeLoader subclass
    except Exception:
        return None


@cache
def load_rule_file(path: Path):
    """Load one of narrator's own rule files (cached; plain dicts).

    Read with libyaml when it is there (the same values as the pure-Python parser, which
    tests/core/test_rule_files_fast.py checks for every rule file; ~30x faster, which is most
    of a short command's run), and with ruamel otherwise or on any problem, so that an error
    is still reported with its line. Parsed once per file version: the result is kept on disk
    (core/diskcache.py), so a short command does not parse the rule files again (~50 ms)."""
    data = path.read_bytes()
    return pickled("rules", content_key(data, _parser_salt()), lambda: _parse_rule_file(path, data))


def _parse_rule_file(path: Path, data: bytes):
    text = data.decode("utf-8")
    fast = parse_yaml_fast(text)
    if fast is not None:
        return fast
    return parse_yaml(text, str(path), with_lines=False)


@cache
def _parser_salt() -> str:
    """What else shapes a parsed rule file: this module's code and the Python version."""
    import hashlib
    import sys

    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:16] + sys.version
