"""The nine tables read cell by cell into slots (科目表, 总表 and 财政拨款总表, 三公经费表,
基本支出明细表), the subject names put right, and the figures tree built from the slots."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from narrator.core.findings import Finding, line_col
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.core.messages import msg
from narrator.figures.names import WORDS, final_tables
from narrator.sources.disclosure.layouts import (
    Amount, Block, Cell, Column, Line, Match, _class_names, _column_match, _econ_names, _is_int_text,
    _is_note, _is_unit_line, _lookup, _place, _schema, _table_specs, assign_columns, compact, fix_glyphs,
    header_columns, match_name, norm, read_amount, split_lines, vocabulary,
)

# names by role (rules/figures-schema.yaml 结构用语)
_TOTAL, _ROWS, _CODE_KEY, _NAME = WORDS.total, WORDS.rows, WORDS.code, WORDS.name
_INCOME, _EXPENSE, _SUBTOTAL, _GRAND = WORDS.income, WORDS.expense, WORDS.subtotal, WORDS.grand_total


# --------------------------------------------------------------------------- parsed cells

@dataclass
class Slot:
    """One figure of one table: where it is printed, what it says, what it is taken to be."""

    path: tuple
    amount: Amount | None      # None: the cell is blank
    cell: Cell | None          # the printed cell (None when blank)
    anchor: int                # offset to report: the cell, else its row label
    fixed_row: bool            # a row of a fixed-row table (总表, 财政拨款总表, 三公)
    status: str = "clean"      # clean blank comma truncated repaired filled dropped kept misread
    value: Decimal | None = None
    known: bool = True
    evidence: list = field(default_factory=list)


@dataclass
class Row:
    code: str | None
    name: str
    name_cell: Cell | None
    line: Line
    anchor: int


@dataclass
class _Ctx:
    text: str
    source: str
    slots: dict[tuple, Slot] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)     # 科目表 rows by table key
    columns: dict[str, list[str]] = field(default_factory=dict)  # 科目表 columns present
    findings: list[Finding] = field(default_factory=list)
    present: set[str] = field(default_factory=set)

    def finding(self, code: str, severity: str, message: str, offset: int | None, *,
                found: str | None = None, expected: str | None = None, formula: str | None = None,
                end: int | None = None, unread: str | None = None) -> None:
        line = col = None
        if offset is not None:
            line, col = line_col(self.text, offset)
        name = {"D001": "extraction-repair", "D002": "unrepaired-cell", "D003": "table-not-found",
                "D005": "table-not-read-reliably"}[code]
        self.findings.append(Finding(code, name, severity, message, file=self.source, line=line,
                                     column=col, start=offset, end=end, found=found,
                                     expected=expected, formula=formula,
                                     extra={"unread": unread} if unread else {}))

    def add(self, path: tuple, cell: Cell | None, anchor: int, fixed_row: bool) -> None:
        if path in self.slots:
            return
        amount = read_amount(cell.text) if cell is not None else None
        if amount is not None and amount.kind == "blank":
            amount, cell = None, None
        if amount is None:
            status, value = "blank", None
        else:
            status, value = ("comma" if amount.kind == "comma" else "clean"), amount.value
        self.slots[path] = Slot(path, amount, cell, cell.offset if cell is not None else anchor, fixed_row,
                                status, value)

    def label_repair(self, raw: str, m: Match, offset: int, what: str) -> None:
        if m.fixed:
            self.finding("D001", "info", msg("reading.read_as_closest", what=what, raw=raw.strip(), name=m.name), offset,
                         found=raw.strip(), expected=m.name, end=offset + len(raw.strip()))


def _nonempty(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.text]


def _total_label(text: str) -> Match | None:
    """合计/总计 in a row label, tolerating a garbled first glyph (숨计)."""
    n = norm(text)
    names = _lookup(vocabulary()["合计行"])
    if n in names:
        return Match(names[n], 1.0, False)
    g = fix_glyphs(n)
    if g in names:
        return Match(names[g], 1.0, True)
    if len(n) == 2 and n.endswith("计") and n[0] not in "小总共统会":
        return Match(_TOTAL, 0.5, True)
    return None


_CODE = re.compile(r"(\d{3})((?:[ \u3000]*\d{2}){0,2})[ \u3000]*([^\d\s.,，。].*)?")
_NON_DIGIT = re.compile(r"\D")
_TWO_DIGITS = re.compile(r"\d{2}")


def _take_code(cells: list[Cell], lengths: tuple[int, ...]):
    """A row's 科目编码 from its leading cells: "2080101", "223 01 03" split over cells, "30207邮电费".

    Returns (code, index of the first cell after the code, glued name or None).
    """
    if not cells:
        return None, 0, None
    m = _CODE.fullmatch(unicodedata.normalize("NFKC", cells[0].text))
    if not m:
        return None, 0, None
    code = m.group(1) + _NON_DIGIT.sub("", m.group(2))
    glued = m.group(3)
    k = 1
    if glued is None:
        while len(code) < 7 and k < len(cells) and _TWO_DIGITS.fullmatch(cells[k].text.strip()):
            code += cells[k].text.strip()
            k += 1
    if len(code) not in lengths:
        return None, 0, None
    return code, k, glued


# --------------------------------------------------------------------------- 科目表 (收入决算表 …)

def _subject_spec(key: str) -> tuple[list[str], dict[str, str], tuple[int, ...]]:
    spec = _schema()[key]
    cols = list(spec["列"])
    aliases = dict(spec.get("列别名") or {})
    system = spec.get("编码", "功能分类")
    lengths = tuple(load_rule_file(rules_dir() / "科目.yaml")[f"{system}编码长度"].values())
    return cols, aliases, lengths


def _meta_names() -> dict[str, str]:
    h = vocabulary()["表头"]
    out = {}
    for role in ("项目", "行次", "栏次", "科目编码", "科目名称"):
        for n in h[role]:
            out[norm(n)] = role
    return out


def _parse_subject_table(b: Block, ctx: _Ctx) -> None:
    """A 科目表: header lines, then a 合计 row and one row per 科目编码 (values under columns)."""
    cols_official, aliases, lengths = _subject_spec(b.key)
    value_names = _lookup(cols_official, aliases)
    all_names = dict(_meta_names())
    all_names.update(value_names)
    start = None
    for i, ln in enumerate(b.lines):
        cells = b.filled_cells(ln)
        if not cells:
            continue
        if _is_note(ln.text) and i > 0:
            break
        code, _k, _g = _take_code(cells, lengths)
        if code:
            start = i
            break
        first_amount = next((j for j, c in enumerate(cells) if read_amount(c.text)), len(cells))
        tl = next((c for c in cells[:first_amount] if _total_label(c.text)), None)
        others = [c for c in cells if c is not tl and norm(c.text) in value_names]
        if tl is not None and (any(read_amount(c.text) and read_amount(c.text).kind != "blank"
                                   for c in cells) or not others):
            start = i
            break
    if start is None:
        return
    header = [ln for ln in b.lines[:start] if ln.text.strip() and not _is_unit_line(ln.text)]
    cols = header_columns(b, header)
    named = assign_columns(cols, all_names)
    vcols = {i: cols[i] for i, n in named.items() if n in cols_official}
    colname = {i: named[i] for i in vcols}
    present = [c for c in cols_official if c in colname.values()]
    if not present:
        ctx.finding("D002", "warning", msg("reading.header_not_recognised", table=b.key),
                    b.title.offset)
        return
    ctx.columns[b.key] = present
    rows: list[Row] = []
    codes_read: set[str] = set()          # the codes of ``rows``
    kinds: list[tuple[str, Line, list[Cell], Row | None]] = []
    for ln in b.lines[start:]:
        cells = b.filled_cells(ln)
        if not cells:
            kinds.append(("blank", ln, cells, None))
            continue
        if _is_note(ln.text):
            break
        if _is_column_numbers(cells) or any(norm(c.text) == "栏次" for c in cells):
            continue          # the 栏次 line, repeated after a page break
        code, k, glued = _take_code(cells, lengths)
        label_cell = None
        name, name_cell = "", None
        if code:
            rest = cells[k:]
            if glued:
                name, name_cell = glued.strip(), cells[0]
            elif rest and read_amount(rest[0].text) is None:
                name, name_cell = rest[0].text, rest[0]
                rest = rest[1:]
        else:
            first_amount = next((j for j, c in enumerate(cells) if read_amount(c.text)), len(cells))
            tl = next(((j, c) for j, c in enumerate(cells[:first_amount]) if _total_label(c.text)), None)
            if tl is None:
                has_text = first_amount == len(cells)
                kinds.append(("cont" if has_text else "other", ln, cells, None))
                if not has_text:
                    ctx.finding("D002", "warning", msg("reading.row_without_code", table=b.key), cells[0].offset,
                                found=ln.text.strip()[:60])
                continue
            j, label_cell = tl
            m = _total_label(label_cell.text)
            if m and m.fixed:
                ctx.label_repair(label_cell.text, m, label_cell.offset, f"{b.key}")
            rest = cells[j + 1:]
        anchor = (name_cell or label_cell or cells[0]).offset
        row = Row(code, name, name_cell, ln, anchor)
        prefix = (b.key, _ROWS, code) if code else (b.key, _TOTAL)
        if code and code in codes_read:
            ctx.finding("D002", "warning", msg("reading.code_twice", table=b.key, code=code), anchor)
            continue
        placed: dict[str, Cell] = {}
        for c in rest:
            a = read_amount(c.text)
            if a is None:
                continue
            i = _place(c, vcols, b.tabbed)
            if i is None:
                if a.kind != "blank":
                    ctx.finding("D002", "warning", msg("reading.number_outside_columns", table=b.key, number=c.text), c.offset, found=c.text)
                continue
            if colname[i] in placed:
                if a.kind != "blank":
                    ctx.finding("D002", "warning", msg("reading.two_numbers_in_column", table=b.key, column=colname[i], taken=placed[colname[i]].text), c.offset, found=c.text)
                continue
            placed[colname[i]] = c
        for cn in present:
            ctx.add(prefix + (cn,), placed.get(cn), anchor, False)
        if code:
            rows.append(row)
            codes_read.add(code)
        kinds.append(("row", ln, cells, row))
    if not b.tabbed:
        _join_wrapped_names(kinds)
    ctx.rows[b.key] = rows


def _join_wrapped_names(kinds: list[tuple[str, Line, list[Cell], Row | None]]) -> None:
    """Space layout: a 科目名称 wrapped over the lines above and below its code's line."""
    claimed: set[int] = set()
    for i, (kind, _ln, cells, row) in enumerate(kinds):
        if kind != "row" or row is None or row.code is None:
            continue
        code_end = cells[0].end
        above = below = None
        if i > 0 and kinds[i - 1][0] == "cont" and i - 1 not in claimed \
                and kinds[i - 1][2][0].start >= code_end - 1:
            above = i - 1
        if i + 1 < len(kinds) and kinds[i + 1][0] == "cont" and kinds[i + 1][2][0].start >= code_end - 1:
            below = i + 1
        parts = []
        if above is not None and (not row.name or below is not None):
            parts.append("".join(c.text for c in kinds[above][2]))
            claimed.add(above)
        else:
            above = None
        parts.append(row.name)
        if below is not None and (not row.name or above is not None):
            parts.append("".join(c.text for c in kinds[below][2]))
            claimed.add(below)
        row.name = "".join(p for p in parts if p)


