"""The figures of one department-year and their validation against rules/figures-schema.yaml.

Figures are keyed by official Chinese names. Every number goes from its source text
straight into ``Decimal``. Validation errors are one line with the file, the line and what
is wrong (with a "did you mean" for a misspelt key)."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.limits import figures_problem
from narrator.core.numbers import to_decimal
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file, parse_yaml, parse_yaml_fast_lines
from narrator.figures.names import WORDS


_KEY_NOISE = str.maketrans({"（": "(", "）": ")", "“": "", "”": "", '"': "", "'": "", "‘": "",
                            "’": "", " ": "", "\u3000": "", "：": "", ":": ""})


def norm_key(key: str) -> str:
    """Key as compared: full/half-width brackets alike, quotes and spaces ignored."""
    return str(key).translate(_KEY_NOISE)


LEAF_TYPES = WORDS.leaf_types
# the names code refers to by role (rules/figures-schema.yaml 结构用语)
_TOTAL, _ROWS, _CODE, _NAME = WORDS.total, WORDS.rows, WORDS.code, WORDS.name
_AMT, _NUM, _INT, _TEXT, _DATE_T, _CODE_T, _FREE = (WORDS.amount, WORDS.number, WORDS.integer, WORDS.text,
                                                   WORDS.date, WORDS.code_type, WORDS.free_text)


@dataclass
class Node:
    kind: str                                   # map | leaf | table | dict | list | same
    leaf: str | None = None
    required: bool = False
    allowed: tuple | None = None
    children: dict[str, "Node"] = field(default_factory=dict)   # canonical name -> node
    lookup: dict[str, str] = field(default_factory=dict)        # normalised name/alias -> canonical
    any_key: "Node | None" = None
    key_set: str | None = None
    columns: tuple[str, ...] = ()
    column_lookup: dict[str, str] = field(default_factory=dict)
    code_system: str | None = None
    key_kind: str | None = None
    value: "Node | None" = None
    item: "Node | None" = None
    aliases: tuple[str, ...] = ()


def _compile(spec: Any) -> Node:
    if isinstance(spec, str):
        if spec not in LEAF_TYPES:
            raise ValueError(f"unknown leaf type {spec!r} in figures schema")
        return Node("leaf", leaf=spec)
    spec = dict(spec)
    kind = spec.get("类型")
    required = bool(spec.get("必填", False))
    aliases = tuple(spec.get("别名", ()))
    if kind in LEAF_TYPES:
        return Node("leaf", leaf=kind, required=required, allowed=tuple(spec["取值"]) if "取值" in spec else None,
                    aliases=aliases)
    if kind == WORDS.same_type:
        return Node("same", required=required, aliases=aliases)
    if kind == WORDS.mapping_type:
        return Node("dict", required=required, key_kind=spec.get("键"), value=_compile(spec.get("值", _TEXT)),
                    aliases=aliases)
    if kind == WORDS.list_type:
        return Node("list", required=required, item=_compile(spec["元素"]), aliases=aliases)
    node = Node("table" if kind == WORDS.table_type else "map", required=required, aliases=aliases)
    if kind == WORDS.table_type:
        node.columns = tuple(spec["列"])
        node.code_system = spec.get("编码", WORDS.default_code_system)
        node.column_lookup = {norm_key(c): c for c in node.columns}
        for alias, canon in (spec.get("列别名") or {}).items():
            node.column_lookup[norm_key(alias)] = canon
    for name, child in (spec.get("子项") or {}).items():
        c = _compile(child)
        node.children[name] = c
        node.lookup[norm_key(name)] = name
        for a in c.aliases:
            node.lookup[norm_key(a)] = name
    if "任意键" in spec:
        sub = dict(spec["任意键"])
        node.key_set = sub.pop("键集", None)
        node.any_key = _compile(sub if "类型" in sub or "子项" in sub else sub.get("类型", _AMT))
    return node


@cache
def schema() -> Node:
    data = load_rule_file(rules_dir() / "figures-schema.yaml")
    return _compile(data["根"])


@cache
def subjects() -> dict:
    return load_rule_file(rules_dir() / "科目.yaml")


@cache
def key_sets() -> dict[str, dict[str, str]]:
    s = subjects()
    names = list(s[WORDS.class_names].values())
    return {WORDS.class_names: {norm_key(n): n for n in names}}


@dataclass
class Figures:
    """One department-year's figures: canonical nested dicts with Decimal leaves."""

    data: dict
    source: str = "<figures>"
    lines: dict[tuple, int] = field(default_factory=dict)   # path -> 1-based line in source
    # cells read from a document whose printed digits are only a floor: path -> the room above
    # it (0.1 for "171.8" where the tables print cents); the audit does not blame the table for it
    uncertain: dict[tuple, Decimal] = field(default_factory=dict)
    _text: str | None = field(default=None, repr=False)     # source text, until lines are read

    def _load_lines(self) -> None:
        """Lines come from a second, slower parse, done only when someone asks for one."""
        text, self._text = self._text, None
        if text is None:
            return
        try:
            tree = parse_yaml_fast_lines(text)        # libyaml with positions: ~30x faster than ruamel
            if tree is None:
                tree = parse_yaml(text, self.source)
            v = _Validator(self.source, True)
            root = schema()
            v.mapping(root, tree, (), 1, root, True)
            self.lines = v.lines
        except InputError:  # pragma: no cover - the fast parse already validated it
            pass

    def get(self, *path, default=None):
        node: Any = self.data
        for p in path:
            if isinstance(node, dict) and p in node:
                node = node[p]
            else:
                return default
        return node

    def line_of(self, path: tuple) -> int | None:
        """Best line for a path: the path itself or its nearest ancestor with a line."""
        if self._text is not None:
            self._load_lines()
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None

    @property
    def unit(self) -> str:
        return self.data.get(WORDS.unit, WORDS.default_unit)

    @property
    def year(self) -> int:
        return int(self.data[WORDS.year])


