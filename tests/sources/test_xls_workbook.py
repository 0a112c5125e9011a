"""Old binary Excel workbooks (.xls, BIFF): read like the .xlsx they were saved from.

The .xls is made here from the .xlsx that ``narrator convert`` writes, with xlwt (a test-only
writer): every cell's value, number format and merged range is copied."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from narrator.cli.main import main
from narrator.core.errors import InputError
from narrator.figures.dump import figures_to_tree
from narrator.figures.load import load_figures
from narrator.sources.workbook import read_workbook

xlwt = pytest.importorskip("xlwt")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"


def xlsx_to_xls(src: Path, dst: Path) -> None:
    """Copy an .xlsx's worksheets (values, number formats, merged ranges) into an .xls."""
    wb = openpyxl.load_workbook(src, data_only=True)
    out = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, object] = {}
    for ws in wb.worksheets:
        sh = out.add_sheet(ws.title[:31], cell_overwrite_ok=True)
        merged = {}
        for rng in ws.merged_cells.ranges:
            merged[(rng.min_row, rng.min_col)] = rng
        skip = {(r, c) for rng in merged.values()
                for r in range(rng.min_row, rng.max_row + 1)
                for c in range(rng.min_col, rng.max_col + 1)} - set(merged)
        for row in ws.iter_rows():
            for c in row:
                if c.value is None or (c.row, c.column) in skip:
                    continue
                fmt = c.number_format or "General"
                if fmt not in styles:
                    styles[fmt] = xlwt.easyxf(num_format_str=fmt)
                v = c.value
                if isinstance(v, dt.datetime) and fmt == "General":
                    fmt = "yyyy-mm-dd"
                    styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                rng = merged.get((c.row, c.column))
                if rng is not None:
                    sh.write_merge(rng.min_row - 1, rng.max_row - 1, rng.min_col - 1, rng.max_col - 1,
                                   v, styles[fmt])
                else:
                    sh.write(c.row - 1, c.column - 1, v, styles[fmt])
    out.save(str(dst))


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("xls")
    xlsx = d / "figures.xlsx"
    with pytest.raises(SystemExit) as e:
        main(["convert", str(SAMPLE / "figures.yaml"), "-o", str(xlsx)])
    assert e.value.code in (0, None)
    xls = d / "figures.xls"
    xlsx_to_xls(xlsx, xls)
    return xlsx, xls


def test_xls_copy_of_the_sample_workbook_reads_the_same_figures(books):
    xlsx, xls = books
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    a = figures_to_tree(read_workbook(xlsx))
    b = figures_to_tree(read_workbook(xls))
    assert json.dumps(b, ensure_ascii=False, default=repr) == json.dumps(a, ensure_ascii=False, default=repr)
    assert figures_to_tree(load_figures(xls)) == figures_to_tree(load_figures(SAMPLE / "figures.yaml"))


def test_convert_extract_and_check_take_an_xls(books, tmp_path, capsys):
    xlsx, xls = books
    outs = {}
    for src in (xlsx, xls):
        y = tmp_path / f"{src.suffix[1:]}.yaml"
        with pytest.raises(SystemExit) as e:
            main(["convert", str(src), "-o", str(y)])
        assert e.value.code in (0, None)
        outs[src.suffix] = _body(y.read_text(encoding="utf-8"))
    assert outs[".xls"] == outs[".xlsx"]

    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(["extract", str(xls)])
    assert e.value.code in (0, None)
    assert _body(capsys.readouterr().out) == outs[".xlsx"]

    codes = {}
    for src in (SAMPLE / "figures.yaml", xlsx, xls):
        with pytest.raises(SystemExit) as e:
            main(["check", str(SAMPLE / "narrative.txt"), "--figures", str(src), "-f", "json"])
        got = json.loads(capsys.readouterr().out)
        codes[src.suffix] = (e.value.code, [(f["code"], f.get("message")) for f in got["findings"]])
    assert codes[".xls"] == codes[".xlsx"]
    # the same findings as from the YAML (a workbook has no line numbers to order them by)
    assert codes[".xls"][0] == codes[".yaml"][0]
    assert sorted(codes[".xls"][1]) == sorted(codes[".yaml"][1])


def _body(yaml_text: str) -> str:
    """The YAML without its heading comment (which names the file converted)."""
    return "\n".join(x for x in yaml_text.splitlines() if not x.startswith("#"))


def test_number_formats_of_an_xls_are_honoured(tmp_path):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("收入支出决算总表")
    rows = [["收入支出决算总表"], ["编制单位：某局", "", "", "金额单位：万元"],
            ["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"]]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v:
                ws.write(r, c, v)
    two = xlwt.easyxf(num_format_str="#,##0.00")
    ws.write(4, 0, "一般公共预算财政拨款收入")
    ws.write(4, 1, 100.49999999999999, two)
    ws.write(4, 2, "一般公共服务支出")
    ws.write(4, 3, 100.5, two)
    ws.write(5, 0, "本年收入合计")
    ws.write(5, 1, 100.5, two)
    ws.write(5, 2, "本年支出合计")
    ws.write(5, 3, 100.5, two)
    info = wb.add_sheet("基本信息")
    info.write(0, 0, "项目")
    info.write(0, 1, "数值")
    info.write(1, 0, "年度")
    info.write(1, 1, 2024)
    perf = wb.add_sheet("预算绩效")
    perf.write(0, 0, "项目")
    perf.write(0, 1, "数值")
    perf.write(1, 0, "整体支出.执行率")
    perf.write(1, 1, 0.72, xlwt.easyxf(num_format_str="0.00%"))
    path = tmp_path / "formats.xls"
    wb.save(str(path))
    d = read_workbook(path).data
    assert str(d["收入支出决算总表"]["收入"]["一般公共预算财政拨款收入"]) == "100.50"
    assert str(d["预算绩效"]["整体支出"]["执行率"]) == "72.00"
    assert d["单位"] == "某局" and d["年度"] == 2024


def test_damaged_xls_is_one_input_error(tmp_path):
    bad = tmp_path / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    with pytest.raises(InputError, match=r"不是 \.xls 工作簿"):
        read_workbook(bad)
