"""The table vocabulary lives in rules/: figures-schema.yaml 结构用语 (names code refers to by
role), workbook.yaml (sheet texts, headers), disclosure.yaml and 科目.yaml. A word changed in a
copy of rules/ changes what narrator reads and writes; every entry is used."""

import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, SAMPLE
from rules_copy import run_with_rules
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import schema, subjects
from narrator.figures.names import WORDS, StructureWords, structure_words
from narrator.sources.workbook import write_workbook


def schema_words() -> set[str]:
    """Every key and text value in figures-schema.yaml 根."""
    found: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                found.add(str(k))
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            found.add(x)

    walk(load_rule_file(ROOT / "rules" / "figures-schema.yaml")["根"])
    return found


# -- 结构用语 -------------------------------------------------------------------------------
def test_structure_words_load_and_name_every_role():
    w = structure_words()
    assert isinstance(w, StructureWords) and w is WORDS
    assert (w.code, w.name, w.total, w.rows) == ("科目编码", "科目名称", "合计", "科目")
    assert w.levels == {3: "类", 5: "款", 7: "项"} and w.level_rows == {"类级": 3, "款级": 5, "项级": 7}
    section = load_rule_file(ROOT / "rules" / "figures-schema.yaml")["结构用语"]
    assert set(section) == set(StructureWords.__dataclass_fields__)


# roles that are no keys of the figures file: how templates read rows and values, how a cell is described
_TEMPLATE_ROLES = {"row_code", "row_name", "level", "class_name", "kuan_name", "levels", "level_rows",
                   "value_units", "count_unit", "default_unit", "default_code_system", "code", "name",
                   "opening_budget_amount", "total_row"}
# roles of the formula language (rules/metrics.yaml, rules/audit.yaml), tested in
# tests/audit/test_formula_words_come_from_rules.py
_FORMULA_ROLES = {"fn_sum", "fn_first", "fn_abs", "all_classes", "each_class", "all_items"}


def test_every_structure_word_of_the_figures_file_is_a_name_in_the_schema():
    words = schema_words()
    for role, word in vars(WORDS).items():
        if role in _TEMPLATE_ROLES | _FORMULA_ROLES:
            continue
        assert word in words, (role, word)
    assert WORDS.leaf_types <= words
    assert WORDS.default_unit in schema().children[WORDS.unit].allowed
    assert f"{WORDS.default_code_system}编码长度" in subjects()


def test_a_renamed_code_key_is_what_figures_files_use(tmp_path):
    fig_yaml = (SAMPLE / "figures.yaml").read_text(encoding="utf-8").replace("科目编码", "科目代码")
    (tmp_path / "f.yaml").write_text(fig_yaml, encoding="utf-8")
    out = run_with_rules(tmp_path, {"figures-schema.yaml": [("  code: 科目编码", "  code: 科目代码")]}, """
        from narrator.figures.load import load_figures
        from narrator.figures.dump import dump_yaml
        fig = load_figures("f.yaml")
        row = fig.data["收入决算表"]["科目"][0]
        out["keys"] = list(row)[:2]
        out["dumped"] = "科目代码" in dump_yaml(fig) and "科目编码" not in dump_yaml(fig)
    """)
    assert out == {"keys": ["科目代码", "科目名称"], "dumped": True}


# -- rules/workbook.yaml: the written workbook's texts ------------------------------------
def sheet_texts(path: Path) -> dict[str, list]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [c.value for row in ws.iter_rows() for c in row if c.value is not None] for ws in wb.worksheets}


def test_written_workbook_texts_come_from_workbook_yaml(tmp_path):
    path = tmp_path / "shipped.xlsx"
    write_workbook(None, path)
    texts = sheet_texts(path)
    spec = load_rule_file(ROOT / "rules" / "workbook.yaml")["写表"]
    assert texts[spec["填写说明"]["工作表"]] == [t for t in spec["填写说明"]["内容"] if t]
    assert all(h in texts["基本信息"] for h in spec["基本信息说明"].values())
    for sheet, target in load_rule_file(ROOT / "rules" / "workbook.yaml")["表外工作表"].items():
        assert sheet in texts, sheet
    out = run_with_rules(tmp_path, {"workbook.yaml": [
        ("      - 决算数据工作簿（narrator）", "      - 试填说明第一行"),
        ("表外标题: \"{表}（表外数据）\"", "表外标题: \"{表}·附表\""),
        ("  表头: {键: 项目, 值: 数值,", "  表头: {键: 名目, 值: 数值,"),
    ], "科目.yaml": [('分组合计: "{组}合计"', '分组合计: "{组}总额"')]}, """
        import openpyxl
        from narrator.sources.workbook import write_workbook
        write_workbook(None, "changed.xlsx")
        wb = openpyxl.load_workbook("changed.xlsx")
        out["texts"] = {ws.title: [c.value for row in ws.iter_rows() for c in row if c.value is not None]
                        for ws in wb.worksheets}
    """)["texts"]
    assert out["填写说明"][0] == "试填说明第一行"
    assert "机关运行经费·附表" in out["机关运行经费"] and "机关运行经费（表外数据）" not in out["机关运行经费"]
    assert "名目" in out["基本信息"] and "项目" not in out["基本信息"]
    detail = next(v for k, v in out.items() if "基本支出决算明细表" in k)
    assert "人员经费总额" in detail and "人员经费合计" not in detail