class _Validator:
    def __init__(self, source: str, with_lines: bool):
        self.source = source
        self.lines: dict[tuple, int] = {}
        self.with_lines = with_lines

    def fail(self, msg: str, line: int | None):
        raise InputError(msg, self.source, line)

    @staticmethod
    def _line_of_key(mapping, key) -> int | None:
        lc = getattr(mapping, "lc", None)
        if lc is None:
            return None
        try:
            return lc.key(key)[0] + 1
        except (KeyError, TypeError, AttributeError):
            try:
                return lc.line + 1
            except AttributeError:
                return None

    @staticmethod
    def _line_of_item(seq, i) -> int | None:
        lc = getattr(seq, "lc", None)
        if lc is None:
            return None
        try:
            return lc.item(i)[0] + 1
        except (KeyError, TypeError, AttributeError, IndexError):
            return None

    @staticmethod
    def _where(path: tuple) -> str:
        return " ".join(str(p) for p in path) if path else msg("figures.top_level")

    def unknown(self, key, candidates, path, line):
        name = self._where(path + (key,))
        close = difflib.get_close_matches(str(key), list(candidates), n=1, cutoff=0.5)
        hint = msg("figures.did_you_mean", name=close[0]) if close else ""
        self.fail(msg("figures.unknown_key", name=name, hint=hint), line)

    # -- nodes -------------------------------------------------------------
    def validate(self, node: Node, value, path: tuple, line: int | None, root: Node, required_on: bool):
        if node.kind == "leaf":
            return self.leaf(node, value, path, line)
        if node.kind == "same":
            return self.validate(root, value, path, line, root, False)
        if node.kind == "dict":
            if not isinstance(value, dict):
                self.fail(msg("figures.must_be_mapping", where=self._where(path), got=_tname(value)), line)
            out = {}
            for k, v in value.items():
                kl = self._line_of_key(value, k) or line
                key = self.code(k, path + (k,), kl, None) if node.key_kind == _CODE_T else str(k)
                out[key] = self.validate(node.value, v, path + (key,), kl, root, required_on)
                self.lines[path + (key,)] = kl
            return out
        if node.kind == "list":
            if not isinstance(value, list):
                self.fail(msg("figures.must_be_list", where=self._where(path), got=_tname(value)), line)
            out = []
            for i, v in enumerate(value):
                il = self._line_of_item(value, i) or line
                self.lines[path + (i,)] = il
                out.append(self.validate(node.item, v, path + (i,), il, root, required_on))
            return out
        if node.kind == "table":
            return self.table(node, value, path, line, root, required_on)
        return self.mapping(node, value, path, line, root, required_on)

    def mapping(self, node: Node, value, path, line, root, required_on, skip=()):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.fail(msg("figures.must_be_mapping", where=self._where(path), got=_tname(value)), line)
        out: dict = {}
        key_set = key_sets().get(node.key_set) if node.key_set else None
        for k, v in value.items():
            kl = self._line_of_key(value, k) or line
            if k in skip:
                continue
            nk = norm_key(k)
            canon = node.lookup.get(nk)
            if canon is not None:
                child = node.children[canon]
            elif node.any_key is not None and (key_set is None or nk in key_set):
                canon = key_set[nk] if key_set else str(k)
                child = node.any_key
            else:
                cands = list(node.children) + (list(key_set.values()) if key_set else [])
                self.unknown(k, cands, path, kl)
            if canon in out:
                self.fail(msg("figures.given_twice", where=self._where(path + (canon,)), key=k), kl)
            self.lines[path + (canon,)] = kl
            if v is None:
                continue  # a blank cell: absent
            out[canon] = self.validate(child, v, path + (canon,), kl, root, required_on)
        if required_on:
            for name, child in node.children.items():
                if child.required and name not in out:
                    self.fail(msg("figures.missing_required", where=self._where(path + (name,))), line)
        return out

    def table(self, node: Node, value, path, line, root, required_on):
        if not isinstance(value, dict):
            self.fail(msg("figures.table_shape", where=self._where(path), got=_tname(value)), line)
        out = self.mapping(node, value, path, line, root, required_on, skip=(_TOTAL, _ROWS))
        if _TOTAL in value and value[_TOTAL] is not None:
            tl = self._line_of_key(value, _TOTAL) or line
            self.lines[path + (_TOTAL,)] = tl
            out[_TOTAL] = self.columns(node, value[_TOTAL], path + (_TOTAL,), tl)
        rows = value.get(_ROWS)
        out_rows = []
        if rows is not None:
            rl = self._line_of_key(value, _ROWS) or line
            if not isinstance(rows, list):
                self.fail(msg("figures.rows_must_be_list", where=self._where(path + (_ROWS,)), got=_tname(rows)), rl)
            seen: dict[str, int] = {}
            for i, row in enumerate(rows):
                il = self._line_of_item(rows, i) or rl
                rpath = path + (_ROWS, i)
                if not isinstance(row, dict):
                    self.fail(msg("figures.row_shape", where=self._where(rpath)), il)
                if _CODE not in row:
                    self.fail(msg("figures.row_without_code", where=self._where(rpath)), il)
                code = self.code(row[_CODE], rpath + (_CODE,), il, node.code_system)
                if code in seen:
                    self.fail(msg("figures.code_twice", code=code, where=self._where(path), first=seen[code]), il)
                seen[code] = il
                name = row.get(_NAME)
                if name is not None and not isinstance(name, str):
                    self.fail(msg("figures.name_must_be_text", where=self._where(rpath + (_NAME,))), il)
                cells = {k: v for k, v in row.items() if k not in (_CODE, _NAME)}
                r = {_CODE: code, _NAME: (name or "").strip()}
                r.update(self.columns(node, _Keep(cells, row), rpath, il))
                self.lines[rpath] = il
                self.lines[path + (_ROWS, code)] = il
                out_rows.append(r)
        out[_ROWS] = out_rows
        return out

    def columns(self, node: Node, value, path, line):
        src = value.mapping if isinstance(value, _Keep) else value
        items = value.items.items() if isinstance(value, _Keep) else (value.items() if isinstance(value, dict) else None)
        if items is None:
            self.fail(msg("figures.columns_shape", where=self._where(path), got=_tname(value)), line)
        out = {}
        for k, v in items:
            kl = self._line_of_key(src, k) or line
            canon = node.column_lookup.get(norm_key(k))
            if canon is None:
                self.unknown(k, node.columns, path, kl)
            if v is None:
                continue
            cpath = path + (canon,)
            out[canon] = v if type(v) is Decimal else self.leaf(_AMOUNT, v, cpath, kl)
            self.lines[cpath] = kl
        return out

    def code(self, value, path, line, system) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(msg("figures.code_must_be_digits", where=self._where(path), got=_tname(value)), line)
        code = str(value).strip()
        if not _DIGITS.fullmatch(code):
            self.fail(msg("figures.code_malformed", code=code, where=self._where(path)), line)
        if system:
            if len(code) not in _code_lengths(system):
                lengths = subjects()[f"{system}编码长度"]
                want = "/".join(str(n) for n in sorted(lengths.values()))
                self.fail(msg("figures.code_length", system=system, code=code, want=want), line)
        return code

    def leaf(self, node: Node, value, path, line):
        t = node.leaf
        if (t == _AMT or t == _NUM) and type(value) is Decimal:  # the common case, fast
            return value
        where = self._where(path)
        if t == _AMT or t == _NUM:
            if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
                self.fail(msg("figures.must_be_number", where=where, got=_tname(value)), line)
            if isinstance(value, float):  # only reachable through non-YAML callers
                self.fail(msg("figures.float", where=where), line)
            try:
                return to_decimal(value)
            except (ValueError, TypeError):
                self.fail(msg("figures.must_be_number", where=where, got=_brief(value)), line)
        if t == _INT:
            if isinstance(value, bool):
                self.fail(msg("figures.must_be_whole", where=where, got=_brief(value)), line)
            if isinstance(value, int):
                return int(value)
            try:
                d = to_decimal(value) if isinstance(value, (str, Decimal)) else None
            except (ValueError, TypeError):
                d = None
            if d is None or d != d.to_integral_value():
                self.fail(msg("figures.must_be_whole", where=where, got=_brief(value)), line)
            return int(d)
        if t == _TEXT:
            if isinstance(value, (dict, list)) or isinstance(value, bool):
                self.fail(msg("figures.must_be_text", where=where, got=_tname(value)), line)
            text = str(value)
            if node.allowed and text not in node.allowed:
                self.fail(msg("figures.must_be_one_of", where=where, allowed="、".join(node.allowed), got=text), line)
            return text
        if t == _DATE_T:
            if isinstance(value, _dt.date):
                return value
            m = _DATE.fullmatch(str(value))
            if not m:
                self.fail(msg("figures.must_be_date", where=where, got=_brief(value)), line)
            try:
                return _dt.date(*(int(g) for g in m.groups()))
            except ValueError:
                self.fail(msg("figures.not_a_date", where=where, got=value), line)
        if t == _CODE_T:
            return self.code(value, path, line, None)
        if t == _FREE:
            if isinstance(value, dict):
                return {str(k): self.leaf(node, v, path + (str(k),), self._line_of_key(value, k) or line)
                        for k, v in value.items() if v is not None}
            if isinstance(value, list):
                self.fail(msg("figures.text_or_texts", where=where), line)
            return str(value).strip()
        raise AssertionError(t)


