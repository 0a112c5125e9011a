"""Excel workbooks (.xlsx/.xlsm) of the nine 决算 tables: reading into Figures, writing the layout.

Reading (``read_workbook``)
---------------------------
A workbook as exported from the 决算 system, or as written by ``narrator init-workbook``:

* **The nine tables** — one sheet per table, or several tables stacked on one sheet. A table is
  found by its title cell (any cell that contains the official name or an alias, e.g.
  「区人社局2024年度收入决算表」, 「一般公共预算财政拨款基本支出决算表」); a sheet without a title
  cell is taken by its sheet name. Rows and columns are found by their official names, never by
  position: full/half-width brackets, quotes, spaces and leading 「一、」「（一）」「其中：」 do not count,
  and the aliases of rules/figures-schema.yaml and rules/workbook.yaml are understood.

  - 收入支出决算总表, 财政拨款收入支出决算总表 — two-sided: 收入 items and their amounts on the
    left, 支出 items on the right (行次 columns are skipped). In 财政拨款收入支出决算总表 the 支出
    side has the columns 小计 | 一般公共预算财政拨款 | 政府性基金预算财政拨款 | 国有资本经营预算财政拨款,
    and the rows under 年初财政拨款结转和结余 on the 收入 side are its parts.
  - 科目表 (收入决算表, 支出决算表, 一般公共预算财政拨款支出决算表, 基本支出决算明细表, 政府性基金 /
    国有资本经营预算财政拨款…决算表) — a 科目编码 column (「2080101」), or 类 | 款 | 项 columns
    (「208」|「01」|「01」, parents may be left blank), or code and name in one cell; a 科目名称
    column; one column per amount, named by its header (lowest header row wins: 本年支出 / 小计 →
    合计). A 「合计」 row gives the table's 合计. Side-by-side column groups (科目编码 | 科目名称 |
    决算数, repeated, as in the 基本支出决算明细表) are read group by group and their rows put in
    科目编码 order; 人员经费合计 / 公用经费合计 rows give those figures.
  - 财政拨款“三公”经费支出决算表 — a 预算数 group and a 决算数 group of columns (合计, 因公出国（境）费,
    公务用车购置及运行维护费 with 小计 | 公务用车购置费 | 公务用车运行维护费, 公务接待费), or the same
    transposed (items as rows, 预算数 / 决算数 as columns).

  「编制单位：…」 and 「金额单位：万元」 cells above a table give 单位 and 金额单位 when the 基本信息 sheet
  does not; 「2024年度」 in a title gives 年度.

* **Sheets for the figures outside the tables** (written by init-workbook; found by sheet name):

  =============  =========================================================================
  基本信息         项目 | 数值 | 说明 — 单位, 年度, 金额单位 (元 / 万元 / 亿元; blank = 万元)
  年初预算         项目 | 年初预算数 | 说明 — the named totals (一般公共预算财政拨款支出 …
                   机关运行经费), then a second block 科目编码 | 年初预算数 | 科目名称, one 项 per row
  上年             路径 | 数值 | 说明 — last year's figures by path, the same path as this year's
                   (收入支出决算总表.收入.本年收入合计, 支出决算表.科目.2080101.本年支出合计 …)
  机关运行经费, 三公经费说明, 政府采购, 国有资产占用, 预算绩效
                 项目 | 数值 | 说明 — one figure per row; 项目 is the name in the figures model,
                   nested names joined by 「.」 (车辆.其他用车, 整体支出.执行数, 管理情况.评级优);
                   a 绩效指标 is two rows 「整体支出.成本指标分值」「整体支出.成本指标得分」
  项目自评         one row per project: 项目名称 | 简称 | 科目编码 | 预算数 | 执行数 | 执行率 |
                   预算执行权重 | 预算执行得分 | 自评得分 | 成本指标分值 | 成本指标得分 | … |
                   主要产出和效益 (any 「X分值」「X得分」 pair of columns is an indicator X)
  文字说明         键 | 内容 — nested keys joined by 「.」 (支出用途.社会保障和就业支出,
                   科目说明.2080106.差异原因)
  =============  =========================================================================

  Sheets named 填写说明, 说明, 封面, 目录 and sheets holding none of the above are ignored.

* **Numbers** are read exactly as the cell shows them: a numeric cell is converted with
  ``Decimal(repr(float))`` and rounded (half up) to the decimals of its number format
  (「#,##0.00」 → 2, 「0.000」 → 3; a 「%」 format gives the percentage, 72.00% → 72.00); a
  General cell keeps what was typed (Excel's 15 significant digits) and amounts get at least two
  decimals, so 11121.2 becomes Decimal('11121.20'). Text cells such as 「11,121.20」 parse too;
  blank cells and cells holding only 「-」「—」 are absent. Formulas give their saved values.
* Errors name the sheet and the cell: ``sheet 收入决算表, cell C7: expected an amount, got 'abc'``.

Writing (``write_workbook``)
----------------------------
The same layout: a 填写说明 sheet, 基本信息, the nine tables as published (titles, two-level headers,
all 收入 items, the 类 of 支出 from rules/科目.yaml, the 经济分类 rows of the 基本支出决算明细表 from
rules/workbook.yaml), then the sheets above. Empty (``None``) for an officer to fill, or filled
from Figures. Amounts are written as exact numbers with a 「#,##0.00」 format (more decimals when
the figure has more), so writing then reading gives back the very same Decimals.

``figures_to_tree`` and ``dump_yaml`` turn Figures back into the canonical tree and YAML text
(``narrator convert IN.xlsx -o OUT.yaml``).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import io
import json
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Iterable

from narrator.core.errors import InputError
from narrator.figures.model import Figures, Node, _key_sets, figures_from_tree, norm_key, schema, subjects
from narrator.core.resources import rules_dir
from narrator.core.textio import atomic_write
from narrator.core.yamlio import load_rule_file

__all__ = ["read_workbook", "write_workbook", "figures_to_tree", "dump_yaml"]


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


def _heads(key: str) -> set[str]:
    return {_n(x) for x in _vocab()["表头"][key]}


def _lookup(node: Node) -> dict[str, str]:
    """Normalised name/alias → canonical child name, plus the node's key set (功能分类类名)."""
    out: dict[str, str] = {}
    for canon, child in node.children.items():
        out[_n(canon)] = canon
        for a in child.aliases:
            out[_n(a)] = canon
    if node.key_set:
        for k, v in _key_sets()[node.key_set].items():
            out.setdefault(_n(v), v)
    return out


def _child(node: Node, canon: str) -> Node:
    if canon in node.children:
        return node.children[canon]
    assert node.any_key is not None
    return node.any_key


TABLE_KINDS = ("双栏", "科目表", "三公")


def _tables() -> dict[str, str]:
    return dict(_vocab()["表"])


@cache
def _title_names() -> list[tuple[str, str]]:
    """(normalised title, canonical table) for matching title cells, longest first."""
    root = schema()
    out = []
    extra = _vocab().get("表名别名") or {}
    for name in _tables():
        node = root.children[name]
        for t in (name, *node.aliases, *(extra.get(name) or ())):
            out.append((_n(t), name))
    out.sort(key=lambda x: -len(x[0]))
    return out


def _match_title(text: str, short_ok: bool = False) -> str | None:
    t = _n(text)
    if not t or t.startswith(("注", "说明", "备注")) or "。" in t:
        return None
    for name, canon in _title_names():
        if not short_ok and not name.endswith("表"):
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
        return f"sheet {self.sheet}, cell {self.ref}"


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
    what = {"金额": "an amount", "数值": "a number", "整数": "a whole number"}.get(kind)
    if what is not None:
        if isinstance(v, bool):
            raise InputError(f"{cell.where}: expected {what}, got {v!r}", source)
        if isinstance(v, (_dt.date, _dt.datetime, _dt.time)):
            raise InputError(f"{cell.where}: expected {what}, got a date (is the cell formatted as a date?)",
                             source)
        if isinstance(v, str):
            d, ok = _text_number(v)
            if not ok:
                raise InputError(f"{cell.where}: expected {what}, got {v.strip()!r}", source)
            if d is None:
                return None
        else:
            places, pct = _places_of_format(cell.fmt)
            if isinstance(v, float):
                if v != v or v in (float("inf"), float("-inf")):
                    raise InputError(f"{cell.where}: expected {what}, got {v!r}", source)
                d = Decimal(repr(v)) if places is not None else Decimal(format(v, ".15g"))
            else:
                d = Decimal(v)
            if pct:
                d = d * 100
            if places is not None:
                d = _round(d, places)
        if kind == "整数":
            if d != d.to_integral_value():
                raise InputError(f"{cell.where}: expected a whole number, got {_show(v)}", source)
            return int(d)
        if kind == "金额":
            d = _at_least(d, 2)
        if d == 0:
            d = abs(d)
        return d
    if kind == "日期":
        if isinstance(v, _dt.datetime):
            return v.date()
        if isinstance(v, _dt.date):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raise InputError(f"{cell.where}: expected a date like 2024-12-31, got {_show(v)}", source)
        return str(v).strip()
    if kind == "编码":
        return _code_text(cell, source)
    # 文本, 任意文本
    if isinstance(v, float):
        return format(v, ".15g")
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    text = str(v)
    return text.strip() if kind == "文本" else text.strip("\n ").replace("\r\n", "\n")


def _show(v) -> str:
    if isinstance(v, float):
        return format(v, ".15g")
    return repr(v)


