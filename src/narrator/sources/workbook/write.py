"""write_workbook: the published layout, empty for an officer to fill or filled from Figures."""

from __future__ import annotations

import io
import re
from dataclasses import field
from decimal import Decimal
from pathlib import Path

from narrator.core.cn_numerals import cn_small
from narrator.core.textio import atomic_write
from narrator.figures.model import Figures, Node, schema, subjects
from narrator.figures.names import WORDS
from narrator.sources.workbook.sheets import _Cell, _child, _n, _tables, _vocab
from narrator.sources.workbook.tables import _column_map, _resolve


# ======================================================================================
# write_workbook
# ======================================================================================
_AMOUNT_FMT = "#,##0.00"
# names by role (rules/figures-schema.yaml 结构用语)
_CODE, _NAME, _TOTAL, _ROWS = WORDS.code, WORDS.name, WORDS.total, WORDS.rows
_INCOME, _EXPENSE, _SUBTOTAL, _GRAND = WORDS.income, WORDS.expense, WORDS.subtotal, WORDS.grand_total
_AMT, _NUM, _INT, _TEXT, _DATE_T, _FREE = (WORDS.amount, WORDS.number, WORDS.integer, WORDS.text, WORDS.date,
                                           WORDS.free_text)
_INDICATORS, _IND_NAME, _WEIGHT, _SCORE = WORDS.indicators, WORDS.indicator_name, WORDS.weight, WORDS.score