# --------------------------------------------------------------------------- 总表 and 财政拨款总表

def _header_end(b: Block, row_names: list[dict[str, str]]) -> int:
    """Index of the first data line of a fixed-row table (after its header lines)."""
    meta = _meta_names()
    meta.update({norm(n): "决算数" for n in vocabulary()["表头"]["决算数"]})
    last_kw = -1
    lines = b.lines
    for i, ln in enumerate(lines[:12]):
        cells = b.filled_cells(ln)
        if any(norm(c.text) in meta for c in cells):
            last_kw = i
    i = last_kw + 1
    while i < len(lines):
        cells = b.filled_cells(lines[i])
        if not cells:
            i += 1
            continue
        if any(read_amount(c.text) and read_amount(c.text).kind != "blank" and not _is_int_text(c.text)
               for c in cells):
            break
        if any(match_name(c.text, names) for c in cells for names in row_names):
            break
        i += 1
    return i if last_kw >= 0 else 0


def _parse_two_halves(b: Block, ctx: _Ctx) -> None:
    """收入支出决算总表 / 财政拨款收入支出决算总表: 收入 rows on the left, 支出 rows on the right."""
    sch = _schema()[b.key]["子项"]
    classes = list(_class_names().values())
    inc_spec = sch[_INCOME]["子项"]
    exp_spec = sch[_EXPENSE].get("子项", {})
    left = _lookup(inc_spec.keys(), {a: k for k, v in inc_spec.items() if isinstance(v, dict)
                                      for a in v.get("别名", [])})
    right = _lookup(classes + list(exp_spec.keys()),
                    {a: k for k, v in exp_spec.items() if isinstance(v, dict) for a in v.get("别名", [])})
    fiscal = b.kind == "财政拨款总表"
    funds = [k for k in inc_spec[WORDS.fiscal_opening]["子项"] if k != WORDS.subtotal] if fiscal else []
    h = vocabulary()["表头"]
    role_names = {norm(n): "项目" for n in h["项目"]}
    role_names.update({norm(n): "行次" for n in h["行次"]})
    role_names.update({norm(n): "决算数" for n in h["决算数"]})
    if fiscal:
        role_names.update(_lookup(funds + [_SUBTOTAL], {_TOTAL: _SUBTOTAL}))
    start = _header_end(b, [left, right])
    header = [ln for ln in b.lines[:start] if ln.text.strip() and not _is_unit_line(ln.text)]
    cols = header_columns(b, header)
    named = assign_columns(cols, role_names, dup=("项目", "行次", "决算数"))
    label_cols = sorted((i for i, n in named.items() if n == "项目"), key=lambda i: cols[i].start)
    split = cols[label_cols[1]].start if len(label_cols) >= 2 else None
    rowno = {i: cols[i] for i, n in named.items() if n == "行次"}
    lvals = {i: cols[i] for i, n in named.items() if n == "决算数" and (split is None or cols[i].start < split)}
    right_value = (lambda n: n in funds or n == _SUBTOTAL) if fiscal else (lambda n: n == "决算数")
    rvals = {i: cols[i] for i, n in named.items()
             if right_value(n) and split is not None and cols[i].start >= split}
    rname = {i: named[i] for i in rvals}
    sub_rows = False
    done = {"L": False, "R": False}
    data = b.lines[start:]
    for idx, ln in enumerate(data):
        cells = b.filled_cells(ln)
        if not cells:
            continue
        if _is_note(ln.text):
            break
        below = b.filled_cells(data[idx + 1]) if idx + 1 < len(data) and not b.tabbed else []
        if any(read_amount(c.text) for c in below):
            below = []
        groups: list[list] = []   # [half, match, label cell, amounts]
        for c in cells:
            if b.tabbed and any(c.start == col.start for col in rowno.values()):
                continue
            a = read_amount(c.text)
            if a is not None:
                if not b.tabbed and _is_int_text(c.text) and rowno and \
                        _place(c, {**rowno, **lvals, **rvals}, False) in rowno:
                    continue
                if groups:
                    groups[-1][3].append(c)
                elif a.kind != "blank":
                    ctx.finding("D002", "warning", msg("reading.number_without_row", table=b.key, number=c.text),
                                c.offset, found=c.text)
                continue
            ml, mr = match_name(c.text, left), match_name(c.text, right)
            if not ((ml and not ml.fixed) or (mr and not mr.fixed)):
                # space layout: a label wrapped onto the next line ("…管理支" / "出")
                for d in below:
                    if abs(d.start - c.start) <= 1:
                        joined = Cell(c.text + d.text, c.start, max(c.end, d.end), c.offset)
                        jl, jr = match_name(joined.text, left), match_name(joined.text, right)
                        if (jl and not jl.fixed) or (jr and not jr.fixed):
                            c, ml, mr = joined, jl, jr
                        break
            side_by_pos = None
            if split is not None:
                if b.tabbed:
                    side_by_pos = "R" if c.start >= split else "L"
                else:
                    near = min(label_cols, key=lambda i: abs(cols[i].center - c.center))
                    side_by_pos = "L" if near == label_cols[0] else "R"
            if ml and mr:
                half = side_by_pos or ("L" if ml.score >= mr.score else "R")
            elif ml or mr:
                half = "L" if ml else "R"
            else:
                groups.append([None, None, c, []])
                continue
            groups.append([half, ml if half == "L" else mr, c, []])
        for half, m, lc, amounts in groups:
            if half is None:
                if any(read_amount(a.text).kind != "blank" for a in amounts):
                    ctx.finding("D002", "warning", msg("reading.row_not_recognised", table=b.key, label=lc.text), lc.offset, found=lc.text)
                continue
            if done[half]:
                continue
            ctx.label_repair(lc.text, m, lc.offset, b.key)
            if half == "L":
                name = m.name
                if fiscal and name == WORDS.fiscal_opening:
                    sub_rows = True
                    path = (b.key, _INCOME, name, _SUBTOTAL)
                elif fiscal and sub_rows and name in funds:
                    path = (b.key, _INCOME, WORDS.fiscal_opening, name)
                else:
                    path = (b.key, _INCOME, name)
                cell = _single(amounts, lvals, b.tabbed, ctx, b.key)
                ctx.add(path, cell, lc.offset, True)
                if name == _GRAND:
                    done["L"] = True
            else:
                if fiscal:
                    placed: dict[str, Cell] = {}
                    for a in amounts:
                        i = _place(a, rvals, b.tabbed)
                        if i is not None and rname[i] not in placed:
                            placed[rname[i]] = a
                        elif read_amount(a.text).kind != "blank":
                            ctx.finding("D002", "warning", msg("reading.number_outside_columns", table=b.key, number=a.text), a.offset, found=a.text)
                    for cn in [_SUBTOTAL] + funds:
                        if cn in rname.values():
                            ctx.add((b.key, _EXPENSE, m.name, cn), placed.get(cn), lc.offset, True)
                else:
                    cell = _single(amounts, rvals, b.tabbed, ctx, b.key)
                    ctx.add((b.key, _EXPENSE, m.name), cell, lc.offset, True)
                if m.name == _GRAND:
                    done["R"] = True
        if done["L"] and done["R"]:
            break