_AMOUNT = Node("leaf", leaf=_AMT)
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?\s*")


@cache
def _code_lengths(system: str) -> frozenset[int]:
    return frozenset(subjects()[f"{system}编码长度"].values())


class _Irregular(Exception):
    """The fast validator met something it leaves to the reference one."""


class _FastValidator(_Validator):
    """The reference validator without line bookkeeping, and with a quick path for 科目 rows.

    Used on trees read from text, whose lines are read again lazily (Figures._load_lines) only
    when someone asks for one. It gives the same data as _Validator whenever that one succeeds;
    on any problem it raises, and the caller reruns the reference validator for the message.
    """

    def __init__(self, source: str, usual_rows: dict | None = None):
        super().__init__(source, False)
        # loader_fast.read_subset's sequences of usual rows (already in their validated form)
        self.usual_rows = usual_rows or {}

    @staticmethod
    def _line_of_key(mapping, key):
        return None

    @staticmethod
    def _line_of_item(seq, i):
        return None

    def fail(self, msg: str, line):
        raise _Irregular

    def unknown(self, key, candidates, path, line):
        raise _Irregular

    def validate(self, node: Node, value, path: tuple, line, root: Node, required_on: bool):
        """_Validator.validate, with the common leaves and the 映射 of 编码 keys done in place."""
        kind = node.kind
        if kind == "leaf":
            t, vt = node.leaf, type(value)
            # what leaf() returns for these, without its calls: the value itself
            if vt is Decimal and (t == _AMT or t == _NUM) or vt is int and t == _INT \
                    or vt is str and t == _TEXT and (not node.allowed or value in node.allowed):
                return value
            if vt is int and (t == _AMT or t == _NUM):
                return Decimal(value)  # leaf's to_decimal of an int
            return self.leaf(node, value, path, line)
        if kind == "dict" and type(value) is dict:
            child = node.value
            keys = _node_cache(node, "_dict_key_cache")  # key as written (str) -> key as validated
            plain_amount = child.kind == "leaf" and child.leaf in (_AMT, _NUM)
            out = {}
            for k, v in value.items():
                key = keys.get(k)  # only str keys are cached; no other type equals one
                if key is None:
                    key = self.code(k, path + (k,), line, None) if node.key_kind == _CODE_T else str(k)
                    if type(k) is str:
                        keys[k] = key
                out[key] = v if plain_amount and type(v) is Decimal else \
                    self.validate(child, v, path + (key,), line, root, required_on)
            return out
        if kind == "map":
            return self.mapping(node, value, path, line, root, required_on)
        if kind == "table":
            return self.table(node, value, path, line, root, required_on)
        if kind == "list" and type(value) is list:  # the reference's list, without its lines
            item = node.item
            return [self.validate(item, v, path + (i,), line, root, required_on) for i, v in enumerate(value)]
        return super().validate(node, value, path, line, root, required_on)

    def mapping(self, node: Node, value, path, line, root, required_on, skip=()):
        """_Validator.mapping, with each key's (canonical name, schema node) remembered."""
        if value is None:
            value = {}
        if type(value) is not dict:
            raise _Irregular
        out: dict = {}
        plan = node.__dict__.get("_fast_plan")
        if plan is None:
            plan = _mapping_plan(node)
        key_set, known, required = plan
        if len(known) > 8_192:  # names as written: a department needs a few hundred; keeps a batch flat
            known.clear()
        for k, v in value.items():
            if k in skip:
                continue
            hit = known.get(k)  # only str keys are cached; no other type equals one
            if hit is None:
                nk = norm_key(k)
                canon = node.lookup.get(nk)
                if canon is not None:
                    child = node.children[canon]
                elif node.any_key is not None and (key_set is None or nk in key_set):
                    canon = key_set[nk] if key_set else str(k)
                    child = node.any_key
                else:
                    raise _Irregular
                amount = child.kind == "leaf" and child.leaf in (_AMT, _NUM)
                if type(k) is str:
                    known[k] = (canon, child, amount)
            else:
                canon, child, amount = hit
            if canon in out:
                raise _Irregular
            if v is None:
                continue  # a blank cell: absent
            if amount and type(v) is Decimal:
                out[canon] = v  # what validate -> leaf gives, without the calls
                continue
            out[canon] = self.validate(child, v, path + (canon,), line, root, required_on)
        if required_on:
            for name in required:
                if name not in out:
                    raise _Irregular
        return out

    @staticmethod
    def _column_of(node: Node, columns: dict, k) -> str:
        """The canonical column of a row key; "" for 科目编码 and 科目名称, which are no columns."""
        if k == _CODE or k == _NAME:
            return ""
        canon = columns.get(k)  # only str keys are cached; no other type equals one
        if canon is None:
            canon = node.column_lookup.get(norm_key(k))
            if canon is None:
                raise _Irregular
            if type(k) is str:
                columns[k] = canon
        return canon

    def columns(self, node: Node, value, path, line):
        """_Validator.columns (for a 合计), with the columns as written remembered."""
        if type(value) is not dict:
            raise _Irregular
        columns = _column_cache(node)
        out = {}
        for k, v in value.items():
            canon = self._column_of(node, columns, k)
            if not canon:
                raise _Irregular  # 科目编码 or 科目名称: no column
            if v is None:
                continue
            out[canon] = v if type(v) is Decimal else self.leaf(_AMOUNT, v, path + (canon,), line)
        return out

    @staticmethod
    def _usual_layouts(node: Node, layouts) -> bool:
        """Whether every key layout (tuple of str) is made of canonical columns of the table."""
        known = _node_cache(node, "_usual_layout_cache")
        for keys in layouts:
            fits = known.get(keys)
            if fits is None:
                fits = known[keys] = all(node.column_lookup.get(norm_key(k)) == k for k in keys)
            if not fits:
                return False
        return True

    def table(self, node: Node, value, path, line, root, required_on):
        if type(value) is not dict:
            raise _Irregular
        out = self.mapping(node, value, path, line, root, required_on, skip=(_TOTAL, _ROWS))
        if _TOTAL in value and value[_TOTAL] is not None:
            out[_TOTAL] = self.columns(node, value[_TOTAL], path + (_TOTAL,), line)
        rows = value.get(_ROWS)
        out_rows = []
        if rows is not None:
            if type(rows) is not list:
                raise _Irregular
            lengths = _code_lengths(node.code_system) if node.code_system else None
            usual = self.usual_rows.get(id(rows))
            if usual is not None and usual[0] is rows and self._usual_layouts(node, usual[1]):
                # Rows the reader built in validated form: code (digits), trimmed name, then
                # canonical columns with Decimal amounts. Left to check: codes unique and of
                # a valid length.
                codes = [row[_CODE] for row in rows]
                if len(set(codes)) != len(codes) or (lengths and not set(map(len, codes)) <= lengths):
                    raise _Irregular
                out[_ROWS] = list(rows)
                return out
            columns = _column_cache(node)
            plans = _node_cache(node, "_layout_cache")
            codes = _node_cache(node, "_code_cache")  # code as written (str) -> valid code
            seen = set()
            for row in rows:
                if type(row) is not dict:
                    raise _Irregular
                written = row.get(_CODE)
                code = codes.get(written) if type(written) is str else None
                if code is None:
                    if type(written) is str:
                        code = written.strip()
                    elif type(written) is int:
                        code = str(written).strip()
                    else:
                        raise _Irregular  # absent, or not a code: the reference says which
                    if not _DIGITS.fullmatch(code) or (lengths and len(code) not in lengths):
                        raise _Irregular
                    if type(written) is str:
                        codes[written] = code
                if code in seen:
                    raise _Irregular
                seen.add(code)
                name = row.get(_NAME)
                if name is not None and not isinstance(name, str):
                    raise _Irregular
                # cells go straight into the row: no column is named 科目编码 or 科目名称
                # (checked in _column_cache), so the order and values are those of r.update(cells)
                r = {_CODE: code, _NAME: (name or "").strip()}
                # Rows share a few key layouts: the canonical column at each position ("" for
                # 科目编码/科目名称) is worked out once per layout. Only all-str layouts are
                # stored, and a tuple with any other key never equals one of them.
                layout = tuple(row)
                plan = plans.get(layout)
                if plan is None:
                    plan = tuple(self._column_of(node, columns, k) for k in layout)
                    if all(type(k) is str for k in layout):
                        plans[layout] = plan
                for canon, v in zip(plan, row.values()):
                    if canon and v is not None:
                        r[canon] = v if type(v) is Decimal else self.leaf(_AMOUNT, v, path, line)
                out_rows.append(r)
        out[_ROWS] = out_rows
        return out