def _code_text(cell: _Cell, source: str) -> str | None:
    v = cell.value
    if v is None:
        return None
    if isinstance(v, bool):
        raise InputError(f"{cell.where}: malformed 科目编码 {v!r}: digits only", source)
    if isinstance(v, float):
        if v != int(v):
            raise InputError(f"{cell.where}: malformed 科目编码 {_show(v)}: digits only", source)
        v = int(v)
    text = unicodedata.normalize("NFKC", str(v)).strip().replace(" ", "")
    if not text:
        return None
    if not text.isdigit():
        raise InputError(f"{cell.where}: malformed 科目编码 {text!r}: digits only", source)
    return text


def _check_code(code: str, system: str | None, cell: _Cell, source: str) -> str:
    if not re.fullmatch(r"\d+", code):
        raise InputError(f"{cell.where}: malformed 科目编码 {code!r}: digits only", source)
    if system:
        lengths = subjects()[f"{system}编码长度"]
        if len(code) not in lengths.values():
            want = "/".join(str(n) for n in sorted(lengths.values()))
            raise InputError(f"{cell.where}: malformed {system}科目编码 {code!r}: must have {want} digits",
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
                raise InputError(f"{got.where}: holds a formula with no saved value; open the workbook in "
                                 "Excel or WPS and save it, or type the number", None)
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


# ======================================================================================
# reading: 科目表
# ======================================================================================
@dataclass
class _Group:
    code: int | None = None                 # single code column
    parts: list[int] = field(default_factory=list)   # 类 | 款 | 项 columns
    combo: int | None = None                # code and name in one cell
    name: int | None = None
    amounts: dict[int, str] = field(default_factory=dict)   # column → canonical column
    first: int = 0
    last: int = 0
    last_parts: list[str] = field(default_factory=list)

    @property
    def code_cols(self) -> list[int]:
        if self.code is not None:
            return [self.code]
        if self.parts:
            return list(self.parts)
        return [self.combo] if self.combo is not None else []


def _column_map(table: str, node: Node) -> dict[str, str]:
    m = {_n(k): v for k, v in node.column_lookup.items()}
    for alias, canon in ((_vocab().get("列别名") or {}).get(table) or {}).items():
        m.setdefault(_n(alias), canon)
    return m


def _read_subject_table(reg: _Region, node: Node, source: str) -> dict | None:
    sh, table = reg.sheet, reg.table
    r_start = reg.r0 + 1
    code_heads, name_heads = _heads("科目编码"), _heads("科目名称")
    combo_heads, part_heads = _heads("编码与名称同格"), _heads("编码分段")
    col_map = _column_map(table, node)
    child_lk = _lookup(node)
    totals = {"合计", "总计"}
    part_list = [_n(x) for x in _vocab()["表头"]["编码分段"]]

    # the first header row: one naming the code or name column
    hdr = None
    for r in range(r_start, reg.r1 + 1):
        labs = {sh.label(r, c) for c in range(1, sh.max_col + 1)}
        if labs & (code_heads | name_heads) or part_list[0] in labs:
            hdr = r
            break
    if hdr is None:
        if sh.numbers_in(r_start, reg.r1):
            raise InputError(f"sheet {sh.name}: {table} has no 科目编码 column (a header 科目编码, or 类 | 款 | 项)",
                             source)
        return None

    key_heads = code_heads | name_heads | combo_heads | part_heads
    key_cols = [c for c in range(1, sh.max_col + 1) if sh.label(hdr, c) in key_heads]

    def header_like(r: int) -> bool:
        cols = sh.rows.get(r, ())
        if not cols:
            return False
        if any(sh.label(r, c, merged=False) in totals or sh.label(r, c, merged=False) in child_lk
               for c in key_cols):
            return False
        if any(re.fullmatch(r"\d{3,7}", unicodedata.normalize("NFKC", str(sh.raw(r, c))).strip())
               for c in key_cols if sh.raw(r, c) is not None):
            return False
        if _is_column_numbers_row(sh, r):
            return True
        if any(_is_number(sh.raw(r, c)) for c in cols):
            return False
        return any(isinstance(sh.raw(r, c), str) for c in cols)

    h_end = hdr
    while h_end + 1 <= reg.r1 and header_like(h_end + 1):
        h_end += 1
    head_rows = [r for r in range(r_start, h_end + 1) if not _is_column_numbers_row(sh, r)]

    # column roles, lowest header row first
    roles: dict[int, tuple] = {}
    for c in range(1, sh.max_col + 1):
        for r in reversed(head_rows):
            t = sh.label(r, c)
            if not t:
                continue
            if t in code_heads:
                roles[c] = ("code",)
            elif t in part_heads:
                roles[c] = ("part", part_list.index(t))
            elif t in name_heads:
                roles[c] = ("name",)
            elif t in col_map:
                roles[c] = ("amount", col_map[t])
            elif t in _heads("行次"):
                roles[c] = ("skip",)
            else:
                continue
            break
    anchors = []
    for c in sorted(roles):
        role = roles[c]
        if role[0] == "code" or (role[0] == "part" and role[1] == 0):
            anchors.append(c)
    if not anchors:
        for c in range(1, sh.max_col + 1):
            if any(sh.label(r, c) in combo_heads for r in head_rows):
                anchors.append(c)
                roles[c] = ("combo",)
                break
    if not anchors:
        raise InputError(f"sheet {sh.name}, row {hdr}: {table} has no 科目编码 column "
                         "(a header 科目编码, or 类 | 款 | 项)", source)
    groups: list[_Group] = []
    for i, a in enumerate(anchors):
        last = anchors[i + 1] - 1 if i + 1 < len(anchors) else max(sh.max_col, a)
        g = _Group(first=a, last=last)
        for c in range(a, last + 1):
            role = roles.get(c)
            if role is None:
                continue
            if role[0] == "code" and g.code is None and not g.parts:
                g.code = c
            elif role[0] == "part" and g.code is None:
                g.parts.append(c)
            elif role[0] == "combo":
                g.combo = c
            elif role[0] == "name" and g.name is None:
                g.name = c
            elif role[0] == "amount":
                if role[1] in g.amounts.values():
                    raise InputError(f"sheet {sh.name}, cell {sh.ref(h_end, c)}: column {role[1]} of {table} "
                                     "appears twice", source)
                g.amounts[c] = role[1]
        if g.name is None:
            after = [c for c in range(max(g.code_cols) + 1, last + 1) if c not in g.amounts and c not in roles]
            if after:
                g.name = after[0]
        groups.append(g)
    if not any(g.amounts for g in groups):
        raise InputError(f"sheet {sh.name}, row {h_end}: {table} has no amount columns "
                         f"(expected {', '.join(node.columns)})", source)

    out: dict = {}
    rows: dict[str, dict] = {}
    seen: dict[str, str] = {}
    where_tot: dict[str, str] = {}
    for r in range(h_end + 1, reg.r1 + 1):
        if r not in sh.rows or _is_column_numbers_row(sh, r):
            continue
        for g in groups:
            amounts = {}
            for c, canon in g.amounts.items():
                v = _convert(sh.cell(r, c), "金额", source)
                if v is not None:
                    amounts[canon] = v
            code, name, label, code_cell = _row_key(sh, r, g, node, source)
            if label is not None:
                if label in totals:
                    if amounts:
                        if "合计" in out:
                            raise InputError(f"sheet {sh.name}, row {r}: a second 合计 row in {table} "
                                             f"(first at {where_tot['合计']})", source)
                        out["合计"] = amounts
                        where_tot["合计"] = f"row {r}"
                    continue
                if label in child_lk:
                    canon = child_lk[label]
                    if amounts:
                        if canon in out:
                            raise InputError(f"sheet {sh.name}, row {r}: {canon} given twice in {table}", source)
                        out[canon] = next(iter(amounts.values()))
                    continue
                if label in _heads("行次") or not amounts:
                    continue
                close = difflib.get_close_matches(label, ["合计", *node.children], n=1, cutoff=0.5)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InputError(f"{code_cell.where}: unknown row {label!r} in {table} (expected a 科目编码 "
                                 f"or 合计){hint}", source)
            if code is None:
                if amounts:
                    c0 = min(g.amounts)
                    raise InputError(f"sheet {sh.name}, row {r}: amounts in {table} (from cell {sh.ref(r, c0)}) "
                                     f"but no 科目编码 in column {sh.ref(r, g.code_cols[0]).rstrip('0123456789')}",
                                     source)
                continue
            _check_code(code, node.code_system, code_cell, source)
            if not amounts:
                continue
            if code in rows:
                raise InputError(f"{code_cell.where}: 科目编码 {code} listed twice in {table} "
                                 f"(first at {seen[code]})", source)
            seen[code] = code_cell.ref
            row = {"科目编码": code}
            if name:
                row["科目名称"] = name
            row.update(amounts)
            rows[code] = row
    if not out and not rows:
        return None
    items = list(rows.values())
    if len(groups) > 1:
        items.sort(key=lambda x: x["科目编码"])
    out["科目"] = items
    return out


def _row_key(sh: _Sheet, r: int, g: _Group, node: Node, source: str):
    """(code, name, label, cell) of one row of one column group: label is set for 合计 etc."""
    name_text = None
    if g.name is not None:
        nv = sh.raw(r, g.name)
        if nv is not None:
            name_text = str(nv).strip() if not isinstance(nv, float) else format(nv, ".15g")
    if g.code is not None or g.combo is not None:
        col = g.code if g.code is not None else g.combo
        cell = sh.cell(r, col)
        v = cell.value
        if isinstance(v, str):
            t = unicodedata.normalize("NFKC", v).strip()
            m = re.match(r"^(\d[\d ]*)\s*(.*)$", t, re.S)
            if not m:
                return None, name_text, _label(v), cell
            code = m.group(1).replace(" ", "")
            rest = m.group(2).strip()
            if rest:
                if name_text or not re.match(r"[^\d\W]", rest):
                    raise InputError(f"{cell.where}: malformed 科目编码 {t!r}: digits only", source)
                name_text = rest
            return code, name_text, None, cell
        if v is None:
            if name_text is not None and _label(name_text) in ({"合计", "总计"} | set(_lookup(node))):
                return None, None, _label(name_text), sh.cell(r, g.name)
            return None, name_text, None, cell
        return _code_text(cell, source), name_text, None, cell
    # 类 | 款 | 项 columns
    parts = []
    first_cell = sh.cell(r, g.parts[0])
    for i, c in enumerate(g.parts):
        cell = sh.cell(r, c)
        v = cell.value
        if isinstance(v, str) and not re.fullmatch(r"\s*\d+\s*", unicodedata.normalize("NFKC", v)):
            if i == 0 or all(p == "" for p in parts):
                return None, name_text, _label(v), cell
            raise InputError(f"{cell.where}: malformed 科目编码 part {v.strip()!r}: digits only", source)
        t = _code_text(cell, source) or ""
        if t and i > 0 and len(t) == 1:
            t = "0" + t
        parts.append(t)
    if not any(parts):
        if name_text is not None and _label(name_text) in ({"合计", "总计"} | set(_lookup(node))):
            return None, None, _label(name_text), sh.cell(r, g.name)
        return None, name_text, None, first_cell
    # blank leading parts inherit from the row above (类 written once for its 款 and 项)
    if not parts[0]:
        k = next(i for i, p in enumerate(parts) if p)
        if len(g.last_parts) < k or not all(g.last_parts[:k]):
            raise InputError(f"{first_cell.where}: 科目编码 has no 类 (and no row above to take it from)", source)
        parts[:k] = g.last_parts[:k]
    for i in range(1, len(parts)):
        if parts[i] and not parts[i - 1]:
            raise InputError(f"{sh.cell(r, g.parts[i]).where}: 科目编码 has a 项 but no 款", source)
    g.last_parts = parts
    code = "".join(parts)
    return code, name_text, None, first_cell


# ======================================================================================
# reading: the two-sided 总表
# ======================================================================================
def _read_two_sided(reg: _Region, node: Node, source: str, found: dict) -> dict | None:
    sh, table = reg.sheet, reg.table
    sides = {"收入": node.children["收入"], "支出": node.children["支出"]}
    lk = {s: _lookup(n) for s, n in sides.items()}
    r_start = reg.r0 + 1
    # where are the label columns?
    count: dict[str, dict[int, int]] = {"收入": {}, "支出": {}}
    label_rows: dict[int, list[int]] = {}
    for cell in sh.texts(r_start, reg.r1):
        t = _label(cell.value)
        inc, exp = t in lk["收入"], t in lk["支出"]
        if inc != exp:
            s = "收入" if inc else "支出"
            count[s][cell.col] = count[s].get(cell.col, 0) + 1
        if inc or exp:
            label_rows.setdefault(cell.col, []).append(cell.row)
    label_cols: dict[int, str] = {}
    for s in ("收入", "支出"):
        if count[s]:
            col = max(count[s], key=lambda c: (count[s][c], -c))
            label_cols.setdefault(col, s)
    if not label_cols:
        if sh.numbers_in(r_start, reg.r1):
            raise InputError(f"sheet {sh.name}: cannot find the rows of {table} (本年收入合计, 本年支出合计 …)",
                             source)
        return None
    first_row = min(min(label_rows[c]) for c in label_cols)
    head_rows = list(range(r_start, first_row))
    ordered = sorted(label_cols)
    # 行次 columns
    skip_cols = set()
    for c in range(1, sh.max_col + 1):
        if any(sh.label(r, c) in _heads("行次") for r in head_rows):
            skip_cols.add(c)
            continue
        vals = [sh.raw(r, c) for r in range(first_row, reg.r1 + 1) if sh.raw(r, c) is not None]
        if len(vals) >= 3 and all(isinstance(v, int) and not isinstance(v, bool) for v in vals) \
                and vals == list(range(vals[0], vals[0] + len(vals))):
            skip_cols.add(c)

    def header(c: int, sub_lk: dict) -> str | None:
        for r in reversed(head_rows):
            t = sh.label(r, c)
            if t in sub_lk:
                return sub_lk[t]
        return None

    out: dict = {"收入": {}, "支出": {}}
    where: dict[tuple, str] = {}
    for i, lc in enumerate(ordered):
        c_end = ordered[i + 1] - 1 if i + 1 < len(ordered) else sh.max_col
        span = [c for c in range(lc + 1, c_end + 1) if c not in skip_cols and c not in label_cols]
        side = label_cols[lc]
        under: str | None = None
        for r in range(first_row, reg.r1 + 1):
            if r not in sh.rows or _is_column_numbers_row(sh, r):
                continue
            t = sh.label(r, lc, merged=False)
            if not t:
                continue
            other = "支出" if side == "收入" else "收入"
            if t not in lk[side] and t in lk[other]:
                side = other
            canon = lk[side].get(t)
            cells = [sh.cell(r, c) for c in span]
            if canon is None:
                if t in _heads("行次") or t in {"项目", "收入", "支出", "金额"}:
                    continue
                if any(_convert(c, "金额", source) is not None for c in cells):
                    names = list(sides[side].children) + list(_key_sets().get(sides[side].key_set or "", {}).values())
                    close = difflib.get_close_matches(t, names, n=1, cutoff=0.5)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise InputError(f"sheet {sh.name}, cell {sh.ref(r, lc)}: unknown {side} row {t!r} in "
                                     f"{table}{hint}", source)
                continue
            target = _child(sides[side], canon)
            path: tuple = (side, canon)
            # rows under 年初财政拨款结转和结余 are its parts
            if under is not None and canon in target_children(sides[side], under):
                path = (side, under, canon)
                target = sides[side].children[under].children[canon]
            elif target.kind == "map":
                under = canon
            else:
                under = None
            if target.kind == "leaf":
                for c in cells:
                    v = _convert(c, "金额", source)
                    if v is not None:
                        _put(out, path, v, c.where, where, source)
                        break
                else:
                    if span:
                        where.setdefault(path, f"cell {sh.ref(r, span[0])}")
                continue
            sub_lk = _lookup(target)
            for j, c in enumerate(cells):
                v = _convert(c, "金额", source)
                if v is None:
                    continue
                sub = header(c.col, sub_lk)
                if sub is None:
                    if j == 0:
                        sub = "小计"
                    else:
                        raise InputError(f"{c.where}: cannot tell which column of {canon} this is (expected "
                                         f"{', '.join(target.children)})", source)
                _put(out, path + (sub,), v, c.where, where, source)
            if span:
                where.setdefault(path, f"cell {sh.ref(r, span[0])}")
    found[table] = where
    if not out["收入"] and not out["支出"]:
        return None
    return {k: v for k, v in out.items() if v}


def target_children(side_node: Node, under: str) -> set[str]:
    n = side_node.children.get(under)
    if n is None or n.kind != "map":
        return set()
    return set(n.children) - {"小计"}


def _put(out: dict, path: tuple, value, cell_where: str, where: dict, source: str) -> None:
    node = out
    for p in path[:-1]:
        node = node.setdefault(p, {})
    if path[-1] in node:
        raise InputError(f"{cell_where}: {'.'.join(path)} given twice (also at {where.get(path, '?')})", source)
    node[path[-1]] = value
    where[path] = cell_where


# ======================================================================================
# reading: 三公
# ======================================================================================
def _read_sangong(reg: _Region, node: Node, source: str) -> dict | None:
    sh = reg.sheet
    group_lk = {_n(x): g for g, xs in _vocab()["三公分组"].items() for x in xs}
    item_lk = _lookup(node.children["预算数"])
    r_start = reg.r0 + 1
    first = None
    for r in range(r_start, reg.r1 + 1):
        if r in sh.rows and not _is_column_numbers_row(sh, r) and \
                any(_is_number(sh.raw(r, c)) for c in sh.rows[r]):
            first = r
            break
    if first is None:
        return None
    head_rows = list(range(r_start, first))
    out: dict = {}
    where: dict = {}
    for r in range(first, reg.r1 + 1):
        if r not in sh.rows or _is_column_numbers_row(sh, r):
            continue
        for c in sh.rows[r]:
            cell = sh.cell(r, c)
            if isinstance(cell.value, str) and not _is_number(cell.value):
                continue
            v = _convert(cell, "金额", source)
            if v is None:
                continue
            col_tokens = [sh.label(hr, c) for hr in head_rows]
            row_tokens = [sh.label(r, cc) for cc in sh.rows[r] if cc < c and isinstance(sh.raw(r, cc), str)]
            group = next((group_lk[t] for t in reversed(row_tokens) if t in group_lk), None) or \
                next((group_lk[t] for t in reversed(col_tokens) if t in group_lk), None)
            item = next((item_lk[t] for t in reversed(row_tokens) if t in item_lk and t != "小计"), None)
            if item is None:
                toks = [t for t in col_tokens if t]
                for i in range(len(toks) - 1, -1, -1):
                    t = toks[i]
                    if t == "小计":
                        above = next((item_lk[x] for x in reversed(toks[:i]) if x in item_lk and item_lk[x] != "合计"),
                                     None)
                        item = above or "合计"
                        break
                    if t in item_lk:
                        item = item_lk[t]
                        break
            if group is None or item is None:
                raise InputError(f"{cell.where}: cannot tell which “三公” figure this is (need a 预算数 or 决算数 "
                                 "header and an item such as 公务接待费)", source)
            _put(out, (group, item), v, cell.where, where, source)
    return out or None


# ======================================================================================
# reading: the sheets of figures outside the tables
# ======================================================================================
_KEY_HEADS = {"项目", "路径", "键", "科目编码", "名称", "项目名称"}
_VALUE_HEADS = {"数值", "内容", "金额", "值", "年初预算数", "决算数", "数据"}


class _Builder:
    """A tree built from (path, value) pairs; special keys become lists at the end."""

    def __init__(self, source: str):
        self.tree: dict = {}
        self.where: dict[tuple, str] = {}
        self.source = source

    def put(self, path: tuple, value, where: str) -> None:
        if path in self.where:
            raise InputError(f"{where}: {_dotted(path)} given twice (also at {self.where[path]})", self.source)
        node = self.tree
        for i, p in enumerate(path[:-1]):
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                raise InputError(f"{where}: {_dotted(path)} conflicts with {_dotted(path[:i + 1])} "
                                 f"given at {self.where.get(path[:i + 1], '?')}", self.source)
            node = nxt
        if isinstance(node.get(path[-1]), dict):
            raise InputError(f"{where}: {_dotted(path)} is also given in parts", self.source)
        node[path[-1]] = value
        self.where[path] = where

    def result(self) -> dict:
        return _finish(self.tree)


def _dotted(path: tuple) -> str:
    return ".".join(p[1] if isinstance(p, tuple) and p[0] != "#i" else
                    (str(p[1]) if isinstance(p, tuple) else str(p)) for p in path)


def _finish(x):
    if not isinstance(x, dict):
        return x
    keys = list(x)
    if keys and all(isinstance(k, tuple) and k[0] == "#i" for k in keys):
        return [_finish(x[k]) for k in sorted(keys, key=lambda k: k[1])]
    if keys and all(isinstance(k, tuple) and k[0] == "#ind" for k in keys):
        return [{"名称": k[1], **_finish(x[k])} for k in keys]
    if keys and all(isinstance(k, tuple) and k[0] == "#code" for k in keys):
        return [{"科目编码": k[1], **_finish(x[k])} for k in keys]
    return {k: _finish(v) for k, v in x.items()}


_INDICATOR = re.compile(r"(.+?)(分值|得分)")


def _resolve(node: Node, segs: list[str], cell: _Cell, source: str, prefix: tuple = ()) -> tuple[tuple, str]:
    """A dotted path (segments) under ``node`` → (canonical path, leaf type)."""
    root = schema()
    path = list(prefix)
    i = 0

    def unknown(seg, cands, what="item"):
        close = difflib.get_close_matches(seg, list(cands), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        at = _dotted(tuple(path)) or "the top level"
        raise InputError(f"{cell.where}: unknown {what} {seg!r} under {at}{hint}", source)

    while True:
        if node.kind == "same":
            node = root
            continue
        if i >= len(segs):
            break
        s = segs[i].strip()
        if node.kind == "map":
            lk = _lookup(node)
            canon = lk.get(_n(s))
            if canon is None:
                m = _INDICATOR.fullmatch(s)
                if m and "指标" in node.children and i == len(segs) - 1:
                    path += ["指标", ("#ind", m.group(1).strip()), m.group(2)]
                    return tuple(path), "数值"
                cands = list(node.children) + (list(_key_sets()[node.key_set].values()) if node.key_set else [])
                unknown(s, cands)
            path.append(canon)
            node = _child(node, canon)
            i += 1
        elif node.kind == "table":
            if s == "合计" and i + 1 < len(segs):
                col = _column_map(path[-1] if path else "", node).get(_n(segs[i + 1]))
                if col is None:
                    unknown(segs[i + 1], node.columns, "column")
                path += ["合计", col]
                i += 2
                node = Node("leaf", leaf="金额")
            elif s == "科目" and i + 2 < len(segs):
                code = _check_code(segs[i + 1].strip(), node.code_system, cell, source)
                col_text = segs[i + 2].strip()
                if _n(col_text) == "科目名称":
                    path += ["科目", ("#code", code), "科目名称"]
                    node = Node("leaf", leaf="文本")
                else:
                    col = _column_map(path[-1] if path else "", node).get(_n(col_text))
                    if col is None:
                        unknown(col_text, node.columns, "column")
                    path += ["科目", ("#code", code), col]
                    node = Node("leaf", leaf="金额")
                i += 3
            else:
                lk = _lookup(node)
                canon = lk.get(_n(s))
                if canon is None:
                    unknown(s, ["合计", "科目", *node.children])
                path.append(canon)
                node = node.children[canon]
                i += 1
        elif node.kind == "dict":
            key = s
            if node.key_kind == "编码":
                key = _check_code(s, None, cell, source)
            path.append(key)
            node = node.value
            i += 1
        elif node.kind == "list":
            if not s.isdigit() or int(s) < 1:
                raise InputError(f"{cell.where}: expected an item number (1, 2, …) after {_dotted(tuple(path))}, "
                                 f"got {s!r}", source)
            path.append(("#i", int(s)))
            node = node.item
            i += 1
        else:  # leaf
            if node.leaf == "任意文本":
                path += [x.strip() for x in segs[i:]]
                return tuple(path), "任意文本"
            raise InputError(f"{cell.where}: {_dotted(tuple(path))} is a single figure; "
                             f"nothing goes under it ({'.'.join(segs[i:])!r})", source)
    if node.kind != "leaf":
        raise InputError(f"{cell.where}: {_dotted(tuple(path)) or 'this'} is a group of figures, not one figure; "
                         "name one of its items", source)
    return tuple(path), node.leaf


def _kv_rows(sh: _Sheet) -> tuple[int, int, list[int]]:
    """(key column, value column, data rows) of a key/value sheet."""
    for r in sorted(sh.rows):
        labs = {c: sh.label(r, c) for c in sh.rows[r]}
        keys = [c for c, t in labs.items() if t in _KEY_HEADS]
        if keys:
            kc = keys[0]
            vals = [c for c, t in labs.items() if t in _VALUE_HEADS and c > kc]
            vc = vals[0] if vals else kc + 1
            return kc, vc, [x for x in sorted(sh.rows) if x > r]
    return 1, 2, sorted(sh.rows)


def _read_kv(sh: _Sheet, b: _Builder, node: Node, prefix: tuple, source: str, *, codes: bool = False,
             only_leaves: bool = False) -> None:
    kc, vc, rows = _kv_rows(sh)
    for r in rows:
        kcell = sh.cell(r, kc)
        key = kcell.value
        if key is None:
            continue
        vcell = sh.cell(r, vc)
        if isinstance(key, str) and _label(key) in _KEY_HEADS:
            continue
        if codes and (isinstance(key, (int, float)) and not isinstance(key, bool) or
                      (isinstance(key, str) and re.fullmatch(r"\s*\d[\d ]*\s*", key))):
            code = _check_code(_code_text(kcell, source), "功能分类", kcell, source)
            v = _convert(vcell, "金额", source)
            if v is not None:
                b.put(prefix + ("科目", code), v, vcell.where)
            continue
        if vcell.value is None or (isinstance(vcell.value, str) and not vcell.value.strip()):
            continue
        text = str(key).strip()
        if prefix == ("上年",) and text.startswith("上年."):
            text = text[3:]
        segs = [s for s in re.split(r"[.．]", text) if s.strip()]
        if not segs:
            continue
        path, kind = _resolve(node, segs, kcell, source, prefix)
        if only_leaves and len(path) != 1:
            raise InputError(f"{kcell.where}: {text!r} does not belong on this sheet", source)
        v = _convert(vcell, kind, source)
        if v is None:
            continue
        allowed = _allowed(path)
        if allowed and v not in allowed:
            raise InputError(f"{vcell.where}: {_dotted(path)} must be one of {', '.join(allowed)}, got {v!r}",
                             source)
        b.put(path, v, vcell.where)


def _allowed(path: tuple) -> tuple | None:
    """The allowed values of a plain leaf such as 金额单位 (None for any value)."""
    node = schema()
    for p in path:
        if node.kind != "map" or not isinstance(p, str) or p not in node.children:
            return None
        node = node.children[p]
    return node.allowed if node.kind == "leaf" else None


def _read_projects(sh: _Sheet, b: _Builder, source: str) -> None:
    root = schema()
    item = root.children["预算绩效"].children["项目自评"].children["项目"].item
    lk = _lookup(item)
    hdr = None
    for r in sorted(sh.rows):
        if any(sh.label(r, c) == "项目名称" for c in sh.rows[r]):
            hdr = r
            break
    if hdr is None:
        return
    cols: dict[int, tuple] = {}
    for c in sh.rows[hdr]:
        t = sh.label(hdr, c)
        if t in ("序号", "备注", "说明"):
            continue
        if t in lk:
            cols[c] = ("field", lk[t])
            continue
        m = _INDICATOR.fullmatch(t)
        if m:
            cols[c] = ("ind", m.group(1), m.group(2))
            continue
        close = difflib.get_close_matches(t, list(item.children), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"sheet {sh.name}, cell {sh.ref(hdr, c)}: unknown column {t!r}{hint}", source)
    name_col = next(c for c, v in cols.items() if v == ("field", "项目名称"))
    n = 0
    base = ("预算绩效", "项目自评", "项目")
    for r in sorted(x for x in sh.rows if x > hdr):
        filled = [c for c in cols if sh.raw(r, c) is not None]
        if not filled:
            continue
        ncell = sh.cell(r, name_col)
        if ncell.value is None:
            raise InputError(f"{ncell.where}: a project row without 项目名称", source)
        n += 1
        for c in filled:
            cell = sh.cell(r, c)
            spec = cols[c]
            if spec[0] == "field":
                kind = item.children[spec[1]].leaf or "文本"
                v = _convert(cell, kind, source)
                if v is not None:
                    b.put(base + (("#i", n), spec[1]), v, cell.where)
            else:
                v = _convert(cell, "数值", source)
                if v is not None:
                    b.put(base + (("#i", n), "指标", ("#ind", spec[1]), spec[2]), v, cell.where)


# ======================================================================================
# read_workbook
# ======================================================================================
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open(path: Path, name: str):
    import openpyxl

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a workbook", name) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", name) from None
    if not data:
        raise InputError("file is empty", name)
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data \
                or "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError("workbook is password-protected (encrypted): remove the password in Excel or WPS "
                             "and save it again", name)
        raise InputError("an old .xls (Excel 97–2003) workbook: save it as .xlsx first", name)
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise InputError("not an xlsx workbook (corrupt or truncated?)", name)
    try:
        with warnings.catch_warnings():   # "no default style", unsupported extensions …
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged package
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"not an xlsx workbook (corrupt or truncated?): {detail}", name) from None
    formulas: dict[str, set] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            has_f = any(n.startswith("xl/worksheets/") and re.search(rb"<(?:\w+:)?f[ >]", z.read(n))
                        for n in z.namelist())
    except (zipfile.BadZipFile, OSError, KeyError):
        raise InputError("not an xlsx workbook (corrupt or truncated?)", name) from None
    if has_f:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fwb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        for ws in fwb.worksheets:
            got = set()
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        got.add((c.row, c.column))
            formulas[ws.title] = got
    return wb, formulas