def _single(amounts: list[Cell], vcols: dict[int, Column], tabbed: bool, ctx: _Ctx, key: str) -> Cell | None:
    """The one value of a row half: the amount under the half's value column."""
    if not amounts:
        return None
    if tabbed and vcols:
        for a in amounts:
            if _place(a, vcols, True) is not None:
                return a
        return None
    if len([a for a in amounts if read_amount(a.text).kind != "blank"]) > 1:
        ctx.finding("D002", "warning", msg("reading.several_numbers_in_row", table=key, taken=amounts[0].text),
                    amounts[1].offset, found=amounts[1].text)
    return amounts[0]


# --------------------------------------------------------------------------- 三公经费表

def _parse_sangong(b: Block, ctx: _Ctx) -> None:
    items_spec = _schema()[b.key]["子项"]["预算数"]["子项"]
    items = list(items_spec.keys())
    aliases = {a: k for k, v in items_spec.items() if isinstance(v, dict) for a in v.get("别名", [])}
    aliases.update(vocabulary()["表头"]["三公别名"])
    item_names = _lookup(items, aliases)
    kinds = {norm(n): "预算数" for n in vocabulary()["表头"]["预算数"]}
    kinds.update({norm(n): "决算数" for n in vocabulary()["表头"]["三公决算数"]})
    data_i = None
    for i, ln in enumerate(b.lines):
        cells = b.filled_cells(ln)
        if not cells or _is_note(ln.text):
            if cells and _is_note(ln.text):
                break
            continue
        if _is_column_numbers(cells) or any(norm(c.text) == "栏次" for c in cells):
            continue
        if any(read_amount(c.text) and read_amount(c.text).kind != "blank" for c in cells):
            data_i = i
            break
    if data_i is None:
        return
    header = [ln for ln in b.lines[:data_i] if ln.text.strip() and not _is_unit_line(ln.text)
              and not _is_column_numbers(b.filled_cells(ln))]
    cols = header_columns(b, header)
    kind_of: dict[int, str] = {}
    current = None
    for i, col in enumerate(cols):
        own = [kinds[norm(x)] for x in col.labels if norm(x) in kinds]
        if own:
            current = own[-1]
            kind_of[i] = current
        elif b.tabbed and current:
            kind_of[i] = current
    item_of: dict[int, str] = {}
    for kind in ("预算数", "决算数"):
        idx = [i for i in sorted(kind_of, key=lambda i: cols[i].start) if kind_of[i] == kind]
        if len(idx) == len(items):
            item_of.update(zip(idx, items))
            continue
        for i in idx:
            m = _column_match(Column(cols[i].start, cols[i].end,
                                     [x for x in cols[i].labels if norm(x) not in kinds], cols[i].groups),
                              item_names)
            if m and (kind, m[0]) not in {(kind_of[j], item_of[j]) for j in item_of}:
                item_of[i] = m[0]
    vcols = {i: cols[i] for i in item_of}
    ln = b.lines[data_i]
    placed: dict[int, Cell] = {}
    for c in b.filled_cells(ln):
        a = read_amount(c.text)
        if a is None:
            continue
        i = _place(c, vcols, b.tabbed)
        if i is not None and i not in placed:
            placed[i] = c
    anchor = b.filled_cells(ln)[0].offset
    for i in sorted(item_of, key=lambda i: cols[i].start):
        ctx.add((b.key, kind_of[i], item_of[i]), placed.get(i), anchor, True)


