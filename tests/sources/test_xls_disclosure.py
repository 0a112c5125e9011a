"""A whole disclosure delivered as an old binary workbook (.xls, tables and text in a sheet) is read
like the same disclosure as text; `batch` lists .xls workbooks of figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from narrator.batch.plan import find_figures, iter_sources
from narrator.pipeline import check_file
from narrator.sources.documents import load_document

xlwt = pytest.importorskip("xlwt")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"
AMOUNT = re.compile(r"-?\d[\d,]*\.\d\d")


def disclosure_as_xls(text: str, dst: Path) -> None:
    """Each line a row, each tab-separated cell a cell; amounts as numbers shown with two decimals."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("部门决算公开")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    r = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        for c, cell in enumerate(line.split("\t")):
            if AMOUNT.fullmatch(cell.strip()):
                sheet.write(r, c, float(cell.replace(",", "")), money)
            elif cell:
                sheet.write(r, c, cell)
        r += 1
    book.save(str(dst))


def _findings(result) -> list[tuple]:
    """Each finding's code, severity and words; amounts without thousands commas (the sheet shows none)."""
    return sorted(tuple(x.replace(",", "") for x in (f.code, f.severity, f.message, f.found or "", f.expected or ""))
                  for f in result.findings)


def _text_and_xls(tmp_path: Path) -> tuple[str, Path, Path]:
    """The sample disclosure as a text file and as an .xls written from it. A sheet gives back no
    blank row and no empty cell at a row's end: the text is the sample without its blank lines
    and trailing tabs."""
    text = "\n".join(ln.rstrip("\t") for ln in (SAMPLE / "disclosure.txt").read_text(encoding="utf-8").splitlines()
                     if ln.strip())
    txt = tmp_path / "disclosure.txt"
    txt.write_text(text + "\n", encoding="utf-8")
    xls = tmp_path / "disclosure.xls"
    disclosure_as_xls(text, xls)
    return text, txt, xls


def test_xls_disclosure_is_checked_like_its_text(tmp_path):
    _text, txt, xls = _text_and_xls(tmp_path)
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"       # a real BIFF file
    doc = load_document(xls)
    assert doc.kind == "xls"
    assert any(line.startswith("本年收入合计\t27\t11301.20\t本年支出合计\t59\t11301.20\t")
               for line in doc.text.splitlines())          # 11,301.20 stored as a number, shown 0.00
    from_text = check_file(txt, None, "standard")
    from_xls = check_file(xls, None, "standard")
    assert from_xls.findings and _findings(from_xls) == _findings(from_text)
    assert {f.code for f in from_xls.findings if f.code.startswith("T")} == \
        {f.code for f in from_text.findings if f.code.startswith("T")}


def test_batch_lists_xls_workbooks_of_figures(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"")
    (tmp_path / "b.yaml").write_text("x: 1", encoding="utf-8")
    (tmp_path / "c.txt").write_text("正文", encoding="utf-8")
    names = sorted(Path(p).name for p, _rel in iter_sources([str(tmp_path)], "validate"))
    assert names == ["a.xls", "b.yaml"]
    text = tmp_path / "a.txt"
    text.write_text("正文", encoding="utf-8")
    assert find_figures(text, "a.txt", None) == tmp_path / "a.xls"


def test_extract_and_validate_read_the_tables_of_an_xls_disclosure(tmp_path):
    from narrator.figures.dump import figures_to_tree
    from narrator.pipeline import load_any_figures

    _text, txt, xls = _text_and_xls(tmp_path)
    tree = figures_to_tree(load_any_figures(xls))
    assert tree == figures_to_tree(load_any_figures(txt))
    assert tree["单位"] == "区人社局" and "支出决算表" in tree


def test_a_workbook_of_figures_with_a_bad_row_keeps_its_error(tmp_path):
    # not a whole disclosure (no 情况说明): the workbook reader's own message stands
    from narrator.core.errors import InputError
    from narrator.pipeline import load_any_figures

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("收入支出决算总表")
    for r, row in enumerate([["收入支出决算总表"], ["项目", "决算数", "项目", "决算数"],
                             ["一般公共预算财政拨款收入啊啊", 1.0, "一般公共服务支出", 1.0]]):
        for c, v in enumerate(row):
            sheet.write(r, c, v)
    path = tmp_path / "figures.xls"
    book.save(str(path))
    with pytest.raises(InputError) as e:
        load_any_figures(path)
    assert str(path) in str(e.value) and "\n" not in str(e.value)
