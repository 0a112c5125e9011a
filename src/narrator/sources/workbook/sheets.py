"""The workbook's vocabulary (rules/workbook.yaml and the schema's names), exact numbers
from cells, and sheets and the table regions on them."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any, Iterable

from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import Node, key_sets, norm_key, schema, subjects
from narrator.figures.names import WORDS, final_tables


# ======================================================================================
# vocabulary
# ======================================================================================
@cache
def _vocab() -> dict:
    return load_rule_file(rules_dir() / "workbook.yaml")


def _n(text) -> str:
    """Normalised text for comparing names: NFKC, then figures.norm_key."""
    return norm_key(unicodedata.normalize("NFKC", str(text))).strip()


_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十百零〇]+[、.]|\([一二三四五六七八九十百零〇\d]+\)[、.]?|\d{1,2}[、.](?!\d)"
    r"|[①-⑳]|其中|减|加)+")


def _label(text) -> str:
    """A row or column label as compared: normalised, without a leading ordinal or 其中."""
    t = _n(text)
    s = _ORDINAL.sub("", t)
    return s or t


@cache
def _heads(key: str) -> frozenset[str]:
    return frozenset(_n(x) for x in _vocab()["表头"][key])


def _lookup(node: Node) -> dict[str, str]:
    """Normalised name/alias → canonical child name, plus the node's key set (功能分类类名)."""
    out: dict[str, str] = {}
    for canon, child in node.children.items():
        out[_n(canon)] = canon
        for a in child.aliases:
            out[_n(a)] = canon
    if node.key_set:
        for k, v in key_sets()[node.key_set].items():
            out.setdefault(_n(v), v)
    return out


def _child(node: Node, canon: str) -> Node:
    if canon in node.children:
        return node.children[canon]
    assert node.any_key is not None
    return node.any_key


LAYOUTS = ("two_sided", "subject_table", "detail_table", "three_public")


@cache
def _tables() -> dict[str, str]:
    """The nine tables (rules/决算表.yaml) → their workbook layout (workbook.yaml 版式): two_sided,
    subject_table, detail_table (read as a subject_table, written in column groups) or three_public."""
    layouts = _vocab()["版式"]
    unknown = {k: v for k, v in layouts.items() if v not in LAYOUTS}
    if unknown:
        raise ValueError(f"rules/workbook.yaml: unknown workbook layouts {unknown} (known: {', '.join(LAYOUTS)})")
    return {t["键"]: layouts[t["类型"]] for t in final_tables()}


@cache
def _title_names() -> list[tuple[str, str]]:
    """(normalised title, canonical table) for matching title cells, longest first."""
    root = schema()
    out = []
    extra = {t["键"]: t["标题"] for t in final_tables()}
    for name in _tables():
        node = root.children[name]
        for t in (name, *node.aliases, *(extra.get(name) or ())):
            out.append((_n(t), name))
    out.sort(key=lambda x: -len(x[0]))
    return out


def _match_title(text: str, short_ok: bool = False) -> str | None:
    t = _n(text)
    above = _vocab()["表上说明"]
    if not t or t.startswith(tuple(above["注释开头"])) or "。" in t:
        return None
    for name, canon in _title_names():
        if not short_ok and not name.endswith(above["表名结尾"]):
            continue
        if name in t and len(t) <= len(name) + 30:
            return canon
    return None


# ======================================================================================
# cell values
# ======================================================================================
_DASHES = {"-", "--", "—", "——", "－", "/", "—-", "–", "…"}


def _places_of_format(fmt: str | None) -> tuple[int | None, bool]:
    """(decimals shown, is a percentage) of an Excel number format; (None, _) for General."""
    if not fmt or fmt.strip().lower() == "general":
        return None, False
    sec = fmt.split(";")[0]
    sec = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", sec)
    pct = "%" in sec
    if not re.search(r"[0#?]", sec) or re.search(r"[eE][+-]", sec):
        return None, pct
    m = re.search(r"\.([0#?]+)", sec)
    return (len(m.group(1)) if m else 0), pct


