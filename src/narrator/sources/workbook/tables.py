"""The tables of a workbook read into the figures tree: 科目表, the two-sided 总表, the
三公经费表, and the key-value and project sheets."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.figures.model import Node, key_sets, schema
from narrator.figures.names import WORDS
from narrator.sources.workbook.sheets import (
    _Cell, _Region, _Sheet, _check_code, _child, _code_text, _convert, _heads, _is_column_numbers_row,
    _is_number, _label, _lookup, _n, _vocab,
)

# names by role (rules/figures-schema.yaml 结构用语)
_CODE, _NAME, _TOTAL, _ROWS, _GRAND = WORDS.code, WORDS.name, WORDS.total, WORDS.rows, WORDS.grand_total
_INCOME, _EXPENSE, _SUBTOTAL, _BUDGET = WORDS.income, WORDS.expense, WORDS.subtotal, WORDS.budget
_AMT, _NUM, _TEXT, _FREE, _CODE_T = WORDS.amount, WORDS.number, WORDS.text, WORDS.free_text, WORDS.code_type
_INDICATORS, _IND_NAME, _PROJECT_NAME = WORDS.indicators, WORDS.indicator_name, WORDS.project_name
_PERF, _EVAL, _PROJECTS, _PRIOR = WORDS.performance, WORDS.project_eval, WORDS.projects, WORDS.prior_year
_CODE_SYSTEM = WORDS.default_code_system


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
    totals = {_TOTAL, _GRAND}
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
            raise InputError(msg("workbook.no_code_column", where=msg("workbook.sheet", sheet=sh.name), table=table),
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
        raise InputError(msg("workbook.no_code_column", where=msg("workbook.row", sheet=sh.name, row=hdr), table=table),
                         source)
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
                    raise InputError(msg("workbook.column_twice", where=msg("workbook.cell", sheet=sh.name,
                                         ref=sh.ref(h_end, c)), column=role[1], table=table), source)
                g.amounts[c] = role[1]
        if g.name is None:
            after = [c for c in range(max(g.code_cols) + 1, last + 1) if c not in g.amounts and c not in roles]
            if after:
                g.name = after[0]
        groups.append(g)
    if not any(g.amounts for g in groups):
        raise InputError(msg("workbook.no_amount_columns", where=msg("workbook.row", sheet=sh.name, row=h_end),
                             table=table, columns="、".join(node.columns)), source)

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
                v = _convert(sh.cell(r, c), _AMT, source)
                if v is not None:
                    amounts[canon] = v
            code, name, label, code_cell = _row_key(sh, r, g, node, source)
            if label is not None:
                if label in totals:
                    if amounts:
                        if _TOTAL in out:
                            raise InputError(msg("workbook.second_total_row", where=msg("workbook.row", sheet=sh.name,
                                             row=r), table=table, first=where_tot[_TOTAL]), source)
                        out[_TOTAL] = amounts
                        where_tot[_TOTAL] = msg("workbook.row", sheet=sh.name, row=r)
                    continue
                if label in child_lk:
                    canon = child_lk[label]
                    if amounts:
                        if canon in out:
                            raise InputError(msg("workbook.row_twice", where=msg("workbook.row", sheet=sh.name, row=r),
                                                 name=canon, table=table), source)
                        out[canon] = next(iter(amounts.values()))
                    continue
                if label in _heads("行次") or not amounts:
                    continue
                close = difflib.get_close_matches(label, [_TOTAL, *node.children], n=1, cutoff=0.5)
                hint = msg("figures.did_you_mean", name=close[0]) if close else ""
                raise InputError(msg("workbook.unknown_row", where=code_cell.where, label=label, table=table, hint=hint),
                                 source)
            if code is None:
                if amounts:
                    c0 = min(g.amounts)
                    raise InputError(msg("workbook.amounts_without_code", where=msg("workbook.row", sheet=sh.name, row=r),
                                         table=table, ref=sh.ref(r, c0),
                                         column=sh.ref(r, g.code_cols[0]).rstrip("0123456789")), source)
                continue
            _check_code(code, node.code_system, code_cell, source)
            if not amounts:
                continue
            if code in rows:
                raise InputError(msg("workbook.code_twice", where=code_cell.where, code=code, table=table,
                                     first=seen[code]), source)
            seen[code] = code_cell.ref
            row = {_CODE: code}
            if name:
                row[_NAME] = name
            row.update(amounts)
            rows[code] = row
    if not out and not rows:
        return None
    items = list(rows.values())
    if len(groups) > 1:
        items.sort(key=lambda x: x[_CODE])
    out[_ROWS] = items
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
                    raise InputError(msg("workbook.code_digits", where=cell.where, code=repr(t)), source)
                name_text = rest
            return code, name_text, None, cell
        if v is None:
            if name_text is not None and _label(name_text) in ({_TOTAL, _GRAND} | set(_lookup(node))):
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
            raise InputError(msg("workbook.code_digits", where=cell.where, code=repr(v.strip())), source)
        t = _code_text(cell, source) or ""
        if t and i > 0 and len(t) == 1:
            t = "0" + t
        parts.append(t)
    if not any(parts):
        if name_text is not None and _label(name_text) in ({_TOTAL, _GRAND} | set(_lookup(node))):
            return None, None, _label(name_text), sh.cell(r, g.name)
        return None, name_text, None, first_cell
    # blank leading parts inherit from the row above (类 written once for its 款 and 项)
    if not parts[0]:
        k = next(i for i, p in enumerate(parts) if p)
        if len(g.last_parts) < k or not all(g.last_parts[:k]):
            raise InputError(msg("workbook.code_without_class", where=first_cell.where), source)
        parts[:k] = g.last_parts[:k]
    for i in range(1, len(parts)):
        if parts[i] and not parts[i - 1]:
            raise InputError(msg("workbook.item_without_section", where=sh.cell(r, g.parts[i]).where), source)
    g.last_parts = parts
    code = "".join(parts)
    return code, name_text, None, first_cell


# ======================================================================================
# reading: the two-sided 总表
# ======================================================================================
def _read_two_sided(reg: _Region, node: Node, source: str, found: dict) -> dict | None:
    sh, table = reg.sheet, reg.table
    sides = {_INCOME: node.children[_INCOME], _EXPENSE: node.children[_EXPENSE]}
    lk = {s: _lookup(n) for s, n in sides.items()}
    lk_sides = {_n(s) for s in sides}
    r_start = reg.r0 + 1
    # where are the label columns?
    count: dict[str, dict[int, int]] = {_INCOME: {}, _EXPENSE: {}}
    label_rows: dict[int, list[int]] = {}
    for cell in sh.texts(r_start, reg.r1):
        t = _label(cell.value)
        inc, exp = t in lk[_INCOME], t in lk[_EXPENSE]
        if inc != exp:
            s = _INCOME if inc else _EXPENSE
            count[s][cell.col] = count[s].get(cell.col, 0) + 1
        if inc or exp:
            label_rows.setdefault(cell.col, []).append(cell.row)
    label_cols: dict[int, str] = {}
    for s in (_INCOME, _EXPENSE):
        if count[s]:
            col = max(count[s], key=lambda c: (count[s][c], -c))
            label_cols.setdefault(col, s)
    if not label_cols:
        if sh.numbers_in(r_start, reg.r1):
            raise InputError(msg("workbook.rows_not_found", where=msg("workbook.sheet", sheet=sh.name), table=table),
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

    out: dict = {_INCOME: {}, _EXPENSE: {}}
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
            other = _EXPENSE if side == _INCOME else _INCOME
            if t not in lk[side] and t in lk[other]:
                side = other
            canon = lk[side].get(t)
            cells = [sh.cell(r, c) for c in span]
            if canon is None:
                if t in _heads("行次") or t in _heads("双栏") or t in lk_sides:
                    continue
                if any(_convert(c, _AMT, source) is not None for c in cells):
                    names = list(sides[side].children) + list(key_sets().get(sides[side].key_set or "", {}).values())
                    close = difflib.get_close_matches(t, names, n=1, cutoff=0.5)
                    hint = msg("figures.did_you_mean", name=close[0]) if close else ""
                    raise InputError(msg("workbook.unknown_side_row", where=msg("workbook.cell", sheet=sh.name,
                                         ref=sh.ref(r, lc)), side=side, label=t, table=table, hint=hint), source)
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
                    v = _convert(c, _AMT, source)
                    if v is not None:
                        _put(out, path, v, c.where, where, source)
                        break
                else:
                    if span:
                        where.setdefault(path, f"cell {sh.ref(r, span[0])}")
                continue
            sub_lk = _lookup(target)
            for j, c in enumerate(cells):
                v = _convert(c, _AMT, source)
                if v is None:
                    continue
                sub = header(c.col, sub_lk)
                if sub is None:
                    if j == 0:
                        sub = _SUBTOTAL
                    else:
                        raise InputError(msg("workbook.which_column", where=c.where, name=canon,
                                             columns="、".join(target.children)), source)
                _put(out, path + (sub,), v, c.where, where, source)
            if span:
                where.setdefault(path, f"cell {sh.ref(r, span[0])}")
    found[table] = where
    if not out[_INCOME] and not out[_EXPENSE]:
        return None
    return {k: v for k, v in out.items() if v}


def target_children(side_node: Node, under: str) -> set[str]:
    n = side_node.children.get(under)
    if n is None or n.kind != "map":
        return set()
    return set(n.children) - {_SUBTOTAL}


def _put(out: dict, path: tuple, value, cell_where: str, where: dict, source: str) -> None:
    node = out
    for p in path[:-1]:
        node = node.setdefault(p, {})
    if path[-1] in node:
        raise InputError(msg("workbook.given_twice", where=cell_where, name=" ".join(path),
                         other=where.get(path, "?")), source)
    node[path[-1]] = value
    where[path] = cell_where


# ======================================================================================
# reading: 三公
# ======================================================================================
def _read_sangong(reg: _Region, node: Node, source: str) -> dict | None:
    sh = reg.sheet
    group_lk = {_n(x): g for g, xs in _vocab()["三公分组"].items() for x in xs}
    item_lk = _lookup(node.children[_BUDGET])
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
            v = _convert(cell, _AMT, source)
            if v is None:
                continue
            col_tokens = [sh.label(hr, c) for hr in head_rows]
            row_tokens = [sh.label(r, cc) for cc in sh.rows[r] if cc < c and isinstance(sh.raw(r, cc), str)]
            group = next((group_lk[t] for t in reversed(row_tokens) if t in group_lk), None) or \
                next((group_lk[t] for t in reversed(col_tokens) if t in group_lk), None)
            item = next((item_lk[t] for t in reversed(row_tokens) if t in item_lk and t != _SUBTOTAL), None)
            if item is None:
                toks = [t for t in col_tokens if t]
                for i in range(len(toks) - 1, -1, -1):
                    t = toks[i]
                    if t == _SUBTOTAL:
                        above = next((item_lk[x] for x in reversed(toks[:i]) if x in item_lk and item_lk[x] != _TOTAL),
                                     None)
                        item = above or _TOTAL
                        break
                    if t in item_lk:
                        item = item_lk[t]
                        break
            if group is None or item is None:
                raise InputError(msg("workbook.which_sangong", where=cell.where), source)
            _put(out, (group, item), v, cell.where, where, source)
    return out or None


# ======================================================================================
# reading: the sheets of figures outside the tables
# ======================================================================================


class _Builder:
    """A tree built from (path, value) pairs; special keys become lists at the end."""

    def __init__(self, source: str):
        self.tree: dict = {}
        self.where: dict[tuple, str] = {}
        self.source = source

    def put(self, path: tuple, value, where: str) -> None:
        if path in self.where:
            raise InputError(msg("workbook.given_twice", where=where, name=_dotted(path), other=self.where[path]),
                             self.source)
        node = self.tree
        for i, p in enumerate(path[:-1]):
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                raise InputError(msg("workbook.conflicts", where=where, name=_dotted(path), other=_dotted(path[:i + 1]),
                                     other_where=self.where.get(path[:i + 1], "?")), self.source)
            node = nxt
        if isinstance(node.get(path[-1]), dict):
            raise InputError(msg("workbook.also_in_parts", where=where, name=_dotted(path)), self.source)
        node[path[-1]] = value
        self.where[path] = where

    def result(self) -> dict:
        return _finish(self.tree)


def _dotted(path: tuple) -> str:
    return " ".join(p[1] if isinstance(p, tuple) and p[0] != "#i" else
                    (str(p[1]) if isinstance(p, tuple) else str(p)) for p in path)


def _finish(x):
    if not isinstance(x, dict):
        return x
    keys = list(x)
    if keys and all(isinstance(k, tuple) and k[0] == "#i" for k in keys):
        return [_finish(x[k]) for k in sorted(keys, key=lambda k: k[1])]
    if keys and all(isinstance(k, tuple) and k[0] == "#ind" for k in keys):
        return [{_IND_NAME: k[1], **_finish(x[k])} for k in keys]
    if keys and all(isinstance(k, tuple) and k[0] == "#code" for k in keys):
        return [{_CODE: k[1], **_finish(x[k])} for k in keys]
    return {k: _finish(v) for k, v in x.items()}


_INDICATOR = re.compile(r"(.+?)(" + re.escape(WORDS.weight) + "|" + re.escape(WORDS.score) + ")")


def _resolve(node: Node, segs: list[str], cell: _Cell, source: str, prefix: tuple = ()) -> tuple[tuple, str]:
    """A dotted path (segments) under ``node`` → (canonical path, leaf type)."""
    root = schema()
    path = list(prefix)
    i = 0

    def unknown(seg, cands, what="item"):
        close = difflib.get_close_matches(seg, list(cands), n=1, cutoff=0.5)
        hint = msg("figures.did_you_mean", name=close[0]) if close else ""
        at = _dotted(tuple(path)) or msg("figures.top_level")
        raise InputError(msg("workbook.unknown_item", where=cell.where, name=seg, under=at, hint=hint), source)

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
                if m and _INDICATORS in node.children and i == len(segs) - 1:
                    path += [_INDICATORS, ("#ind", m.group(1).strip()), m.group(2)]
                    return tuple(path), _NUM
                cands = list(node.children) + (list(key_sets()[node.key_set].values()) if node.key_set else [])
                unknown(s, cands)
            path.append(canon)
            node = _child(node, canon)
            i += 1
        elif node.kind == "table":
            if s == _TOTAL and i + 1 < len(segs):
                col = _column_map(path[-1] if path else "", node).get(_n(segs[i + 1]))
                if col is None:
                    unknown(segs[i + 1], node.columns, "column")
                path += [_TOTAL, col]
                i += 2
                node = Node("leaf", leaf=_AMT)
            elif s == _ROWS and i + 2 < len(segs):
                code = _check_code(segs[i + 1].strip(), node.code_system, cell, source)
                col_text = segs[i + 2].strip()
                if _n(col_text) == _NAME:
                    path += [_ROWS, ("#code", code), _NAME]
                    node = Node("leaf", leaf=_TEXT)
                else:
                    col = _column_map(path[-1] if path else "", node).get(_n(col_text))
                    if col is None:
                        unknown(col_text, node.columns, "column")
                    path += [_ROWS, ("#code", code), col]
                    node = Node("leaf", leaf=_AMT)
                i += 3
            else:
                lk = _lookup(node)
                canon = lk.get(_n(s))
                if canon is None:
                    unknown(s, [_TOTAL, _ROWS, *node.children])
                path.append(canon)
                node = node.children[canon]
                i += 1
        elif node.kind == "dict":
            key = s
            if node.key_kind == _CODE_T:
                key = _check_code(s, None, cell, source)
            path.append(key)
            node = node.value
            i += 1
        elif node.kind == "list":
            if not s.isdigit() or int(s) < 1:
                raise InputError(msg("workbook.item_number", where=cell.where, name=_dotted(tuple(path)), got=s),
                                 source)
            path.append(("#i", int(s)))
            node = node.item
            i += 1
        else:  # leaf
            if node.leaf == _FREE:
                path += [x.strip() for x in segs[i:]]
                return tuple(path), _FREE
            raise InputError(msg("workbook.single_figure", where=cell.where, name=_dotted(tuple(path)),
                                 rest=" ".join(segs[i:])), source)
    if node.kind != "leaf":
        raise InputError(msg("workbook.group_not_figure", where=cell.where, name=_dotted(tuple(path))), source)
    return tuple(path), node.leaf


def _kv_rows(sh: _Sheet) -> tuple[int, int, list[int]]:
    """(key column, value column, data rows) of a key/value sheet."""
    for r in sorted(sh.rows):
        labs = {c: sh.label(r, c) for c in sh.rows[r]}
        keys = [c for c, t in labs.items() if t in _heads("表外键")]
        if keys:
            kc = keys[0]
            vals = [c for c, t in labs.items() if t in _heads("表外值") and c > kc]
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
        if isinstance(key, str) and _label(key) in _heads("表外键"):
            continue
        if codes and (isinstance(key, (int, float)) and not isinstance(key, bool) or
                      (isinstance(key, str) and re.fullmatch(r"\s*\d[\d ]*\s*", key))):
            code = _check_code(_code_text(kcell, source), _CODE_SYSTEM, kcell, source)
            v = _convert(vcell, _AMT, source)
            if v is not None:
                b.put(prefix + (_ROWS, code), v, vcell.where)
            continue
        if vcell.value is None or (isinstance(vcell.value, str) and not vcell.value.strip()):
            continue
        text = str(key).strip()
        if prefix == (_PRIOR,) and text.startswith(_PRIOR + "."):
            text = text[len(_PRIOR) + 1:]
        segs = [s for s in re.split(r"[.．]", text) if s.strip()]
        if not segs:
            continue
        path, kind = _resolve(node, segs, kcell, source, prefix)
        if only_leaves and len(path) != 1:
            raise InputError(msg("workbook.not_on_this_sheet", where=kcell.where, name=text), source)
        v = _convert(vcell, kind, source)
        if v is None:
            continue
        allowed = _allowed(path)
        if allowed and v not in allowed:
            raise InputError(msg("workbook.must_be_one_of", where=vcell.where, name=_dotted(path),
                                 allowed="、".join(allowed), got=v), source)
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
    item = root.children[_PERF].children[_EVAL].children[_PROJECTS].item
    lk = _lookup(item)
    hdr = None
    for r in sorted(sh.rows):
        if any(sh.label(r, c) == _PROJECT_NAME for c in sh.rows[r]):
            hdr = r
            break
    if hdr is None:
        return
    cols: dict[int, tuple] = {}
    for c in sh.rows[hdr]:
        t = sh.label(hdr, c)
        if t in _heads("项目表略去"):
            continue
        if t in lk:
            cols[c] = ("field", lk[t])
            continue
        m = _INDICATOR.fullmatch(t)
        if m:
            cols[c] = ("ind", m.group(1), m.group(2))
            continue
        close = difflib.get_close_matches(t, list(item.children), n=1, cutoff=0.5)
        hint = msg("figures.did_you_mean", name=close[0]) if close else ""
        raise InputError(msg("workbook.unknown_column", where=msg("workbook.cell", sheet=sh.name, ref=sh.ref(hdr, c)),
                               name=t, hint=hint), source)
    name_col = next(c for c, v in cols.items() if v == ("field", _PROJECT_NAME))
    n = 0
    base = (_PERF, _EVAL, _PROJECTS)
    for r in sorted(x for x in sh.rows if x > hdr):
        filled = [c for c in cols if sh.raw(r, c) is not None]
        if not filled:
            continue
        ncell = sh.cell(r, name_col)
        if ncell.value is None:
            raise InputError(msg("workbook.project_without_name", where=ncell.where), source)
        n += 1
        for c in filled:
            cell = sh.cell(r, c)
            spec = cols[c]
            if spec[0] == "field":
                kind = item.children[spec[1]].leaf or _TEXT
                v = _convert(cell, kind, source)
                if v is not None:
                    b.put(base + (("#i", n), spec[1]), v, cell.where)
            else:
                v = _convert(cell, _NUM, source)
                if v is not None:
                    b.put(base + (("#i", n), _INDICATORS, ("#ind", spec[1]), spec[2]), v, cell.where)