def _words() -> dict:
    """rules/workbook.yaml 写表: the texts the written workbook shows."""
    return _vocab()["写表"]


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
        self.unit = self.data.get(WORDS.unit, WORDS.default_unit) if figures is not None else None

    # -- cells ----------------------------------------------------------------------
    def title(self, ws, text: str, ncols: int, row: int = 1) -> None:
        ws.cell(row, 1, text).font = self.st.title
        ws.cell(row, 1).alignment = self.st.center
        if ncols > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.row_dimensions[row].height = 28

    def subtitle(self, ws, ncols: int, row: int = 2) -> None:
        dept = self.data.get(WORDS.dept, "")
        ws.cell(row, 1, f"{_vocab()['表上说明']['部门标签'][0]}：{dept}").alignment = self.st.left
        unit = self.unit or ""
        c = ws.cell(row, max(ncols, 2), f"{WORDS.unit}：{unit}")
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
        if kind == _AMT:
            return self.amount(ws, r, c, v)
        cell = ws.cell(r, c)
        cell.border = self.st.border
        if kind in (_NUM, _INT):
            cell.value = v
            cell.number_format = "0" if kind == _INT else _number_format(v)
            cell.alignment = self.st.right
        elif kind == _DATE_T:
            cell.value = v
            cell.number_format = "yyyy-mm-dd"
            cell.alignment = self.st.left
        else:
            cell.value = v if v not in (None, "") else None
            cell.number_format = "@"
            cell.alignment = self.st.wrap if kind == _FREE else self.st.left

    def widths(self, ws, widths: dict[int, float]) -> None:
        from openpyxl.utils import get_column_letter

        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = w

    # -- the workbook ---------------------------------------------------------------
    def build(self):
        """The sheets in the order of rules/workbook.yaml: 填写说明, 基本信息, the tables (表), then
        the other sheets of 表外工作表, each written by what it holds."""
        self.instructions()
        extra = _vocab()["表外工作表"]
        self.basic(next(title for title, target in extra.items() if not target))
        for table, kind in _tables().items():
            node = schema().children[table]
            value = self.data.get(table) or {}
            if kind == "two_sided":
                self.two_sided(table, node, value)
            elif kind == "detail_table":
                self.detail(table, node, value)
            elif kind == "subject_table":
                self.subject_table(table, node, value)
            else:
                self.sangong(table, node, value)
        projects_at = (WORDS.performance, WORDS.project_eval, WORDS.projects)
        for title, target in extra.items():
            segs = tuple(target.split(".")) if target else ()
            if not segs:
                continue
            if segs == (WORDS.opening_budget,):
                self.budget(title)
            elif segs == (WORDS.prior_year,):
                self.last_year(title)
            elif segs == projects_at:
                self.projects(title)
            elif segs == (WORDS.notes,):
                self.notes(title)
            else:
                node, value = schema(), self.data
                for seg in segs:
                    node, value = node.children[seg], (value or {}).get(seg)
                skip = (projects_at[1:],) if segs == projects_at[:1] else ()
                self.kv_sheet(title, node, dict(value or {}), skip=skip)
        return self.wb

    def instructions(self) -> None:
        spec = _words()["填写说明"]
        ws = self.wb.create_sheet(spec["工作表"])
        lines = spec["内容"]
        for i, t in enumerate(lines, 1):
            ws.cell(i, 1, t)
        ws.cell(1, 1).font = self.st.title
        self.widths(ws, {1: 120})

    def basic(self, title: str) -> None:
        ws = self.wb.create_sheet(title)
        self.title(ws, title, 3)
        self.kv_header(ws, 3)
        r = 4
        for key, hint in _words()["基本信息说明"].items():
            node = schema().children[key]
            self.kv_row(ws, r, key, node.leaf, self.data.get(key), hint)
            r += 1
        self.widths(ws, {1: 36, 2: 36, 3: 40})

    def kv_header(self, ws, r: int, key: str | None = None, value: str | None = None) -> None:
        heads = _words()["表头"]
        self.head(ws, r, 1, key or heads["键"])
        self.head(ws, r, 2, value or heads["值"])
        self.head(ws, r, 3, heads["说明"])

    def kv_row(self, ws, r: int, key: str, kind: str, value, note: str = "") -> None:
        self.text(ws, r, 1, key)
        self.typed(ws, r, 2, kind, value)
        c = ws.cell(r, 3, note or _kind_hint(kind, self.unit))
        c.font = self.st.note_font
        c.border = self.st.border

    # -- 双栏 ------------------------------------------------------------------------
    def two_sided(self, table: str, node: Node, value: dict) -> None:
        ws = self.wb.create_sheet(_sheet_name(table))
        inc_node, exp_node = node.children[_INCOME], node.children[_EXPENSE]
        exp_split = any(_child(exp_node, k).kind == "map" for k in exp_node.children)
        sub_cols = list(next(n for n in exp_node.children.values() if n.kind == "map").children) if exp_split else []
        ncols = 3 + 2 + (len(sub_cols) if exp_split else 1)
        self.title(ws, table, ncols)
        self.subtitle(ws, ncols)
        heads = _words()["表头"]
        self.head(ws, 3, 1, _INCOME, c2=3)
        self.head(ws, 3, 4, _EXPENSE, c2=ncols)
        self.head(ws, 4, 1, heads["键"])
        self.head(ws, 4, 2, heads["行次"])
        self.head(ws, 4, 3, heads["金额"])
        self.head(ws, 4, 4, heads["键"])
        self.head(ws, 4, 5, heads["行次"])
        if exp_split:
            for j, s in enumerate(sub_cols):
                self.head(ws, 4, 6 + j, s)
        else:
            self.head(ws, 4, 6, heads["金额"])

        def split(side: Node, total: str):
            names = list(side.children)
            k = names.index(total)
            return names[:k], names[k:]

        inc_items, inc_totals = split(inc_node, WORDS.income_total)
        exp_items_named, exp_totals = split(exp_node, WORDS.expense_total)
        classes = list(subjects()[WORDS.class_names].values())
        exp_items = exp_items_named + classes
        inc_rows: list[tuple[str, tuple]] = [(f"{cn_small(i + 1)}、{n}", (n,)) for i, n in enumerate(inc_items)]
        exp_rows: list[tuple[str, tuple]] = [(f"{cn_small(i + 1)}、{n}", (n,)) for i, n in enumerate(exp_items)]
        inc_tail: list[tuple[str, tuple]] = []
        for n in inc_totals:
            inc_tail.append((n, (n,)))
            sub = inc_node.children[n]
            if sub.kind == "map":
                for s in sub.children:
                    if s != _SUBTOTAL:
                        inc_tail.append(("　　" + s, (n, s)))
        exp_tail = [(n, (n,)) for n in exp_totals]
        body = max(len(inc_rows), len(exp_rows))
        tail = max(len(inc_tail), len(exp_tail))
        inc_tail = inc_tail[:-1] + [("", ())] * (tail - len(inc_tail)) + inc_tail[-1:]
        exp_tail = exp_tail[:-1] + [("", ())] * (tail - len(exp_tail)) + exp_tail[-1:]
        inc_all = inc_rows + [("", ())] * (body - len(inc_rows)) + inc_tail
        exp_all = exp_rows + [("", ())] * (body - len(exp_rows)) + exp_tail
        line_no = 0
        for side, rows, lc in ((_INCOME, inc_all, 1), (_EXPENSE, exp_all, 4)):
            side_node = inc_node if side == _INCOME else exp_node
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
                if side == _EXPENSE and exp_split:
                    for j, s in enumerate(sub_cols):
                        self.amount(ws, r, 6 + j, v.get(s) if isinstance(v, dict) else None)
                elif target is not None and target.kind == "map":
                    self.amount(ws, r, lc + 2, v.get(_SUBTOTAL) if isinstance(v, dict) else None)
                else:
                    self.amount(ws, r, lc + 2, v if not isinstance(v, dict) else None)
                if path and len(path) == 1 and path[0] in (WORDS.income_total, WORDS.expense_total, _GRAND):
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
        self.head(ws, hr, 1, _CODE, r2=last_h)
        self.head(ws, hr, 2, _NAME, r2=last_h)
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
        self.text(ws, r, 1, _TOTAL)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        ws.cell(r, 1).font = self.st.head_font
        ws.cell(r, 1).alignment = self.st.center
        tot = value.get(_TOTAL) or {}
        for j, cc in enumerate(canon_cols):
            self.amount(ws, r, 3 + j, tot.get(cc))
        rows = value.get(_ROWS) or []
        n = max(len(rows) + 10, 40)
        for i in range(n):
            rr = r + 1 + i
            row = rows[i] if i < len(rows) else {}
            self.text(ws, rr, 1, row.get(_CODE), code=True)
            self.text(ws, rr, 2, row.get(_NAME))
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
        groups = subjects()["基本支出分组"]
        econ = subjects()["经济分类科目名"]
        names = list(groups)
        ncols = 3 * len(names)
        self.title(ws, table, ncols)
        self.subtitle(ws, ncols)
        fig_rows = {r[_CODE]: r for r in value.get(_ROWS) or []}
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
                lst.append((code, fr.get(_NAME) or econ.get(code, ""), fr.get(WORDS.actual)))
            body.append(lst)
        # codes of no group (e.g. 307) go to the last group
        known = {c for lst in body for c, _, _ in lst}
        for code, fr in fig_rows.items():
            if code not in known:
                body[-1].append((code, fr.get(_NAME, ""), fr.get(WORDS.actual)))
        for g, gname in enumerate(names):
            c0 = 1 + 3 * g
            self.head(ws, 3, c0, gname, c2=c0 + 2)
            self.head(ws, 4, c0, _CODE)
            self.head(ws, 4, c0 + 1, _NAME)
            self.head(ws, 4, c0 + 2, WORDS.actual)
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
            label = subjects()["分组合计"].format(组=gname)
            self.text(ws, r, c0, label)
            ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c0 + 1)
            ws.cell(r, c0).font = self.st.head_font
            ws.cell(r, c0).alignment = self.st.center
            self.amount(ws, r, c0 + 2, value.get(label))
        if value.get(_TOTAL):
            self.text(ws, r + 1, 1, _TOTAL)
            ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=2)
            self.amount(ws, r + 1, 3, value[_TOTAL].get(WORDS.actual))
        widths = {}
        for g in range(len(names)):
            widths.update({1 + 3 * g: 12, 2 + 3 * g: 30, 3 + 3 * g: 16})
        self.widths(ws, widths)
        ws.freeze_panes = "A5"

    # -- 三公 ------------------------------------------------------------------------
    def sangong(self, table: str, node: Node, value: dict) -> None:
        ws = self.wb.create_sheet(_sheet_name(table))
        items = list(node.children[WORDS.budget].children)
        (car, car_parts), = _words()["三公分项"].items()
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
                    self.head(ws, 5, c, _SUBTOTAL)
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
    def kv_sheet(self, sheet: str, node: Node, value: dict, *, skip: tuple = ()) -> None:
        ws = self.wb.create_sheet(sheet)
        self.title(ws, _words()["表外标题"].format(表=sheet), 3)
        self.kv_header(ws, 3)
        r = 4
        rows = list(_flatten_all(node, value, skip=skip))
        for key, kind, v in rows:
            self.kv_row(ws, r, key, kind, v)
            r += 1
        self.widths(ws, {1: 44, 2: 20, 3: 30})
        ws.freeze_panes = "A4"

    def budget(self, sheet: str) -> None:
        node = schema().children[WORDS.opening_budget]
        value = self.data.get(WORDS.opening_budget) or {}
        ws = self.wb.create_sheet(sheet)
        self.title(ws, _words()["表外标题"].format(表=sheet), 3)
        self.kv_header(ws, 3, value=WORDS.opening_budget_amount)
        r = 4
        for key, child in node.children.items():
            if key == _ROWS:
                continue
            self.kv_row(ws, r, key, _AMT, value.get(key))
            r += 1
        r += 1
        self.head(ws, r, 1, _CODE)
        self.head(ws, r, 2, WORDS.opening_budget_amount)
        self.head(ws, r, 3, _NAME)
        r += 1
        names = _subject_names(self.data)
        codes = list((value.get(_ROWS) or {}).keys())
        for row in (self.data.get(_words()["年初预算科目取自"]) or {}).get(_ROWS) or []:
            if len(row[_CODE]) == 7 and row[_CODE] not in codes:
                codes.append(row[_CODE])
        n = max(len(codes) + 5, 20)
        for i in range(n):
            code = codes[i] if i < len(codes) else None
            self.text(ws, r + i, 1, code, code=True)
            self.amount(ws, r + i, 2, (value.get(_ROWS) or {}).get(code) if code else None)
            self.text(ws, r + i, 3, names.get(code) if code else None)
        self.widths(ws, {1: 36, 2: 18, 3: 36})

    def last_year(self, sheet: str) -> None:
        ws = self.wb.create_sheet(sheet)
        self.title(ws, _words()["上年标题"], 3)
        self.kv_header(ws, 3, key=_words()["表头"]["路径"])
        value = self.data.get(WORDS.prior_year) or {}
        got = list(_flatten_all(schema(), value, blanks=False))
        have = {k for k, _, _ in got}
        r = 4
        for p in _vocab().get("上年路径") or ():
            if p in have:
                continue
            segs = p.split(".")
            _, kind = _resolve(schema(), segs, _Cell(sheet, 0, 1, None), "<rules/workbook.yaml>")
            self.kv_row(ws, r, p, kind, None)
            r += 1
        for key, kind, v in got:
            self.kv_row(ws, r, key, kind, v)
            r += 1
        self.widths(ws, {1: 60, 2: 18, 3: 24})
        ws.freeze_panes = "A4"

    def projects(self, sheet: str) -> None:
        ws = self.wb.create_sheet(sheet)
        perf, ev, items = WORDS.performance, WORDS.project_eval, WORDS.projects
        item = schema().children[perf].children[ev].children[items].item
        projects = ((self.data.get(perf) or {}).get(ev) or {}).get(items) or []
        inds = list(_vocab().get("绩效指标") or [])
        for p in projects:
            for ind in p.get(_INDICATORS) or []:
                if ind[_IND_NAME] not in inds:
                    inds.append(ind[_IND_NAME])
        last = list(_words()["项目自评末列"])
        fields = [k for k in item.children if k != _INDICATORS and k not in last]
        cols: list[tuple[str, tuple]] = [(f, ("field", f)) for f in fields]
        for ind in inds:
            cols += [(f"{ind}{_WEIGHT}", ("ind", ind, _WEIGHT)), (f"{ind}{_SCORE}", ("ind", ind, _SCORE))]
        cols += [(f, ("field", f)) for f in last]
        self.title(ws, _words()["项目自评标题"], len(cols))
        for j, (h, _) in enumerate(cols):
            self.head(ws, 3, 1 + j, h)
        n = max(len(projects) + 5, 15)
        for i in range(n):
            p = projects[i] if i < len(projects) else {}
            ind_map = {x[_IND_NAME]: x for x in p.get(_INDICATORS) or []}
            for j, (h, spec) in enumerate(cols):
                if spec[0] == "field":
                    kind = item.children[spec[1]].leaf or _TEXT
                    self.typed(ws, 4 + i, 1 + j, kind, p.get(spec[1]))
                else:
                    self.typed(ws, 4 + i, 1 + j, _NUM, (ind_map.get(spec[1]) or {}).get(spec[2]))
        wide = set(_words()["项目自评宽列"])
        widths = {1 + j: (30 if h in wide else 12) for j, (h, _) in enumerate(cols)}
        self.widths(ws, widths)
        ws.freeze_panes = "B4"

    def notes(self, sheet: str) -> None:
        ws = self.wb.create_sheet(sheet)
        self.title(ws, _words()["文字说明标题"], 3)
        self.kv_header(ws, 3, key=_words()["表头"]["文字键"], value=_words()["表头"]["文字"])
        value = self.data.get(WORDS.notes) or {}
        flat = list(_flatten_text(value, ()))
        r = 4
        std = _vocab().get("文字说明键") or {}
        for key, hint in std.items():
            v = next((x for k, x in flat if k == key), None)
            self.text(ws, r, 1, key)
            self.typed(ws, r, 2, _FREE, v)
            c = ws.cell(r, 3, hint)
            c.font = self.st.note_font
            r += 1
        for key, v in flat:
            if key in std:
                continue
            self.text(ws, r, 1, key)
            self.typed(ws, r, 2, _FREE, v)
            r += 1
        for i in range(10):
            self.text(ws, r + i, 1, None)
            self.typed(ws, r + i, 2, _FREE, None)
        ws.cell(r + 10, 1, _words()["文字说明补充"]).font = self.st.note_font
        self.widths(ws, {1: 40, 2: 90, 3: 30})