def _round(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _at_least(d: Decimal, places: int) -> Decimal:
    exp = d.as_tuple().exponent
    if isinstance(exp, int) and -exp < places:
        return _round(d, places)
    return d


def _text_number(s: str) -> tuple[Decimal | None, bool]:
    """Parse a number typed as text. Returns (value or None if blank, ok)."""
    t = unicodedata.normalize("NFKC", s).strip().replace(",", "").replace(" ", "")
    if not t or t in _DASHES:
        return None, True
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1]
    pct = t.endswith("%")
    if pct:
        t = t[:-1]
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None, False
    if not d.is_finite():
        return None, False
    return (-d if neg else d), True


@dataclass
class _Cell:
    sheet: str
    row: int
    col: int
    value: Any
    fmt: str = "General"

    @property
    def ref(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.col)}{self.row}"

    @property
    def where(self) -> str:
        return msg("workbook.cell", sheet=self.sheet, ref=self.ref)


def _is_number(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float, Decimal)):
        return True
    if isinstance(v, str):
        d, ok = _text_number(v)
        return ok and d is not None
    return False


def _convert(cell: _Cell, kind: str, source: str):
    """Cell → figures leaf of the schema type ``kind``; None when blank."""
    v = cell.value
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    what = {WORDS.amount: "workbook.an_amount", WORDS.number: "workbook.a_number", WORDS.integer: "workbook.a_whole_number"}.get(kind)
    what = msg(what) if what is not None else None
    if what is not None:
        if isinstance(v, bool):
            raise InputError(msg("workbook.expected", where=cell.where, what=what, got=repr(v)), source)
        if isinstance(v, (_dt.date, _dt.datetime, _dt.time)):
            raise InputError(msg("workbook.expected_not_date", where=cell.where, what=what), source)
        if isinstance(v, str):
            d, ok = _text_number(v)
            if not ok:
                raise InputError(msg("workbook.expected", where=cell.where, what=what, got=repr(v.strip())), source)
            if d is None:
                return None
        else:
            places, pct = _places_of_format(cell.fmt)
            if isinstance(v, float):
                if v != v or v in (float("inf"), float("-inf")):
                    raise InputError(msg("workbook.expected", where=cell.where, what=what, got=repr(v)), source)
                d = Decimal(repr(v)) if places is not None else Decimal(format(v, ".15g"))
            else:
                d = Decimal(v)
            if pct:
                d = d * 100
            if places is not None:
                d = _round(d, places)
        if kind == WORDS.integer:
            if d != d.to_integral_value():
                raise InputError(msg("workbook.expected", where=cell.where, what=msg("workbook.a_whole_number"),
                                     got=_show(v)), source)
            return int(d)
        if kind == WORDS.amount:
            d = _at_least(d, 2)
        if d == 0:
            d = abs(d)
        return d
    if kind == WORDS.date:
        if isinstance(v, _dt.datetime):
            return v.date()
        if isinstance(v, _dt.date):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raise InputError(msg("workbook.expected_date", where=cell.where, got=_show(v)), source)
        return str(v).strip()
    if kind == WORDS.code_type:
        return _code_text(cell, source)
    # 文本, 任意文本
    if isinstance(v, float):
        return format(v, ".15g")
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    text = str(v)
    return text.strip() if kind == WORDS.text else text.strip("\n ").replace("\r\n", "\n")


def _show(v) -> str:
    if isinstance(v, float):
        return format(v, ".15g")
    return repr(v)


def _code_text(cell: _Cell, source: str) -> str | None:
    v = cell.value
    if v is None:
        return None
    if isinstance(v, bool):
        raise InputError(msg("workbook.code_digits", where=cell.where, code=repr(v)), source)
    if isinstance(v, float):
        if v != int(v):
            raise InputError(msg("workbook.code_digits", where=cell.where, code=_show(v)), source)
        v = int(v)
    text = unicodedata.normalize("NFKC", str(v)).strip().replace(" ", "")
    if not text:
        return None
    if not text.isdigit():
        raise InputError(msg("workbook.code_digits", where=cell.where, code=repr(text)), source)
    return text


