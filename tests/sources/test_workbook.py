"""Workbooks (.xlsx): the init-workbook layout, reading published layouts, exact numbers, errors."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from narrator.core.errors import InputError
from narrator.figures.model import figures_from_tree
from narrator.figures.load import load_figures
from narrator.figures.dump import dump_yaml, figures_to_tree
from narrator.sources.workbook import read_workbook, write_workbook
from narrator.core.yamlio import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024" / "figures.yaml"


@pytest.fixture(scope="module")
def sample():
    return load_figures(SAMPLE)


@pytest.fixture(scope="module")
def sample_book(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "sample.xlsx"
    write_workbook(sample, path)
    return path


def _diff(a, b, path=()):
    """First difference between two figure trees (None when equal, representation included)."""
    if type(a) is not type(b):
        return f"{path}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path + (k,)}: only in {'second' if k not in a else 'first'}"
            d = _diff(a[k], b[k], path + (k,))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _diff(x, y, path + (i,))
            if d:
                return d
        return None
    if a != b:
        return f"{path}: {a!r} vs {b!r}"
    return None


# ----------------------------------------------------------------------------------------
# an officer filling the empty workbook, finding cells by their labels
# ----------------------------------------------------------------------------------------
def _plain(text) -> str:
    t = str(text).replace("\u3000", "").replace(" ", "")
    return re.sub(r"^[一二三四五六七八九十]+、", "", t)


def _find(ws, text, col=None, rows=None):
    """(row, column) of the first cell whose label reads ``text``."""
    for row in ws.iter_rows():
        for c in row:
            if c.value is None or (col is not None and c.column != col):
                continue
            if rows is not None and c.row not in rows:
                continue
            if _plain(c.value) == text:
                return c.row, c.column
    raise AssertionError(f"{ws.title}: no cell {text!r}")


def _type(ws, r, c, value):
    """Type a value as an officer would: numbers as numbers, the rest as text."""
    cell = ws.cell(r, c)
    if isinstance(value, Decimal):
        places = -value.as_tuple().exponent
        if places > 2 and cell.number_format.endswith("0.00"):
            cell.number_format = "#,##0." + "0" * places   # show the third decimal as printed
        cell.value = int(value) if value == value.to_integral_value() and places <= 0 else float(value)
    else:
        cell.value = value


def _last_row(ws, col):
    return max((c.row for c in ws[openpyxl.utils.get_column_letter(col)] if c.value is not None), default=0)


def _flatten(d, prefix=""):
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            yield from _flatten(v, key)
        elif isinstance(v, list):
            assert not v, f"lists are not flattened: {key}"
        else:
            yield key, v


def _fill(path: Path, data: dict) -> None:
    wb = openpyxl.load_workbook(path)

    ws = wb["基本信息"]
    for key in ("单位", "年度", "金额单位"):
        r, _ = _find(ws, key, col=1)
        ws.cell(r, 2, data[key])

    # two-sided tables: 收入 labels in column A (amount in C), 支出 labels in column D
    ws = wb["收入支出决算总表"]
    for side, lc, vc in (("收入", 1, 3), ("支出", 4, 6)):
        for k, v in data["收入支出决算总表"][side].items():
            r, _ = _find(ws, k, col=lc)
            _type(ws, r, vc, v)
    ws = wb["财政拨款收入支出决算总表"]
    heads = {_plain(c.value): c.column for c in ws[4] if c.value}
    for k, v in data["财政拨款收入支出决算总表"]["收入"].items():
        r, _ = _find(ws, k, col=1)
        if isinstance(v, dict):   # 年初财政拨款结转和结余: 小计 on its row, its parts on the rows below
            _type(ws, r, 3, v["小计"])
            for part, pv in v.items():
                if part != "小计":
                    pr, _ = _find(ws, part, col=1, rows=range(r + 1, r + 4))
                    _type(ws, pr, 3, pv)
        else:
            _type(ws, r, 3, v)
    for k, v in data["财政拨款收入支出决算总表"]["支出"].items():
        r, _ = _find(ws, k, col=4)
        for part, pv in v.items():
            _type(ws, r, heads[part], pv)

    # 科目表: the 合计 row, then one row per 科目 below it
    shown = {"合计": "小计"}
    for table in ("收入决算表", "支出决算表", "一般公共预算财政拨款支出决算表", "国有资本经营预算财政拨款支出决算表"):
        ws = wb[table]
        hr, _ = _find(ws, "科目编码", col=1)
        tr, _ = _find(ws, "合计", col=1)
        heads = {}
        for r in range(hr, tr):
            heads.update({_plain(c.value): c.column for c in ws[r] if c.value})
        col = (lambda name: heads.get(name) or heads[shown[name]])
        value = data[table]
        for k, v in value["合计"].items():
            _type(ws, tr, col(k), v)
        for i, row in enumerate(value["科目"]):
            r = tr + 1 + i
            ws.cell(r, 1, row["科目编码"])
            ws.cell(r, 2, row["科目名称"])
            for k, v in row.items():
                if k not in ("科目编码", "科目名称"):
                    _type(ws, r, col(k), v)

    # 基本支出决算明细表: the 经济分类 rows are listed; fill the 决算数 beside each code
    ws = wb["一般公共预算财政拨款基本支出决算明细表"]
    value = data["一般公共预算财政拨款基本支出决算明细表"]
    for row in value["科目"]:
        r, c = _find(ws, row["科目编码"])
        ws.cell(r, c + 1, row["科目名称"])
        _type(ws, r, c + 2, row["决算数"])
    for key in ("人员经费合计", "公用经费合计"):
        r, c = _find(ws, key)
        _type(ws, r, c + 2, value[key])

    ws = wb["财政拨款“三公”经费支出决算表"]
    for group, items in data["财政拨款“三公”经费支出决算表"].items():
        _, g0 = _find(ws, group, rows=[3])
        for item, v in items.items():   # the item's header: row 4, or row 5 under 公务用车购置及运行维护费
            c = next(c for r in (4, 5) for c in range(g0, g0 + 6)
                     if _plain(ws.cell(r, c).value or "") == item)
            _type(ws, 6, c, v)

    # sheets of the figures outside the tables
    ws = wb["年初预算"]
    budget = data["年初预算"]
    for k, v in budget.items():
        if k != "科目":
            r, _ = _find(ws, k, col=1)
            _type(ws, r, 2, v)
    hr, _ = _find(ws, "科目编码", col=1)
    for i, (code, v) in enumerate(budget["科目"].items()):
        ws.cell(hr + 1 + i, 1, code)
        _type(ws, hr + 1 + i, 2, v)

    def key_values(sheet, flat):
        ws = wb[sheet]
        for key, v in flat:
            try:
                r, _ = _find(ws, key, col=1)
            except AssertionError:
                r = _last_row(ws, 1) + 1
                ws.cell(r, 1, key)
            _type(ws, r, 2, v)

    key_values("上年", _flatten(data["上年"]))
    for sheet in ("机关运行经费", "三公经费说明", "政府采购", "国有资产占用"):
        key_values(sheet, _flatten(data[sheet]))
    perf = data["预算绩效"]
    flat = [("项目自评.项目数", perf["项目自评"]["项目数"]), ("项目自评.涉及资金", perf["项目自评"]["涉及资金"])]
    for k, v in perf["整体支出"].items():
        if k == "指标":
            for ind in v:
                flat += [(f"整体支出.{ind['名称']}分值", ind["分值"]), (f"整体支出.{ind['名称']}得分", ind["得分"])]
        else:
            flat.append((f"整体支出.{k}", v))
    flat += [(f"再评价.{k}", v) for k, v in perf["再评价"].items()]
    key_values("预算绩效", flat)

    ws = wb["项目自评"]
    heads = {c.value: c.column for c in ws[3] if c.value}
    for i, p in enumerate(perf["项目自评"]["项目"]):
        r = 4 + i
        for k, v in p.items():
            if k == "指标":
                for ind in v:
                    _type(ws, r, heads[f"{ind['名称']}分值"], ind["分值"])
                    _type(ws, r, heads[f"{ind['名称']}得分"], ind["得分"])
            else:
                _type(ws, r, heads[k], v)

    key_values("文字说明", _flatten(data["文字说明"]))
    wb.save(path)


def test_officer_fills_the_empty_workbook(sample, tmp_path):
    path = tmp_path / "决算.xlsx"
    write_workbook(None, path)
    _fill(path, sample.data)
    got = read_workbook(path)
    assert got.data == sample.data, _diff(got.data, sample.data)
    assert not any(isinstance(v, float) for v in _leaves(got.data))
    assert str(got.data["收入支出决算总表"]["收入"]["一般公共预算财政拨款收入"]) == "11121.20"
    assert str(got.data["预算绩效"]["项目自评"]["项目"][7]["预算数"]) == "3.498"

    from narrator.render.engine import render

    assert render(got, "standard").text == render(sample, "standard").text


def _leaves(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    elif isinstance(x, list):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def test_empty_workbook_layout(tmp_path):
    path = tmp_path / "empty.xlsx"
    write_workbook(None, path)
    wb = openpyxl.load_workbook(path)
    assert {"基本信息", "收入支出决算总表", "一般公共预算财政拨款基本支出决算明细表", "上年", "年初预算",
            "三公经费说明", "政府采购", "国有资产占用", "预算绩效", "项目自评", "文字说明"} <= set(wb.sheetnames)
    ws = wb["收入支出决算总表"]
    labels = {_plain(c.value) for c in ws["A"] if c.value} | {_plain(c.value) for c in ws["D"] if c.value}
    for item in ("一般公共预算财政拨款收入", "其他收入", "本年收入合计", "社会保障和就业支出", "抗疫特别国债安排的支出",
                 "本年支出合计", "年末结转和结余", "总计"):
        assert item in labels
    r, c = _find(ws, "本年收入合计", col=1)
    assert ws.cell(r, 3).number_format == "#,##0.00"
    ws = wb["一般公共预算财政拨款基本支出决算明细表"]
    codes = {c.value for col in ("A", "D") for c in ws[col] if c.value}
    assert {"30101", "30239", "31099", "人员经费合计", "公用经费合计"} <= codes
    # an empty workbook is not yet figures: the message says to fill it in first
    with pytest.raises(InputError, match="请先填好工作簿"):
        read_workbook(path)


def test_write_then_read_is_exact(sample, sample_book):
    got = read_workbook(sample_book)
    assert _diff(got.data, sample.data) is None
    # the very same Decimals, representation included (3.498 keeps its third decimal)
    assert [str(p["预算数"]) for p in got.data["预算绩效"]["项目自评"]["项目"]][7] == "3.498"
    assert str(got.data["预算绩效"]["整体支出"]["执行率"]) == "72.00"
    assert got.data["国有资产占用"]["截至日期"] == dt.date(2024, 12, 31)


def test_write_then_read_every_kind_of_figure(sample, tmp_path):
    """上年 with 科目 rows, lists and indicators; texts with line breaks and digits; an extra 合计 row."""
    tree = figures_to_tree(sample)
    tree["上年"]["支出决算表"] = {"合计": {"本年支出合计": Decimal("15568.86")},
                              "科目": [{"科目编码": "2080101", "科目名称": "行政运行",
                                      "本年支出合计": Decimal("1500.10"), "基本支出": Decimal("1000")}]}
    tree["上年"]["机关运行经费"] = {"决算数": Decimal("160.5")}
    tree["上年"]["预算绩效"] = {"整体支出": {"自评得分": Decimal("90.5"),
                                        "指标": [{"名称": "产出指标", "分值": Decimal("20"), "得分": Decimal("19.5")}]},
                              "项目自评": {"项目": [{"项目名称": "甲", "预算数": Decimal("1.00"),
                                                 "执行数": Decimal("0.90")}]}}
    tree["上年"]["文字说明"] = {"科目说明": {"2080101": {"差异原因": "人员增加"}}}
    tree["一般公共预算财政拨款基本支出决算明细表"]["合计"] = {"决算数": Decimal("1699.44")}
    tree["文字说明"]["支出用途"]["住房保障支出"] = "第一行\n\n  第三行: 缩进, 冒号 # 井号"
    tree["文字说明"]["车辆说明"] = "123"
    tree["三公经费说明"]["外宾接待支出"] = Decimal("-0.50")
    fig = figures_from_tree(tree, "tree")
    path = tmp_path / "all.xlsx"
    write_workbook(fig, path)
    got = read_workbook(path)
    assert _diff(got.data, fig.data) is None
    again = figures_from_tree(parse_yaml(dump_yaml(got), "x.yaml"), "x.yaml")
    assert _diff(again.data, fig.data) is None


def test_load_figures_dispatches_xlsx(sample, sample_book):
    assert load_figures(sample_book).data == sample.data


def test_draft_from_workbook_equals_draft_from_yaml(sample, sample_book):
    from narrator.render.engine import render

    assert render(read_workbook(sample_book), "standard").text == render(sample, "standard").text


def test_dump_yaml_round_trip(sample, sample_book):
    fig = read_workbook(sample_book)
    text = dump_yaml(fig)
    assert '科目编码: "2080101"' in text
    assert "一般公共预算财政拨款收入: 11121.20" in text
    assert '"2080101": 1783.76' in text          # code keys quoted
    again = figures_from_tree(parse_yaml(text, "x.yaml"), "x.yaml")
    assert _diff(again.data, sample.data) is None
    assert dump_yaml(again).splitlines()[1:] == text.splitlines()[1:]
    tree = figures_to_tree(fig)
    assert "科目" not in tree["上年"]["一般公共预算财政拨款支出决算表"]


# ----------------------------------------------------------------------------------------
# published layouts
# ----------------------------------------------------------------------------------------
def _totals_sheet(ws, top=1, title="收入支出决算总表", unit="金额单位：万元"):
    """A small 收入支出决算总表 at row ``top``; returns the next free row."""
    ws.cell(top, 1, title)
    ws.cell(top + 1, 1, "编制单位：测试局")
    ws.cell(top + 1, 6, unit)
    ws.cell(top + 2, 1, "收入")
    ws.cell(top + 2, 4, "支出")
    for c, t in enumerate(["项目", "行次", "金额", "项目", "行次", "金额"], 1):
        ws.cell(top + 3, c, t)
    rows = [("一、一般公共预算财政拨款收入", 1, 100.5, "一、一般公共服务支出", 9, 60.25),
            ("二、其他收入", 2, "20.00", "二、教育支出", 10, 60.25),
            ("本年收入合计", 3, 120.5, "本年支出合计", 11, 120.5),
            ("使用非财政拨款结余(含专用结余)", 4, None, "结余分配", 12, None),
            ("年初结转和结余", 5, 1, "年末结转和结余", 13, 1),
            ("总计", 6, 121.5, "总计", 14, 121.5)]
    for i, row in enumerate(rows):
        for c, v in enumerate(row, 1):
            ws.cell(top + 4 + i, c, v)
    return top + 4 + len(rows) + 1


def test_split_codes_and_aliases(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "总表"
    _totals_sheet(ws, title="测试局2024年度收入支出决算总表")

    ws = wb.create_sheet("Sheet2")
    ws["A1"] = "一般公共预算财政拨款支出决算表"
    ws["A3"] = "科目编码"
    ws.merge_cells("A3:C3")
    ws["D3"] = "科目名称"
    ws.merge_cells("D3:D4")
    ws["E3"] = "本年支出"
    ws.merge_cells("E3:G3")
    for c, t in zip("ABCEFG", ["类", "款", "项", "小计", "基本支出", "项目支出"]):
        ws[f"{c}4"] = t
    ws["A5"] = "栏次"
    for c, n in zip("EFG", [1, 2, 3]):
        ws[f"{c}5"] = n
    ws["A6"] = "合计"
    ws.merge_cells("A6:D6")
    ws["E6"], ws["F6"], ws["G6"] = 120.5, 100.5, 20
    data = [("205", None, None, "教育支出", 60.25), (None, "01", None, "教育管理事务", 60.25),
            (None, None, 1, "行政运行", 60.25), (201, 3, None, "政府办公厅(室)及相关机构事务", 60.25),
            (201, 3, 1, "行政运行", 60.25)]
    for i, (a, b, c, name, amt) in enumerate(data):
        r = 7 + i
        ws.cell(r, 1, a), ws.cell(r, 2, b), ws.cell(r, 3, c), ws.cell(r, 4, name), ws.cell(r, 5, amt)
    ws.cell(12, 1, "注：本表反映部门本年度一般公共预算财政拨款实际支出情况。")

    ws = wb.create_sheet("基本支出")
    ws["A1"] = "一般公共预算财政拨款基本支出决算表"       # the schema's alias of the 明细表
    ws["A2"] = "人员经费"
    ws["D2"] = "公用经费"
    for c, t in enumerate(["科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"], 1):
        ws.cell(3, c, t)
    ws.append(["301", "工资福利支出", 50, "302", "商品和服务支出", 10.5])
    ws.append(["30101", "基本工资", 50, "30201", "办公费", 10.5])
    ws.append(["人员经费合计", None, 50, "公用经费合计", None, 10.5])

    ws = wb.create_sheet("三公")
    ws["A1"] = "财政拨款\"三公\"经费支出决算表"                 # half-width quotes
    ws["A3"], ws["C3"] = "预算数", "决算数"
    ws.merge_cells("A3:B3")
    ws.merge_cells("C3:D3")
    ws["A4"], ws["B4"], ws["C4"], ws["D4"] = "合计", "因公出国(境)费", "合计", "因公出国(境)费"
    ws["A5"], ws["B5"], ws["C5"], ws["D5"] = 2, 2, 1.5, 1.5
    path = tmp_path / "variants.xlsx"
    wb.save(path)

    fig = read_workbook(path)
    d = fig.data
    assert d["单位"] == "测试局" and d["年度"] == 2024 and d["金额单位"] == "万元"
    total = d["收入支出决算总表"]
    assert total["收入"]["其他收入"] == Decimal("20.00")
    assert str(total["收入"]["年初结转和结余"]) == "1.00"
    assert total["支出"]["教育支出"] == Decimal("60.25")
    table = d["一般公共预算财政拨款支出决算表"]
    assert table["合计"] == {"合计": Decimal("120.50"), "基本支出": Decimal("100.50"), "项目支出": Decimal("20.00")}
    assert [r["科目编码"] for r in table["科目"]] == ["205", "20501", "2050101", "20103", "2010301"]
    assert table["科目"][3]["科目名称"] == "政府办公厅(室)及相关机构事务"
    detail = d["一般公共预算财政拨款基本支出决算明细表"]
    assert [r["科目编码"] for r in detail["科目"]] == ["301", "30101", "302", "30201"]
    assert detail["人员经费合计"] == Decimal("50.00") and detail["公用经费合计"] == Decimal("10.50")
    sg = d["财政拨款“三公”经费支出决算表"]
    assert sg == {"预算数": {"合计": Decimal("2.00"), "因公出国（境）费": Decimal("2.00")},
                  "决算数": {"合计": Decimal("1.50"), "因公出国（境）费": Decimal("1.50")}}


def test_several_tables_on_one_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "决算公开表"
    r = _totals_sheet(ws, title="测试局2024年度收入支出决算总表")
    ws.cell(r, 1, "测试局2024年度收入决算表")
    ws.cell(r + 1, 7, "单位：万元")
    heads = ["科目编码", "科目名称", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入",
             "附属单位上缴收入", "其他收入"]
    for c, t in enumerate(heads, 1):
        ws.cell(r + 2, c, t)
    ws.cell(r + 3, 1, "合计")
    ws.cell(r + 3, 3, 120.5)
    ws.cell(r + 3, 4, 100.5)
    ws.cell(r + 3, 9, 20)
    ws.cell(r + 4, 1, "2050101 行政运行")                         # code and name in one cell
    ws.cell(r + 4, 3, "120.50")
    r2 = r + 7
    ws.cell(r2, 1, "测试局2024年度支出决算表")
    for c, t in enumerate(["科目编码", "科目名称", "合计", "基本支出", "项目支出"], 1):   # 合计: 本年支出合计
        ws.cell(r2 + 1, c, t)
    ws.cell(r2 + 2, 1, "合计")
    ws.cell(r2 + 2, 3, 120.5)
    ws.cell(r2 + 2, 4, 120.5)
    ws.cell(r2 + 3, 1, 2050101)                                   # a code typed as a number
    ws.cell(r2 + 3, 2, "行政运行")
    ws.cell(r2 + 3, 3, 120.5)
    ws.cell(r2 + 3, 4, "—")                                        # a dash: no amount
    ws.cell(r2 + 4, 1, "注：本表反映部门本年度各项支出情况。")
    r2 += 6
    ws.cell(r2, 1, "财政拨款“三公”经费支出决算表")
    ws.cell(r2 + 2, 2, "预算数")
    ws.cell(r2 + 2, 3, "决算数")
    ws.cell(r2 + 3, 1, "公务接待费")                               # transposed: items as rows
    ws.cell(r2 + 3, 2, 0.3)
    ws.cell(r2 + 3, 3, 0.27)
    path = tmp_path / "stacked.xlsx"
    wb.save(path)
    d = read_workbook(path).data
    assert d["收入支出决算总表"]["收入"]["本年收入合计"] == Decimal("120.50")
    assert d["收入决算表"]["合计"]["其他收入"] == Decimal("20.00")
    assert d["收入决算表"]["科目"] == [{"科目编码": "2050101", "科目名称": "行政运行", "本年收入合计": Decimal("120.50")}]
    assert d["支出决算表"] == {"合计": {"本年支出合计": Decimal("120.50"), "基本支出": Decimal("120.50")},
                          "科目": [{"科目编码": "2050101", "科目名称": "行政运行", "本年支出合计": Decimal("120.50")}]}
    assert d["财政拨款“三公”经费支出决算表"] == {"预算数": {"公务接待费": Decimal("0.30")},
                                          "决算数": {"公务接待费": Decimal("0.27")}}


def test_numbers_follow_the_displayed_format(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    _totals_sheet(ws)
    ws["C5"] = 100.49999999999999          # binary noise from a sum: shown as 100.50
    ws["C5"].number_format = "#,##0.00"
    ws["C6"] = "1,020.00"                  # text with a thousands separator
    ws["F5"] = 60.125
    ws["F5"].number_format = "0.000"       # three decimals shown, three read
    info = wb.create_sheet("基本信息")
    info.append(["项目", "数值"])
    info.append(["年度", 2024])
    perf = wb.create_sheet("预算绩效")
    perf.append(["项目", "数值"])
    perf.append(["整体支出.执行率", 0.72])
    perf["B2"].number_format = "0.00%"     # 72.00%
    perf.append(["整体支出.自评得分", 93.7])
    path = tmp_path / "formats.xlsx"
    wb.save(path)
    d = read_workbook(path).data
    assert str(d["收入支出决算总表"]["收入"]["一般公共预算财政拨款收入"]) == "100.50"
    assert str(d["收入支出决算总表"]["收入"]["其他收入"]) == "1020.00"
    assert str(d["收入支出决算总表"]["支出"]["一般公共服务支出"]) == "60.125"
    assert str(d["预算绩效"]["整体支出"]["执行率"]) == "72.00"
    assert str(d["预算绩效"]["整体支出"]["自评得分"]) == "93.7"


# ----------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------
def test_missing_totals_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收入决算表"
    ws.append(["收入决算表"])
    ws.append(["科目编码", "科目名称", "本年收入合计"])
    ws.append(["2080101", "行政运行", 10])
    path = tmp_path / "no-total.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="工作簿中没有收入支出决算总表"):
        read_workbook(path)


def _cell_of(path, sheet, code, header):
    ws = openpyxl.load_workbook(path)[sheet]
    r, c = _find(ws, code, col=1)
    _, hc = _find(ws, header)
    return f"{openpyxl.utils.get_column_letter(hc)}{r}"


def test_text_in_an_amount_cell_names_sheet_and_cell(sample_book, tmp_path):
    ref = _cell_of(sample_book, "收入决算表", "2080101", "本年收入合计")
    wb = openpyxl.load_workbook(sample_book)
    wb["收入决算表"][ref] = "abc"
    path = tmp_path / "abc.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_workbook(path)
    assert f"工作表“收入决算表”{ref} 格：应为金额，实为 'abc'" in str(e.value)
    assert e.value.file == str(path)


def test_malformed_code_names_the_cell(sample_book, tmp_path):
    wb = openpyxl.load_workbook(sample_book)
    ws = wb["支出决算表"]
    r, _ = _find(ws, "2080101", col=1)
    ws.cell(r, 1, "20801O1")
    path = tmp_path / "code.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=rf"工作表“支出决算表”A{r} 格：科目编码 '20801O1' 有误"):
        read_workbook(path)
    ws.cell(r, 1, "208011")
    wb.save(path)
    with pytest.raises(InputError, match=rf"A{r} 格：功能分类科目编码 '208011' 有误"):
        read_workbook(path)


def test_unknown_row_label_names_the_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    _totals_sheet(ws)
    ws["A6"] = "二、其它收入"
    path = tmp_path / "label.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=r"A6 格：收入支出决算总表收入方不认识的行“其它收入”；是否应为“其他收入”"):
        read_workbook(path)


def test_truncated_file(sample_book, tmp_path):
    data = sample_book.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"不是 xlsx 工作簿（已损坏或不完整？）"):
        read_workbook(path)


def test_damaged_package(sample_book, tmp_path):
    path = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(sample_book) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/workbook.xml":
                dst.writestr(item, src.read(item))
    with pytest.raises(InputError, match="不是 xlsx 工作簿"):
        read_workbook(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="文件是空的"):
        read_workbook(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="没有此文件"):
        read_workbook(tmp_path / "nope.xlsx")


def test_password_protected_and_old_xls(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    enc = tmp_path / "locked.xlsx"
    enc.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64)
    with pytest.raises(InputError, match="工作簿设了密码"):
        read_workbook(enc)
    old = tmp_path / "old.xlsx"
    old.write_bytes(ole + "Workbook".encode("utf-16-le") + b"\0" * 64)
    with pytest.raises(InputError, match=r"不是 \.xls 工作簿"):   # read as .xls since issue 15
        read_workbook(old)


def test_formula_without_saved_value(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    _totals_sheet(ws)
    ws["C7"] = "=C5+C6"                    # openpyxl saves no computed value
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="C7 格：是公式但没有保存计算结果"):
        read_workbook(path)


def test_two_copies_of_a_table(tmp_path):
    wb = openpyxl.Workbook()
    _totals_sheet(wb.active)
    _totals_sheet(wb.create_sheet("副本"))
    path = tmp_path / "twice.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="又一张收入支出决算总表"):
        read_workbook(path)


def test_unit_conflict(tmp_path):
    wb = openpyxl.Workbook()
    _totals_sheet(wb.active, unit="金额单位：元")
    info = wb.create_sheet("基本信息")
    info.append(["项目", "数值"])
    info.append(["金额单位", "万元"])
    path = tmp_path / "unit.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="金额单位 元 与“基本信息”表中的金额单位 万元 不同"):
        read_workbook(path)


def test_unknown_key_on_an_extra_sheet(tmp_path):
    wb = openpyxl.Workbook()
    _totals_sheet(wb.active)
    ws = wb.create_sheet("政府采购")
    ws.append(["项目", "数值"])
    ws.append(["货物采购", 3])                   # an alias: fine
    ws.append(["服务采够", 2])                   # a typo
    path = tmp_path / "kv.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=r"工作表“政府采购”A3 格：“政府采购”下没有“服务采够”；是否应为"):
        read_workbook(path)


def test_published_fiscal_totals_table(tmp_path):
    """财政拨款收入支出决算总表 as exported: 栏次 row, 合计 for 小计, the parts of 年初 on their own rows."""
    wb = openpyxl.Workbook()
    _totals_sheet(wb.active)
    ws = wb.create_sheet("公开04表")
    ws["A1"] = "测试局2024年度财政拨款收入支出决算总表"
    ws["I2"] = "金额单位：万元"
    ws.append(["收入", None, None, "支出"])
    ws.append(["项目", "行次", "金额", "项目", "行次", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款",
               "国有资本经营预算财政拨款"])
    ws.append(["栏次", None, 1, "栏次", None, 2, 3, 4, 5])
    ws.append(["一、一般公共预算财政拨款", 1, 100.5, "一、一般公共服务支出", 33, 100.5, 100.5])
    ws.append(["二、政府性基金预算财政拨款", 2, None, "二、教育支出", 34, 20, None, None, 20])
    ws.append(["三、国有资本经营预算财政拨款", 3, 20])
    ws.append(["本年收入合计", 4, 120.5, "本年支出合计", 35, 120.5, 100.5, None, 20])
    ws.append(["年初财政拨款结转和结余", 5, 1, "年末财政拨款结转和结余", 36, 1, 1])
    ws.append(["  一般公共预算财政拨款", 6, 1])
    ws.append(["  政府性基金预算财政拨款", 7, None])
    ws.append(["总计", 8, 121.5, "总计", 37, 121.5, 101.5, None, 20])
    path = tmp_path / "fiscal.xlsx"
    wb.save(path)
    d = read_workbook(path).data["财政拨款收入支出决算总表"]
    D = Decimal
    assert d["收入"] == {"一般公共预算财政拨款": D("100.50"), "国有资本经营预算财政拨款": D("20.00"),
                       "本年收入合计": D("120.50"),
                       "年初财政拨款结转和结余": {"小计": D("1.00"), "一般公共预算财政拨款": D("1.00")},
                       "总计": D("121.50")}
    assert d["支出"]["教育支出"] == {"小计": D("20.00"), "国有资本经营预算财政拨款": D("20.00")}
    assert d["支出"]["总计"] == {"小计": D("121.50"), "一般公共预算财政拨款": D("101.50"),
                               "国有资本经营预算财政拨款": D("20.00")}


def test_no_department_name(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    _totals_sheet(ws)
    ws["A2"] = None
    info = wb.create_sheet("基本信息")
    info.append(["项目", "数值"])
    info.append(["年度", 2024])
    path = tmp_path / "nodept.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="没有填单位名称.*基本信息"):
        read_workbook(path)


def test_unit_must_be_known(tmp_path):
    wb = openpyxl.Workbook()
    _totals_sheet(wb.active, unit="")
    info = wb.create_sheet("基本信息")
    info.append(["项目", "数值"])
    info.append(["金额单位", "千元"])
    path = tmp_path / "unit.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="工作表“基本信息”B2 格：金额单位 应为 元、万元、亿元 之一，实为“千元”"):
        read_workbook(path)
