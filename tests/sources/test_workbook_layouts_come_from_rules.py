"""How each kind of table is laid out in a workbook is rules/workbook.yaml 版式 (table type →
the code that reads and writes it): a layout changed there changes the written workbook, and a
layout no code knows is refused."""

from __future__ import annotations

import openpyxl

from conftest import ROOT
from rules_copy import run_with_rules
from narrator.core.yamlio import load_rule_file
from narrator.sources.workbook import write_workbook

DETAIL = "一般公共预算财政拨款基本支出决算明细表"
WRITE_DETAIL = f"""
    import openpyxl
    from narrator.sources.workbook import write_workbook
    try:
        write_workbook(None, "w.xlsx")
        ws = openpyxl.load_workbook("w.xlsx")[{DETAIL!r}]
        out["texts"] = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    except ValueError as e:
        out["error"] = str(e)
"""


def test_every_table_type_has_a_layout_and_every_layout_is_used():
    layouts = load_rule_file(ROOT / "rules" / "workbook.yaml")["版式"]
    types = {t["类型"] for t in load_rule_file(ROOT / "rules" / "决算表.yaml")["表"]}
    assert set(layouts) == types
    assert set(layouts.values()) == {"two_sided", "subject_table", "detail_table", "three_public"}


def test_the_detail_table_written_by_its_layout(tmp_path):
    write_workbook(None, tmp_path / "shipped.xlsx")
    shipped = [c.value for row in openpyxl.load_workbook(tmp_path / "shipped.xlsx")[DETAIL].iter_rows()
               for c in row if isinstance(c.value, str)]
    assert "人员经费合计" in shipped                        # the column groups of 基本支出分组
    plain = run_with_rules(tmp_path / "plain", {"workbook.yaml": [("明细表: detail_table", "明细表: subject_table")]},
                           WRITE_DETAIL)["texts"]
    assert "人员经费合计" not in plain and "科目编码" in plain    # one row per code, as a 科目表
    refused = run_with_rules(tmp_path / "bad", {"workbook.yaml": [("三公: three_public", "三公: 三栏")]}, WRITE_DETAIL)
    assert "三栏" in refused["error"] and "three_public" in refused["error"]