def _check_code(code: str, system: str | None, cell: _Cell, source: str) -> str:
    if not re.fullmatch(r"\d+", code):
        raise InputError(msg("workbook.code_digits", where=cell.where, code=repr(code)), source)
    if system:
        lengths = subjects()[f"{system}编码长度"]
        if len(code) not in lengths.values():
            want = "/".join(str(n) for n in sorted(lengths.values()))
            raise InputError(msg("workbook.code_length", where=cell.where, system=system, code=repr(code), want=want),
                             source)
    return code


# ======================================================================================
# sheets
# ======================================================================================
class _Sheet:
    """The non-empty cells of a worksheet, with merged ranges resolved for labels."""

    def __init__(self, ws, formulas: set[tuple[int, int]] | None = None):
        self.name = ws.title
        self.cells: dict[tuple[int, int], _Cell] = {}
        self.max_row = 0
        self.max_col = 0
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None or (isinstance(v, str) and not v.strip()):
                    continue
                self.cells[(c.row, c.column)] = _Cell(self.name, c.row, c.column, v, c.number_format or "General")
                self.max_row = max(self.max_row, c.row)
                self.max_col = max(self.max_col, c.column)
        self.merge_of: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            tl = (rng.min_row, rng.min_col)
            if tl not in self.cells:
                continue
            for r in range(rng.min_row, min(rng.max_row, self.max_row + 1) + 1):
                for c in range(rng.min_col, min(rng.max_col, self.max_col + 1) + 1):
                    if (r, c) != tl:
                        self.merge_of[(r, c)] = tl
        self.formulas = formulas or set()
        self.rows: dict[int, list[int]] = {}
        for (r, c) in sorted(self.cells):
            self.rows.setdefault(r, []).append(c)

    def cell(self, r: int, c: int) -> _Cell:
        got = self.cells.get((r, c))
        if got is None:
            got = _Cell(self.name, r, c, None)
            if (r, c) in self.formulas:
                raise InputError(msg("workbook.formula_without_value", where=got.where), None)
        return got

    def raw(self, r: int, c: int):
        got = self.cells.get((r, c))
        return None if got is None else got.value

    def val(self, r: int, c: int):
        got = self.cells.get((r, c))
        if got is None and (r, c) in self.merge_of:
            got = self.cells.get(self.merge_of[(r, c)])
        return None if got is None else got.value

    def label(self, r: int, c: int, merged: bool = True) -> str:
        v = self.val(r, c) if merged else self.raw(r, c)
        return _label(v) if isinstance(v, str) else ""

    def texts(self, r0: int, r1: int) -> Iterable[_Cell]:
        for r in range(r0, r1 + 1):
            for c in self.rows.get(r, ()):
                cell = self.cells[(r, c)]
                if isinstance(cell.value, str):
                    yield cell

    def numbers_in(self, r0: int, r1: int, c0: int = 1, c1: int | None = None) -> list[_Cell]:
        out = []
        for r in range(r0, r1 + 1):
            for c in self.rows.get(r, ()):
                if c < c0 or (c1 is not None and c > c1):
                    continue
                cell = self.cells[(r, c)]
                if _is_number(cell.value):
                    out.append(cell)
        return out

    def ref(self, r: int, c: int) -> str:
        return _Cell(self.name, r, c, None).ref


@dataclass
class _Region:
    sheet: _Sheet
    table: str
    r0: int          # title row (or 0 when found by sheet name)
    r1: int          # last row


def _is_column_numbers_row(sh: _Sheet, r: int) -> bool:
    """A 栏次 row: labelled 栏次/行次, or nothing but the integers 1, 2, 3 … across."""
    ints = []
    for c in sh.rows.get(r, ()):
        v = sh.raw(r, c)
        if isinstance(v, str):
            if _label(v) in _heads("行次"):
                return True
            d, ok = _text_number(v)
            if not ok:
                return False
            if d is None:
                continue
            v = d
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
            return False
        if v != int(v):
            return False
        ints.append(int(v))
    return len(ints) >= 2 and ints[0] in (0, 1) and ints == list(range(ints[0], ints[0] + len(ints)))