def _is_column_numbers(cells: list[Cell]) -> bool:
    """A 栏次 line: the column numbers 1, 2, 3 …"""
    vals = [c.text.strip() for c in cells]
    return len(vals) >= 3 and all(v.isdigit() for v in vals) and \
        [int(v) for v in vals] == list(range(int(vals[0]), int(vals[0]) + len(vals)))


# --------------------------------------------------------------------------- 基本支出明细表

_ECON = re.compile(r"(3\d{2}(?:\d{2})?)[ \u3000]*([^\d\s.,].*)?")


def _parse_detail(b: Block, ctx: _Ctx) -> None:
    """The 基本支出明细表: side-by-side groups of (经济分类科目编码, 科目名称, 决算数)."""
    subj = load_rule_file(rules_dir() / "科目.yaml")
    totals = _lookup([subj["分组合计"].format(组=g) for g in subj["基本支出分组"]])
    rows: list[Row] = []
    seen: set[str] = set()
    started = False
    for ln in b.lines:
        cells = b.filled_cells(ln)
        if not cells:
            continue
        if _is_note(ln.text):
            break
        tokens: list[tuple[str, Cell, str]] = []   # (kind, cell, text)
        for c in cells:
            t = unicodedata.normalize("NFKC", c.text).strip()
            m = _ECON.fullmatch(t)
            if m:
                tokens.append(("code", c, m.group(1)))
                if m.group(2):
                    tokens.append(("text", c, m.group(2).strip()))
            elif read_amount(t) is not None:
                tokens.append(("amount", c, t))
            else:
                if tokens and tokens[-1][0] == "text" and tokens[-1][1] is not c:
                    k, c0, t0 = tokens[-1]
                    tokens[-1] = (k, c0, t0 + t)
                else:
                    tokens.append(("text", c, t))
        if not started:
            if not any(k == "code" for k, _c, _t in tokens):
                continue
            started = True
        i = 0
        while i < len(tokens):
            kind, c, t = tokens[i]
            if kind == "code":
                code, name, name_cell, val = t, "", None, None
                j = i + 1
                if j < len(tokens) and tokens[j][0] == "text":
                    name, name_cell = tokens[j][2], tokens[j][1]
                    j += 1
                if j < len(tokens) and tokens[j][0] == "amount":
                    val = tokens[j][1]
                    j += 1
                if code not in seen:
                    seen.add(code)
                    anchor = (name_cell or c).offset
                    rows.append(Row(code, name, name_cell, ln, anchor))
                    ctx.add((b.key, _ROWS, code, WORDS.actual), val, anchor, False)
                i = j
                continue
            if kind == "text":
                m = match_name(t, totals, 0.8)
                if m:
                    ctx.label_repair(t, m, c.offset, b.key)
                    val = tokens[i + 1][1] if i + 1 < len(tokens) and tokens[i + 1][0] == "amount" else None
                    ctx.add((b.key, m.name), val, c.offset, False)
                    i += 2 if val is not None else 1
                    continue
            i += 1
    if rows:
        ctx.rows[b.key] = sorted(rows, key=lambda r: (r.code[:3], r.code))
        ctx.columns[b.key] = [WORDS.actual]