def _mapping_plan(node: Node) -> tuple:
    """What _FastValidator.mapping needs of a schema node, worked out once: its key set, its
    memo of keys as written -> (canonical name, schema node, plain amount?), its required names."""
    plan = node.__dict__["_fast_plan"] = (
        key_sets().get(node.key_set) if node.key_set else None, {},
        tuple(name for name, child in node.children.items() if child.required))
    return plan


def _node_cache(node: Node, name: str) -> dict:
    """A memo kept on a schema node (schema() is compiled once, so these live as long as it)."""
    memo = node.__dict__.get(name)
    if memo is None or len(memo) > 8_192:  # names and codes as written: a department needs a few hundred; keeps a batch flat
        memo = node.__dict__[name] = {}
    return memo


def _column_cache(node: Node) -> dict[str, str]:
    """Column name as written -> canonical column, filled as names are met (per table node)."""
    if {_CODE, _NAME} & set(node.column_lookup.values()):  # pragma: no cover - schema guard
        raise ValueError(f"a 科目表 column may not be named {WORDS.code} or {WORDS.name}")
    return _node_cache(node, "_column_cache")


@dataclass
class _Keep:
    items: dict
    mapping: Any


def _brief(v) -> str:
    """A value for a message, bounded: a list or mapping is named, never printed (an alias
    bomb expands to billions of items), long text is cut."""
    if isinstance(v, (dict, list)):
        return _tname(v)
    text = repr(v)
    return text if len(text) <= 60 else text[:40] + "…" + text[-10:]