def read_workbook(path: str | Path) -> Figures:
    """Read a workbook of the nine 决算 tables (and narrator's extra sheets) into Figures."""
    p = Path(path)
    name = str(path)
    wb, formulas = _open(p, name)
    try:
        return _read(wb, formulas, name)
    except InputError as e:
        if e.file is None:
            e.file = name
        raise


def _read(wb, formulas: dict, source: str) -> Figures:
    root = schema()
    vocab = _vocab()
    extra_names = {_n(k): (k, v) for k, v in (vocab.get("表外工作表") or {}).items()}
    ignored = {_n(x) for x in vocab.get("略去工作表") or ()}
    sheets: list[_Sheet] = []
    extras: dict[str, _Sheet] = {}
    for ws in wb.worksheets:
        key = _n(ws.title)
        if key in ignored:
            continue
        sh = _Sheet(ws, formulas.get(ws.title))
        if key in extra_names:
            extras[extra_names[key][0]] = sh
        else:
            sheets.append(sh)

    # find the tables
    regions: list[_Region] = []
    for sh in sheets:
        hits: list[tuple[int, str]] = []
        for cell in sh.texts(1, sh.max_row):
            t = _match_title(cell.value)
            if t and not (hits and hits[-1][0] == cell.row):
                hits.append((cell.row, t))
        if not hits:
            t = _match_title(sh.name, short_ok=True)
            if t:
                regions.append(_Region(sh, t, 0, sh.max_row))
            continue
        hits.sort()
        if any(sh.numbers_in(1, hits[0][0] - 1)):
            t = _match_title(sh.name, short_ok=True)
            if t and t not in {h[1] for h in hits}:
                regions.append(_Region(sh, t, 0, hits[0][0] - 1))
        for i, (r, t) in enumerate(hits):
            r1 = hits[i + 1][0] - 1 if i + 1 < len(hits) else sh.max_row
            regions.append(_Region(sh, t, r, r1))

    b = _Builder(source)
    tree: dict = {}
    from_region: dict[str, _Region] = {}
    found_cells: dict[str, dict] = {}
    for reg in regions:
        node = root.children[reg.table]
        kind = _tables()[reg.table]
        if kind == "双栏":
            got = _read_two_sided(reg, node, source, found_cells)
        elif kind == "科目表":
            got = _read_subject_table(reg, node, source)
        else:
            got = _read_sangong(reg, node, source)
        if not got:
            continue
        if reg.table in tree:
            prev = from_region[reg.table]
            raise InputError(f"sheet {reg.sheet.name}: a second {reg.table} (the first is on sheet "
                             f"{prev.sheet.name}, row {max(prev.r0, 1)})", source)
        tree[reg.table] = got
        from_region[reg.table] = reg

    # 单位, 金额单位, 年度 from the tables' headings
    unit_at: dict[str, str] = {}
    dept = year = None
    for reg in regions:
        sh = reg.sheet
        for cell in sh.texts(max(reg.r0, 1), min(reg.r1, reg.r0 + 6) if reg.r0 else min(reg.r1, 6)):
            text = unicodedata.normalize("NFKC", cell.value)
            m = re.search(r"单位\s*:\s*(亿元|万元|元)(?![\u4e00-\u9fff])", text)
            if m:
                unit_at.setdefault(m.group(1), cell.where)
            m = re.search(r"(?:编制单位|编报单位|部门名称|单位名称|部门)\s*:\s*([^\s:]+?)(?=\s|$|金额单位|单位\s*:)",
                          text)
            if m and dept is None:
                dept = m.group(1)
            if year is None and cell.row == reg.r0:
                m = re.search(r"(20\d\d)\s*年度?", text)
                if m:
                    year = int(m.group(1))

    # the extra sheets
    for title, sh in extras.items():
        target = (vocab["表外工作表"] or {})[title]
        if title == "基本信息":
            _read_kv(sh, b, root, (), source, only_leaves=True)
        elif title == "项目自评":
            _read_projects(sh, b, source)
        elif title == "年初预算":
            _read_kv(sh, b, root.children["年初预算"], ("年初预算",), source, codes=True)
        elif title == "文字说明":
            _read_kv(sh, b, root.children["文字说明"], ("文字说明",), source)
        else:
            segs = target.split(".")
            _read_kv(sh, b, _node_at(root, segs), tuple(segs), source)
    extra_tree = b.result()
    for k, v in extra_tree.items():
        if k in tree:
            tree[k] = _merge(tree[k], v)
        else:
            tree[k] = v

    # the heading cells fill in what 基本信息 does not give
    if len(unit_at) > 1:
        (u1, w1), (u2, w2) = list(unit_at.items())[:2]
        raise InputError(f"{w2}: 金额单位 {u2} differs from {u1} at {w1}", source)
    if unit_at:
        u, w = next(iter(unit_at.items()))
        given = tree.get("金额单位")
        if given is not None and given != u:
            raise InputError(f"{w}: 金额单位 {u} differs from 金额单位 {given} on sheet 基本信息", source)
        tree.setdefault("金额单位", u)
    if dept is not None:
        tree.setdefault("单位", dept)
    if year is not None:
        tree.setdefault("年度", year)

    if "收入支出决算总表" not in tree:
        raise InputError("workbook has no 收入支出决算总表 sheet or table (or it is empty)", source)
    for key, hint in (("单位", "单位 (the department)"), ("年度", "年度 (the year)")):
        if key not in tree:
            raise InputError(f"workbook gives no {hint}: fill it in on sheet 基本信息", source)
    cells = found_cells.get("收入支出决算总表", {})
    total = tree["收入支出决算总表"]
    for side, item in (("收入", "本年收入合计"), ("支出", "本年支出合计")):
        if item not in total.get(side, {}):
            reg = from_region["收入支出决算总表"]
            at = cells.get((side, item))
            where = f"sheet {reg.sheet.name}, {at}" if at else f"sheet {reg.sheet.name}"
            raise InputError(f"{where}: {item} of 收入支出决算总表 is blank", source)
    ordered = {k: tree[k] for k in root.children if k in tree}
    ordered.update({k: v for k, v in tree.items() if k not in ordered})
    fig = figures_from_tree(ordered, source)
    return fig


