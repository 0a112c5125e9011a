"""write_workbook: the published layout, empty for an officer to fill or filled from Figures."""

from __future__ import annotations

import io
import re
from dataclasses import field
from decimal import Decimal
from pathlib import Path

from narrator.core.textio import atomic_write
from narrator.figures.model import Figures, Node, schema, subjects
from narrator.sources.workbook.sheets import _Cell, _child, _n, _tables, _vocab
from narrator.sources.workbook.tables import _column_map, _resolve


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