# --------------------------------------------------------------------------- names, department, year

def _fix_subject_names(ctx: _Ctx) -> None:
    """科目名称 read through the noise: 类 names and 经济分类 names by code, others by consensus.

    A 功能分类 款/项 name that differs from what the other tables print for the same code is
    replaced when at least two other tables agree on one name.
    """
    specs = _table_specs()
    classes = _class_names()
    econ = _econ_names()
    seen: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for key, rows in ctx.rows.items():
        if specs[key]["类型"] != "科目表":
            continue
        for r in rows:
            if r.name:
                entry = seen.setdefault(r.code, {}).setdefault(norm(r.name), (r.name, []))
                entry[1].append(key)
    for key, rows in ctx.rows.items():
        detail = specs[key]["类型"] == "明细表"
        for r in rows:
            official, why, canonical = None, "", False
            if detail and r.code in econ:
                official, why, canonical = econ[r.code], msg("reading.economic_name", code=r.code), True
            elif not detail and len(r.code) == 3 and r.code in classes:
                official, why, canonical = classes[r.code], msg("reading.class_name", code=r.code), True
            elif not detail and r.code in seen:
                mine = norm(r.name)
                votes = sorted(((len(tabs), n, name, tabs) for n, (name, tabs) in seen[r.code].items()
                                if n != mine), reverse=True)
                if votes and votes[0][0] >= 2 and votes[0][0] > len(seen[r.code].get(mine, ("", []))[1]):
                    official = votes[0][2]
                    why = msg("reading.name_in_tables", code=r.code, tables=msg("join.list").join(votes[0][3]))
            if official is None:
                continue
            if not r.name or (canonical and norm(r.name) == norm(official)):
                r.name = official
            elif norm(r.name) != norm(official):
                off = r.name_cell.offset if r.name_cell else r.anchor
                ctx.finding("D001", "info", msg("reading.subject_name_read_as", table=key, code=r.code, name=r.name, official=official, why=why), off, found=r.name, expected=official)
                r.name = official