def _node_at(root: Node, segs: list[str]) -> Node:
    node = root
    for s in segs:
        node = node.children[s]
    return node


def _merge(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(out[k], v) if k in out else v
        return out
    return b


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
            order = (["合计"] if "合计" in value else []) + [k for k in order if k not in ("合计", "科目")]
        for k in order:
            child = node.children.get(k) or node.any_key
            v = value[k]
            out[k] = _to_tree(child, v, root) if child is not None else _plain(v)
        if node.kind == "table" and value.get("科目"):
            out["科目"] = [dict(r) for r in value["科目"]]
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
            if indent >= 1 and _flowable(v) and len(v) <= 7 and path[:1] != ("文字说明",):
                line = f"{pad}{kt}: {_flow_map(v)}"
                if len(line) <= 110 or k == "合计":
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
                if isinstance(item, dict) and item and k in ("科目", "指标") and _flowable(item):
                    out.append(f"{pad}  - {_flow_map(item, {'科目编码'})}")
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
            out.append(f"{pad}{kt}: {_scalar(v, quote=k == '科目编码')}")


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


# ======================================================================================
# write_workbook
# ======================================================================================
_AMOUNT_FMT = "#,##0.00"
_CN_NUM = "一二三四五六七八九十"


def _cn_ordinal(i: int) -> str:
    """1 → 一, 12 → 十二, 28 → 二十八."""
    if i <= 10:
        return _CN_NUM[i - 1]
    if i < 20:
        return "十" + _CN_NUM[i - 11]
    tens, ones = divmod(i, 10)
    return _CN_NUM[tens - 1] + "十" + (_CN_NUM[ones - 1] if ones else "")


class _Styles:
    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.title = Font(bold=True, size=14)
        self.head_font = Font(bold=True)
        self.head_fill = PatternFill("solid", fgColor="DDEBF7")
        self.note_font = Font(italic=True, color="606060", size=9)
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=False)
        self.wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.right = Alignment(horizontal="right", vertical="center")