def _sheet_name(table: str) -> str:
    bad = re.sub(r"[\[\]:*?/\\]", "", table)
    return bad[:31]


def _kind_hint(kind: str, unit: str | None) -> str:
    hint = _words()["类型提示"].get(kind, kind)
    if kind == _AMT and not unit:
        return kind
    return hint.format(单位=unit or "")


def _get(d: dict, path: tuple):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _subject_names(data: dict) -> dict[str, str]:
    names: dict[str, str] = {}
    for table, kind in _tables().items():
        if kind not in ("subject_table", "detail_table"):
            continue
        for row in (data.get(table) or {}).get(_ROWS) or []:
            if row.get(_NAME):
                names.setdefault(row[_CODE], row[_NAME])
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
        if node.leaf == _FREE and isinstance(value, dict):
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
            if child.kind == "list" and k == _INDICATORS:
                inds = v or []
                names_ = [x[_IND_NAME] for x in inds] or (list(_vocab().get("绩效指标") or []) if blanks else [])
                by = {x[_IND_NAME]: x for x in inds}
                for nm in names_:
                    for part in (_WEIGHT, _SCORE):
                        pv = (by.get(nm) or {}).get(part)
                        if pv is not None or blanks:
                            yield join(f"{nm}{part}"), _NUM, pv
                continue
            yield from _flatten_all(child, v, join(k), skip, path + (k,), blanks)
    elif node.kind == "table":
        value = value if isinstance(value, dict) else {}
        for col, v in (value.get(_TOTAL) or {}).items():
            yield join(f"{_TOTAL}.{col}"), _AMT, v
        for k in node.children:
            if k in value:
                yield join(k), _AMT, value[k]
        for row in value.get(_ROWS) or []:
            code = row[_CODE]
            if row.get(_NAME):
                yield join(f"{_ROWS}.{code}.{_NAME}"), _TEXT, row[_NAME]
            for col in node.columns:
                if col in row:
                    yield join(f"{_ROWS}.{code}.{col}"), _AMT, row[col]
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