def department_and_year(text: str) -> tuple[str | None, int | None]:
    """单位 and 年度 from the title ("2024 年度区人社局部门决算公开", "上海市 XX 局 / 2024 年度部门决算")."""
    lines = [compact(ln.text) for ln in split_lines(text[:4000])]
    head = ""
    for c in lines:
        if not c:
            continue
        if re.match(vocabulary()["部分"]["目录"], c) or re.match(r"第[一二三1-3]部分", c):
            break
        head += c
        if len(head) > 80:
            break
    pats = [r"(?P<dept>[^\d]{2,40}?)(?P<year>\d{4})年度?(?:部门)?决算",
            r"(?P<year>\d{4})年度?(?P<dept>[^\d]{2,40}?)(?:部门)?决算"]
    tab_pat = re.compile(vocabulary()["部分"]["决算表"])
    for source in (head, *(c for c in lines if tab_pat.match(c))):
        s = re.sub(vocabulary()["部分"]["任一部分"], "", source)
        for pat in pats:
            m = re.search(pat, s)
            if m and re.search(r"[\u4e00-\u9fff]", m.group("dept")):
                dept = m.group("dept").strip("：:，,")
                if dept in vocabulary()["非部门名"]:     # "2024 年度部门决算表": no name printed
                    continue
                return dept, int(m.group("year"))
    m = re.search(r"(\d{4})\s*年度", text[:4000])
    return None, int(m.group(1)) if m else None