def _amount_format(d: Decimal | None) -> str:
    if d is None:
        return _AMOUNT_FMT
    exp = d.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return _AMOUNT_FMT if places <= 2 else "#,##0." + "0" * places


def _number_format(d) -> str:
    if not isinstance(d, Decimal):
        return "General"
    exp = d.as_tuple().exponent
    places = -exp if isinstance(exp, int) and exp < 0 else 0
    return "0" if places == 0 else "0." + "0" * places


class _Writer:
    def __init__(self, figures: Figures | None):
        import openpyxl

        self.fig = figures
        self.data = figures.data if figures is not None else {}
        self.wb = openpyxl.Workbook()
        self.wb.remove(self.wb.active)
        self.st = _Styles()
        self.unit = self.data.get("金额单位", "万元") if figures is not None else None

    # -- cells ----------------------------------------------------------------------
    def title(self, ws, text: str, ncols: int, row: int = 1) -> None:
        ws.cell(row, 1, text).font = self.st.title
        ws.cell(row, 1).alignment = self.st.center
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 28

    def subtitle(self, ws, ncols: int, row: int = 2) -> None:
        dept = self.data.get("单位", "")
        ws.cell(row, 1, f"编制单位：{dept}").alignment = self.st.left
        unit = self.unit or ""
        c = ws.cell(row, max(ncols, 2), f"金额单位：{unit}")
        c.alignment = self.st.right

    def head(self, ws, r: int, c: int, text: str, r2: int | None = None, c2: int | None = None) -> None:
        cell = ws.cell(r, c, text)
        r2, c2 = r2 or r, c2 or c
        for rr in range(r, r2 + 1):
            for cc in range(c, c2 + 1):
                x = ws.cell(rr, cc)
                x.font = self.st.head_font
                x.fill = self.st.head_fill
                x.alignment = self.st.center
                x.border = self.st.border
        if (r2, c2) != (r, c):
            ws.merge_cells(start_row=r, start_column=c, end_row=r2, end_column=c2)
        cell.value = text

    def text(self, ws, r: int, c: int, text, *, code: bool = False, wrap: bool = False) -> None:
        cell = ws.cell(r, c, text if text not in (None, "") else None)
        cell.border = self.st.border
        cell.number_format = "@"
        cell.alignment = self.st.wrap if wrap else self.st.left

    def amount(self, ws, r: int, c: int, d: Decimal | None) -> None:
        cell = ws.cell(r, c, d)
        cell.number_format = _amount_format(d)
        cell.border = self.st.border
        cell.alignment = self.st.right

    def typed(self, ws, r: int, c: int, kind: str, v) -> None:
        if kind == "金额":
            return self.amount(ws, r, c, v)
        cell = ws.cell(r, c)
        cell.border = self.st.border
        if kind in ("数值", "整数"):
            cell.value = v
            cell.number_format = "0" if kind == "整数" else _number_format(v)
            cell.alignment = self.st.right
        elif kind == "日期":
            cell.value = v
            cell.number_format = "yyyy-mm-dd"
            cell.alignment = self.st.left
        else:
            cell.value = v if v not in (None, "") else None
            cell.number_format = "@"
            cell.alignment = self.st.wrap if kind == "任意文本" else self.st.left

    def widths(self, ws, widths: dict[int, float]) -> None:
        from openpyxl.utils import get_column_letter

        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = w

    # -- the workbook ---------------------------------------------------------------
    def build(self):
        self.instructions()
        self.basic()
        for table, kind in _tables().items():
            node = schema().children[table]
            value = self.data.get(table) or {}
            if kind == "双栏":
                self.two_sided(table, node, value)
            elif table == "一般公共预算财政拨款基本支出决算明细表":
                self.detail(table, node, value)
            elif kind == "科目表":
                self.subject_table(table, node, value)
            else:
                self.sangong(table, node, value)
        self.budget()
        self.last_year()
        for sheet in ("机关运行经费", "三公经费说明", "政府采购", "国有资产占用"):
            self.kv_sheet(sheet, schema().children[sheet], self.data.get(sheet) or {}, (sheet,))
        self.performance()
        self.projects()
        self.notes()
        return self.wb

    def instructions(self) -> None:
        ws = self.wb.create_sheet("填写说明")
        lines = [
            "决算数据工作簿（narrator）",
            "",
            "1. 九张决算表各占一张工作表，格式同公开的决算表：只在白色单元格内填数，不要改动表头与行名。",
            "2. 金额按「基本信息」中的金额单位（元、万元或亿元，空着为万元）填写，显示几位小数就读入几位小数；没有数的格子留空。",
            "3. 科目表（收入决算表、支出决算表等）：在「合计」行下逐行填科目编码（如 2080101）、科目名称和各列金额。",
            "4. 基本支出决算明细表已列出经济分类科目，只填有数的行；其他科目可在空行补上编码和名称。",
            "5. 其余工作表是表外数据：「项目」一列是数据名称（多层用「.」连接），在「数值」一列填数；「上年」填上年度决算数。",
            "6. 「项目自评」每个项目一行；绩效指标写成「成本指标分值」「成本指标得分」两列。「文字说明」填只有人能写的原因和用途。",
            "7. 填好后：narrator generate 本工作簿.xlsx 生成情况说明；narrator convert 本工作簿.xlsx -o figures.yaml 转成数据文件。",
        ]
        for i, t in enumerate(lines, 1):
            ws.cell(i, 1, t)
        ws.cell(1, 1).font = self.st.title
        self.widths(ws, {1: 120})

    def basic(self) -> None:
        ws = self.wb.create_sheet("基本信息")
        self.title(ws, "基本信息", 3)
        self.kv_header(ws, 3)
        hints = {"单位": "部门（单位）名称", "年度": "决算年度，如 2024", "金额单位": "元、万元或亿元（空着为万元）"}
        r = 4
        for key in ("单位", "年度", "金额单位"):
            node = schema().children[key]
            self.kv_row(ws, r, key, node.leaf, self.data.get(key), hints[key])
            r += 1
        self.widths(ws, {1: 36, 2: 36, 3: 40})

    def kv_header(self, ws, r: int, key="项目", value="数值", note="说明") -> None:
        self.head(ws, r, 1, key)
        self.head(ws, r, 2, value)
        self.head(ws, r, 3, note)

    def kv_row(self, ws, r: int, key: str, kind: str, value, note: str = "") -> None:
        self.text(ws, r, 1, key)
        self.typed(ws, r, 2, kind, value)
        c = ws.cell(r, 3, note or _kind_hint(kind, self.unit))
        c.font = self.st.note_font
        c.border = self.st.border

    # -- 双栏 ------------------------------------------------------------------------
    def two_sided(self, table: str, node: Node, value: dict) -> None:
        ws = self.wb.create_sheet(_sheet_name(table))
        inc_node, exp_node = node.children["收入"], node.children["支出"]
        exp_split = any(_child(exp_node, k).kind == "map" for k in exp_node.children)
        sub_cols = list(next(n for n in exp_node.children.values() if n.kind == "map").children) if exp_split else []
        ncols = 3 + 2 + (len(sub_cols) if exp_split else 1)
        self.title(ws, table, ncols)
        self.subtitle(ws, ncols)
        self.head(ws, 3, 1, "收入", c2=3)
        self.head(ws, 3, 4, "支出", c2=ncols)
        self.head(ws, 4, 1, "项目")
        self.head(ws, 4, 2, "行次")
        self.head(ws, 4, 3, "金额")
        self.head(ws, 4, 4, "项目")
        self.head(ws, 4, 5, "行次")
        if exp_split:
            for j, s in enumerate(sub_cols):
                self.head(ws, 4, 6 + j, s)
        else:
            self.head(ws, 4, 6, "金额")

        def split(side: Node, total: str):
            names = list(side.children)
            k = names.index(total)
            return names[:k], names[k:]

        inc_items, inc_totals = split(inc_node, "本年收入合计")
        exp_items_named, exp_totals = split(exp_node, "本年支出合计")
        classes = list(subjects()["功能分类类名"].values())
        exp_items = exp_items_named + classes
        inc_rows: list[tuple[str, tuple]] = [(f"{_cn_ordinal(i + 1)}、{n}", (n,)) for i, n in enumerate(inc_items)]
        exp_rows: list[tuple[str, tuple]] = [(f"{_cn_ordinal(i + 1)}、{n}", (n,)) for i, n in enumerate(exp_items)]
        inc_tail: list[tuple[str, tuple]] = []
        for n in inc_totals:
            inc_tail.append((n, (n,)))
            sub = inc_node.children[n]
            if sub.kind == "map":
                for s in sub.children:
                    if s != "小计":
                        inc_tail.append(("　　" + s, (n, s)))
        exp_tail = [(n, (n,)) for n in exp_totals]
        body = max(len(inc_rows), len(exp_rows))
        tail = max(len(inc_tail), len(exp_tail))
        inc_tail = inc_tail[:-1] + [("", ())] * (tail - len(inc_tail)) + inc_tail[-1:]
        exp_tail = exp_tail[:-1] + [("", ())] * (tail - len(exp_tail)) + exp_tail[-1:]
        inc_all = inc_rows + [("", ())] * (body - len(inc_rows)) + inc_tail
        exp_all = exp_rows + [("", ())] * (body - len(exp_rows)) + exp_tail
        line_no = 0
        for side, rows, lc in (("收入", inc_all, 1), ("支出", exp_all, 4)):
            side_node = inc_node if side == "收入" else exp_node
            side_val = value.get(side) or {}
            for i, (label, path) in enumerate(rows):
                r = 5 + i
                self.text(ws, r, lc, label or None)
                num = ws.cell(r, lc + 1)
                num.border = self.st.border
                num.alignment = self.st.center
                if label:
                    line_no += 1
                    num.value = line_no
                target = None
                if path:
                    target = _child(side_node, path[0])
                    if len(path) > 1:
                        target = target.children[path[1]]
                v = _get(side_val, path) if path else None
                if side == "支出" and exp_split:
                    for j, s in enumerate(sub_cols):
                        self.amount(ws, r, 6 + j, v.get(s) if isinstance(v, dict) else None)
                elif target is not None and target.kind == "map":
                    self.amount(ws, r, lc + 2, v.get("小计") if isinstance(v, dict) else None)
                else:
                    self.amount(ws, r, lc + 2, v if not isinstance(v, dict) else None)
                if path and len(path) == 1 and path[0] in ("本年收入合计", "本年支出合计", "总计"):
                    ws.cell(r, lc).font = self.st.head_font
        widths = {1: 34, 2: 6, 3: 16, 4: 34, 5: 6}
        for c in range(6, ncols + 1):
            widths[c] = 16 if not exp_split else 20
        self.widths(ws, widths)
        ws.freeze_panes = "A5"

    # -- 科目表 ----------------------------------------------------------------------
    def subject_table(self, table: str, node: Node, value: dict) -> None:
        ws = self.wb.create_sheet(_sheet_name(table))
        layout = (_vocab().get("表头式样") or {}).get(table) or list(node.columns)
        col_map = _column_map(table, node)
        cols: list[tuple[str, str | None]] = []   # (display, upper)
        for x in layout:
            if isinstance(x, dict):
                (upper, lows), = x.items()
                cols += [(lo, upper) for lo in lows]
            else:
                cols.append((x, None))
        two = any(u for _, u in cols)
        ncols = 2 + len(cols)
        self.title(ws, table, ncols)
        self.subtitle(ws, ncols)
        hr = 3
        last_h = hr + (1 if two else 0)
        self.head(ws, hr, 1, "科目编码", r2=last_h)
        self.head(ws, hr, 2, "科目名称", r2=last_h)
        c = 3
        i = 0
        while i < len(cols):
            disp, upper = cols[i]
            if upper is None:
                self.head(ws, hr, c, disp, r2=last_h)
                i += 1
                c += 1
            else:
                k = i
                while k < len(cols) and cols[k][1] == upper:
                    k += 1
                self.head(ws, hr, c, upper, c2=c + (k - i) - 1)
                for j in range(i, k):
                    self.head(ws, hr + 1, c + (j - i), cols[j][0])
                c += k - i
                i = k
        canon_cols = [col_map[_n(d)] for d, _ in cols]
        r = last_h + 1
        self.text(ws, r, 1, "合计")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        ws.cell(r, 1).font = self.st.head_font
        ws.cell(r, 1).alignment = self.st.center
        tot = value.get("合计") or {}
        for j, cc in enumerate(canon_cols):
            self.amount(ws, r, 3 + j, tot.get(cc))
        rows = value.get("科目") or []
        n = max(len(rows) + 10, 40)
        for i in range(n):
            rr = r + 1 + i
            row = rows[i] if i < len(rows) else {}
            self.text(ws, rr, 1, row.get("科目编码"), code=True)
            self.text(ws, rr, 2, row.get("科目名称"))
            for j, cc in enumerate(canon_cols):
                self.amount(ws, rr, 3 + j, row.get(cc))
        others = [k for k in node.children if k in value]
        rr = r + n + 1
        for k in others:
            self.text(ws, rr, 1, k)
            ws.merge_cells(start_row=rr, start_column=1, end_row=rr, end_column=2)
            self.amount(ws, rr, 3, value.get(k))
            rr += 1
        widths = {1: 12, 2: 34}
        for j in range(len(cols)):
            widths[3 + j] = 16
        self.widths(ws, widths)
        ws.freeze_panes = ws.cell(last_h + 1, 3)

    def detail(self, table: str, node: Node, value: dict) -> None:
        """基本支出决算明细表: 人员经费 | 公用经费 column groups, the 经济分类 rows listed."""
        ws = self.wb.create_sheet(_sheet_name(table))
        groups = _vocab()["明细表分组"]
        econ = _vocab()["经济分类"]
        names = list(groups)
        ncols = 3 * len(names)
        self.title(ws, table, ncols)
        self.subtitle(ws, ncols)
        fig_rows = {r["科目编码"]: r for r in value.get("科目") or []}
        body: list[list[tuple[str, str, Decimal | None]]] = []
        for gname in names:
            classes = groups[gname]
            codes = [c for c in econ if c[:3] in classes]
            codes.sort(key=lambda c: (classes.index(c[:3]), c))
            extra = [c for c in fig_rows if c[:3] in classes and c not in codes]
            for e in extra:   # keep a figure's own codes, in code order within their class
                codes.append(e)
            codes.sort(key=lambda c: (classes.index(c[:3]), c))
            lst = []
            for code in codes:
                fr = fig_rows.get(code, {})
                lst.append((code, fr.get("科目名称") or econ.get(code, ""), fr.get("决算数")))
            body.append(lst)
        # codes of no group (e.g. 307) go to the last group
        known = {c for lst in body for c, _, _ in lst}
        for code, fr in fig_rows.items():
            if code not in known:
                body[-1].append((code, fr.get("科目名称", ""), fr.get("决算数")))
        for g, gname in enumerate(names):
            c0 = 1 + 3 * g
            self.head(ws, 3, c0, gname, c2=c0 + 2)
            self.head(ws, 4, c0, "科目编码")
            self.head(ws, 4, c0 + 1, "科目名称")
            self.head(ws, 4, c0 + 2, "决算数")
        n = max(len(b) for b in body) + 5
        for g, lst in enumerate(body):
            c0 = 1 + 3 * g
            for i in range(n):
                code, name, d = lst[i] if i < len(lst) else (None, None, None)
                self.text(ws, 5 + i, c0, code, code=True)
                self.text(ws, 5 + i, c0 + 1, name)
                self.amount(ws, 5 + i, c0 + 2, d)
                if code and len(code) == 3:
                    ws.cell(5 + i, c0 + 1).font = self.st.head_font
        r = 5 + n
        for g, gname in enumerate(names):
            c0 = 1 + 3 * g
            label = f"{gname}合计"
            self.text(ws, r, c0, label)
            ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c0 + 1)
            ws.cell(r, c0).font = self.st.head_font
            ws.cell(r, c0).alignment = self.st.center
            self.amount(ws, r, c0 + 2, value.get(label))
        if value.get("合计"):
            self.text(ws, r + 1, 1, "合计")
            ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=2)
            self.amount(ws, r + 1, 3, value["合计"].get("决算数"))
        widths = {}
        for g in range(len(names)):
            widths.update({1 + 3 * g: 12, 2 + 3 * g: 30, 3 + 3 * g: 16})
        self.widths(ws, widths)
        ws.freeze_panes = "A5"

    # -- 三公 ------------------------------------------------------------------------
    def sangong(self, table: str, node: Node, value: dict) -> None:
        ws = self.wb.create_sheet(_sheet_name(table))
        items = list(node.children["预算数"].children)
        car = "公务用车购置及运行维护费"
        car_parts = ["公务用车购置费", "公务用车运行维护费"]
        groups = list(node.children)
        per = len(items)
        ncols = per * len(groups)
        self.title(ws, table, ncols)
        self.subtitle(ws, ncols)
        for g, gname in enumerate(groups):
            c0 = 1 + per * g
            self.head(ws, 3, c0, gname, c2=c0 + per - 1)
            c = c0
            for it in items:
                if it in car_parts:
                    continue
                if it == car:
                    self.head(ws, 4, c, car, c2=c + len(car_parts))
                    self.head(ws, 5, c, "小计")
                    for j, p in enumerate(car_parts):
                        self.head(ws, 5, c + 1 + j, p)
                    cols = [car, *car_parts]
                else:
                    self.head(ws, 4, c, it, r2=5)
                    cols = [it]
                gv = value.get(gname) or {}
                for j, it2 in enumerate(cols):
                    self.amount(ws, 6, c + j, gv.get(it2))
                c += len(cols)
        self.widths(ws, {c: 16 for c in range(1, ncols + 1)})
        ws.row_dimensions[4].height = 30

    # -- 表外 ------------------------------------------------------------------------
    def kv_sheet(self, sheet: str, node: Node, value: dict, prefix: tuple, *, skip: tuple = ()) -> None:
        ws = self.wb.create_sheet(sheet)
        self.title(ws, f"{sheet}（表外数据）", 3)
        self.kv_header(ws, 3)
        r = 4
        rows = list(_flatten_all(node, value, skip=skip))
        for key, kind, v in rows:
            self.kv_row(ws, r, key, kind, v)
            r += 1
        self.widths(ws, {1: 44, 2: 20, 3: 30})
        ws.freeze_panes = "A4"

    def budget(self) -> None:
        node = schema().children["年初预算"]
        value = self.data.get("年初预算") or {}
        ws = self.wb.create_sheet("年初预算")
        self.title(ws, "年初预算（表外数据）", 3)
        self.kv_header(ws, 3, value="年初预算数")
        r = 4
        for key, child in node.children.items():
            if key == "科目":
                continue
            self.kv_row(ws, r, key, "金额", value.get(key))
            r += 1
        r += 1
        self.head(ws, r, 1, "科目编码")
        self.head(ws, r, 2, "年初预算数")
        self.head(ws, r, 3, "科目名称")
        r += 1
        names = _subject_names(self.data)
        codes = list((value.get("科目") or {}).keys())
        for row in (self.data.get("一般公共预算财政拨款支出决算表") or {}).get("科目") or []:
            if len(row["科目编码"]) == 7 and row["科目编码"] not in codes:
                codes.append(row["科目编码"])
        n = max(len(codes) + 5, 20)
        for i in range(n):
            code = codes[i] if i < len(codes) else None
            self.text(ws, r + i, 1, code, code=True)
            self.amount(ws, r + i, 2, (value.get("科目") or {}).get(code) if code else None)
            self.text(ws, r + i, 3, names.get(code) if code else None)
        self.widths(ws, {1: 36, 2: 18, 3: 36})

    def last_year(self) -> None:
        ws = self.wb.create_sheet("上年")
        self.title(ws, "上年决算数（表外数据）", 3)
        self.kv_header(ws, 3, key="路径")
        value = self.data.get("上年") or {}
        got = list(_flatten_all(schema(), value, blanks=False))
        have = {k for k, _, _ in got}
        r = 4
        for p in _vocab().get("上年路径") or ():
            if p in have:
                continue
            segs = p.split(".")
            _, kind = _resolve(schema(), segs, _Cell("上年", 0, 1, None), "<rules/workbook.yaml>")
            self.kv_row(ws, r, p, kind, None)
            r += 1
        for key, kind, v in got:
            self.kv_row(ws, r, key, kind, v)
            r += 1
        self.widths(ws, {1: 60, 2: 18, 3: 24})
        ws.freeze_panes = "A4"

    def performance(self) -> None:
        node = schema().children["预算绩效"]
        value = dict(self.data.get("预算绩效") or {})
        self.kv_sheet("预算绩效", node, value, ("预算绩效",), skip=(("项目自评", "项目"),))

    def projects(self) -> None:
        ws = self.wb.create_sheet("项目自评")
        item = schema().children["预算绩效"].children["项目自评"].children["项目"].item
        projects = ((self.data.get("预算绩效") or {}).get("项目自评") or {}).get("项目") or []
        inds = list(_vocab().get("绩效指标") or [])
        for p in projects:
            for ind in p.get("指标") or []:
                if ind["名称"] not in inds:
                    inds.append(ind["名称"])
        fields = [k for k in item.children if k not in ("指标", "主要产出和效益")]
        cols: list[tuple[str, tuple]] = [(f, ("field", f)) for f in fields]
        for ind in inds:
            cols += [(f"{ind}分值", ("ind", ind, "分值")), (f"{ind}得分", ("ind", ind, "得分"))]
        cols.append(("主要产出和效益", ("field", "主要产出和效益")))
        self.title(ws, "项目支出绩效自评（表外数据）", len(cols))
        for j, (h, _) in enumerate(cols):
            self.head(ws, 3, 1 + j, h)
        n = max(len(projects) + 5, 15)
        for i in range(n):
            p = projects[i] if i < len(projects) else {}
            ind_map = {x["名称"]: x for x in p.get("指标") or []}
            for j, (h, spec) in enumerate(cols):
                if spec[0] == "field":
                    kind = item.children[spec[1]].leaf or "文本"
                    self.typed(ws, 4 + i, 1 + j, kind, p.get(spec[1]))
                else:
                    self.typed(ws, 4 + i, 1 + j, "数值", (ind_map.get(spec[1]) or {}).get(spec[2]))
        widths = {1 + j: (30 if h in ("项目名称", "简称", "主要产出和效益") else 12) for j, (h, _) in enumerate(cols)}
        self.widths(ws, widths)
        ws.freeze_panes = "B4"

    def notes(self) -> None:
        ws = self.wb.create_sheet("文字说明")
        self.title(ws, "文字说明（只有人能写的原因、用途等）", 3)
        self.kv_header(ws, 3, key="键", value="内容")
        value = self.data.get("文字说明") or {}
        flat = list(_flatten_text(value, ()))
        r = 4
        std = _vocab().get("文字说明键") or {}
        for key, hint in std.items():
            v = next((x for k, x in flat if k == key), None)
            self.text(ws, r, 1, key)
            self.typed(ws, r, 2, "任意文本", v)
            c = ws.cell(r, 3, hint)
            c.font = self.st.note_font
            r += 1
        for key, v in flat:
            if key in std:
                continue
            self.text(ws, r, 1, key)
            self.typed(ws, r, 2, "任意文本", v)
            r += 1
        for i in range(10):
            self.text(ws, r + i, 1, None)
            self.typed(ws, r + i, 2, "任意文本", None)
        ws.cell(r + 10, 1, "可自行添加：支出用途.类名称、科目说明.科目编码.差异原因、科目说明.科目编码.主要用于 等").font = \
            self.st.note_font
        self.widths(ws, {1: 40, 2: 90, 3: 30})