def test_workbook_reads_the_header_words_of_workbook_yaml(tmp_path):
    """A key/value sheet headed with a word added to 表外键 is read by that header."""
    src = tmp_path / "wb.xlsx"
    write_workbook(None, src)
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        if ws.title == "基本信息":
            ws.cell(3, 1, "事项")
            ws.cell(4, 2, "试验局")
            ws.cell(5, 2, 2024)
        if "收入支出决算总表" == ws.title:
            for r in range(5, 40):
                if ws.cell(r, 1).value and "本年收入合计" in str(ws.cell(r, 1).value):
                    ws.cell(r, 3, 10)
                if ws.cell(r, 4).value and "本年支出合计" in str(ws.cell(r, 4).value):
                    ws.cell(r, 6, 10)
    wb.save(tmp_path / "filled.xlsx")
    code = """
        from narrator.sources.workbook import read_workbook
        from narrator.core.errors import InputError
        try:
            fig = read_workbook("filled.xlsx")
            out["dept"] = fig.data.get("单位")
        except InputError as e:
            out["error"] = str(e)
    """
    added = run_with_rules(tmp_path, {"workbook.yaml": [("  表外键: [项目,", "  表外键: [事项, 项目,")]}, code)
    assert added == {"dept": "试验局"}
    (tmp_path / "shipped").mkdir()
    shutil.copy(tmp_path / "filled.xlsx", tmp_path / "shipped" / "filled.xlsx")
    shipped = run_with_rules(tmp_path / "shipped", {}, code)   # 事项 is no key header: its row is read as data
    assert "事项" in shipped["error"]


# -- rules/disclosure.yaml and 科目.yaml ------------------------------------------------------
def test_disclosure_title_words_come_from_disclosure_yaml(tmp_path):
    from narrator.sources.disclosure.tables import department_and_year

    title = "区人社局2024年度部门决算\n"
    assert department_and_year(title) == ("区人社局", 2024)
    assert department_and_year("本部门2024年度部门决算\n") == (None, 2024)
    out = run_with_rules(tmp_path, {"disclosure.yaml": [("非部门名: [部门,", "非部门名: [区人社局, 部门,")]}, f"""
        from narrator.sources.disclosure.tables import department_and_year
        out["got"] = department_and_year({title!r})
    """)
    assert out["got"] == [None, 2024]


def test_the_sample_disclosure_reads_its_unit_by_the_schema_units():
    from narrator.sources.disclosure import parse_tables

    tree, _ = parse_tables((SAMPLE / "disclosure.txt").read_text(encoding="utf-8"))
    assert tree[WORDS.unit] in schema().children[WORDS.unit].allowed


def test_one_list_of_economic_names_serves_workbook_disclosure_and_synth():
    econ = {str(k): v for k, v in subjects()["经济分类科目名"].items()}
    for name in ("workbook.yaml", "disclosure.yaml"):
        assert "经济分类" not in load_rule_file(ROOT / "rules" / name)
        assert "经济分类科目" not in load_rule_file(ROOT / "rules" / name)
    groups = subjects()["基本支出分组"]
    assert all(code[:3] in {c for g in groups.values() for c in g} for code in econ)


def test_one_list_of_the_nine_tables_serves_disclosure_and_workbook(tmp_path):
    from narrator.sources.disclosure import title_of, vocabulary

    nine = [t["键"] for t in load_rule_file(ROOT / "rules" / "决算表.yaml")["表"]]
    assert len(nine) == 9 and all(name in schema().children for name in nine)
    assert [t["键"] for t in vocabulary()["表"]] == nine
    for name in ("disclosure.yaml", "workbook.yaml"):
        assert "表" not in load_rule_file(ROOT / "rules" / name)
    path = tmp_path / "wb.xlsx"
    write_workbook(None, path)
    assert [s for s in openpyxl.load_workbook(path).sheetnames if s in nine] == nine
    assert title_of("收入决算情况表") is None
    out = run_with_rules(tmp_path, {"决算表.yaml": [("    标题: [收入决算表]", "    标题: [收入决算表, 收入决算情况表]")]}, """
        from narrator.sources.disclosure import title_of
        out["title"] = title_of("2024年度收入决算情况表")
    """)
    assert out == {"title": "收入决算表"}