def _unit(text: str) -> str:
    m = _unit_pattern().search(unicodedata.normalize("NFKC", text))
    return m.group(1) if m else WORDS.default_unit


@cache
def _unit_pattern() -> re.Pattern:
    """「金额单位：万元」「单位：元」: the units are the schema's 金额单位 values."""
    units = sorted(_schema()[WORDS.unit]["取值"], key=len, reverse=True)
    labels = sorted(vocabulary()["单位标签"], key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(map(re.escape, labels)) + r")\s*[:：]\s*("
                      + "|".join(map(re.escape, units)) + ")")


# --------------------------------------------------------------------------- the tree

def _set(tree: dict, path: tuple, value) -> None:
    node = tree
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = value


def _build_tree(ctx: _Ctx, dept: str | None, year: int | None, unit: str) -> dict:
    tree: dict = {}
    if dept:
        tree[WORDS.dept] = dept
    if year:
        tree[WORDS.year] = year
    tree[WORDS.unit] = unit
    specs = _table_specs()
    by_table: dict[str, dict] = {}
    for p, s in ctx.slots.items():
        if s.value is not None:
            by_table.setdefault(p[0], {})[p] = s
    for spec in final_tables():
        key = spec["键"]
        if key not in ctx.present:
            continue
        slots = by_table.get(key)
        if not slots:
            continue
        if specs[key]["类型"] in ("科目表", "明细表"):
            table: dict = {}
            tot = {p[2]: s.value for p, s in slots.items() if p[1] == _TOTAL}
            if tot:
                table[_TOTAL] = tot
            rows = []
            by_code: dict[str, dict] = {}
            for p, s in slots.items():
                if p[1] == _ROWS:
                    by_code.setdefault(p[2], {})[p[3]] = s.value
            for r in ctx.rows.get(key, []):
                vals = by_code.get(r.code)
                if vals:
                    row = {_CODE_KEY: r.code, _NAME: r.name}
                    row.update((c, vals[c]) for c in ctx.columns[key] if c in vals)
                    rows.append(row)
            table[_ROWS] = rows
            for p, s in slots.items():
                if len(p) == 2:
                    table[p[1]] = s.value
            tree[key] = table
        else:
            table = {}
            for p, s in sorted(slots.items(), key=lambda kv: kv[1].anchor):
                _set(table, p[1:], s.value)
            tree[key] = table
    return tree