def _tname(v) -> str:
    if isinstance(v, bool):
        return msg("figures.got_bool")
    if isinstance(v, dict):
        return msg("figures.got_mapping")
    if isinstance(v, list):
        return msg("figures.got_list")
    if v is None:
        return msg("figures.got_nothing")
    if isinstance(v, (int, Decimal)):
        return msg("figures.got_number", value=_brief(v))
    return repr(str(v))


def figures_from_tree(tree, source: str = "<figures>", required: bool = True) -> Figures:
    """Validate a parsed tree (from YAML, a workbook or a disclosure) and build Figures.

    ``required=False`` (a disclosure read in part): figures the schema marks 必填 may be absent."""
    if tree is None:
        raise InputError(msg("input.empty"), source)
    if not isinstance(tree, dict):
        raise InputError(msg("figures.top_must_be_mapping", got=_tname(tree)), source, 1)
    v = _Validator(source, True)
    root = schema()
    data = v.mapping(root, tree, (), 1, root, required)
    bad = figures_problem(data)
    if bad is not None:
        path, why = bad
        fig = Figures(data=data, source=source, lines=v.lines)
        raise InputError(f"{v._where(path)} {why}", source, fig.line_of(path))
    data.setdefault(WORDS.unit, WORDS.default_unit)
    return Figures(data=data, source=source, lines=v.lines)


def _fast_figures(tree: dict, source: str, usual_rows: dict | None = None) -> Figures | None:
    """figures_from_tree without lines (read later, lazily); None when the tree needs the
    reference validator (to succeed or to say what is wrong). usual_rows: from read_subset."""
    v = _FastValidator(source, usual_rows)
    root = schema()
    try:
        data = v.mapping(root, tree, (), 1, root, True)
    except (_Irregular, InputError):
        return None
    if figures_problem(data) is not None:
        return None  # the reference validator says what and where
    data.setdefault(WORDS.unit, WORDS.default_unit)
    return Figures(data=data, source=source)