def _sheet_name(table: str) -> str:
    bad = re.sub(r"[\[\]:*?/\\]", "", table)
    return bad[:31]


def _kind_hint(kind: str, unit: str | None) -> str:
    return {"金额": f"金额（{unit}）" if unit else "金额", "数值": "数值", "整数": "整数", "日期": "日期，如 2024-12-31",
            "文本": "文字", "编码": "科目编码", "任意文本": "文字"}.get(kind, kind)


def _get(d: dict, path: tuple):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _subject_names(data: dict) -> dict[str, str]:
    names: dict[str, str] = {}
    for table, kind in _tables().items():
        if kind != "科目表":
            continue
        for row in (data.get(table) or {}).get("科目") or []:
            if row.get("科目名称"):
                names.setdefault(row["科目编码"], row["科目名称"])
    return names


def _flatten_all(node: Node, value, prefix: str = "", skip: tuple = (), path: tuple = (),
                 blanks: bool = True):
    """(dotted key, leaf type, value) for the leaves a key/value sheet holds.

    With ``blanks`` every leaf of the schema is listed (value None when not given), as the
    empty workbook shows them; otherwise only the leaves that have a value.
    """
    if node.kind == "same":
        node = schema()
    join = (lambda k: f"{prefix}.{k}" if prefix else str(k))
    if node.kind == "leaf":
        if node.leaf == "任意文本" and isinstance(value, dict):
            for k, v in value.items():
                yield from _flatten_all(node, v, join(k), skip, path + (k,), blanks)
        elif value is not None or blanks:
            yield prefix, node.leaf, value
        return
    if node.kind == "map":
        value = value if isinstance(value, dict) else {}
        names = list(node.children) if blanks else []
        names += [k for k in value if k not in names]
        for k in names:
            if path + (k,) in skip:
                continue
            child = node.children.get(k) or node.any_key
            v = value.get(k)
            if child is None or (v is None and not blanks):
                continue
            if child.kind == "list" and k == "指标":
                inds = v or []
                names_ = [x["名称"] for x in inds] or (list(_vocab().get("绩效指标") or []) if blanks else [])
                by = {x["名称"]: x for x in inds}
                for nm in names_:
                    for part in ("分值", "得分"):
                        pv = (by.get(nm) or {}).get(part)
                        if pv is not None or blanks:
                            yield join(f"{nm}{part}"), "数值", pv
                continue
            yield from _flatten_all(child, v, join(k), skip, path + (k,), blanks)
    elif node.kind == "table":
        value = value if isinstance(value, dict) else {}
        for col, v in (value.get("合计") or {}).items():
            yield join(f"合计.{col}"), "金额", v
        for k in node.children:
            if k in value:
                yield join(k), "金额", value[k]
        for row in value.get("科目") or []:
            code = row["科目编码"]
            if row.get("科目名称"):
                yield join(f"科目.{code}.科目名称"), "文本", row["科目名称"]
            for col in node.columns:
                if col in row:
                    yield join(f"科目.{code}.{col}"), "金额", row[col]
    elif node.kind == "dict":
        for k, v in (value or {}).items():
            yield from _flatten_all(node.value, v, join(k), skip, path + (k,), blanks)
    elif node.kind == "list":
        for i, v in enumerate(value or []):
            yield from _flatten_all(node.item, v, join(str(i + 1)), skip, path + (i,), blanks)


def _flatten_text(value, prefix: tuple):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten_text(v, prefix + (str(k),))
    elif value is not None:
        yield ".".join(prefix), value


def write_workbook(figures: Figures | None, path: str | Path) -> None:
    """Write the workbook layout: empty (``None``) for an officer to fill, or filled from Figures."""
    wb = _Writer(figures).build()
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())
