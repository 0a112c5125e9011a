"""Issue 17: what a budget officer reads about a whole disclosure — in Chinese, in the forms'
own words, and located at the table row it is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.pipeline import check_file

ROOT = Path(__file__).resolve().parents[2]
DISCLOSURE = ROOT / "samples" / "renshe-2024" / "disclosure.txt"


@pytest.fixture(scope="module")
def findings():
    return check_file(DISCLOSURE, None, "auto").findings


def _line(n: int) -> str:
    return DISCLOSURE.read_text(encoding="utf-8").splitlines()[n - 1]


def test_table_findings_point_at_the_rows_line(findings):
    table = [f for f in findings if f.code.startswith("T") and f.severity == "error"]
    assert table
    for f in table:
        assert f.line and f.line > 1, f
    t102 = next(f for f in table if f.code == "T102")
    assert _line(t102.line).startswith("20801")
    t101 = next(f for f in findings if f.code == "T101")     # a rounding note on a 合计 row
    assert "合计" in _line(t101.line)


def test_no_print_jargon_and_a_short_t102_first_line(monkeypatch):
    from narrator.report.text import check_report

    monkeypatch.chdir(DISCLOSURE.parent)   # as the officer runs it: narrator check disclosure.txt
    out = check_report(check_file(Path(DISCLOSURE.name), None, "auto"), show_info=True)
    assert " 印 " not in out
    # the cell the reader could not complete (“9, 421. 7”) is a D002, not a table error on 合计
    assert "9421.76" not in "".join(ln for ln in out.splitlines() if " T101 [错误] " in ln)
    assert any(" D002 " in ln and "9, 421. 7" in ln for ln in out.splitlines())
    first = next(ln for ln in out.splitlines() if " T102 [错误] " in ln)
    assert len(first) <= 120, first
    assert "(2495.79 → 2495.75)" in first
    following = out.split(first + "\n", 1)[1].splitlines()
    assert following[0].startswith("    只改这一格即可都成立：")


def test_reading_messages_are_chinese_in_the_forms_words(findings):
    import re

    d = {(f.line, f.code): f.message for f in findings if f.code in ("D001", "D002")}
    trunc = d[(229, "D002")]
    assert trunc.startswith("一般公共预算财政拨款支出决算表 208 项目支出：表中“9, 421. 7”似乎不完整"), trunc
    assert "保留原表数，不作推测" in trunc
    assert "一般公共预算财政拨款支出决算表 208 行：合计 = 基本支出 + 项目支出 得 9421.75" in trunc
    for msg in d.values():
        assert not re.search(r"[A-Za-z]{3,}", msg), msg   # no English words left


def test_no_dotted_path_in_table_and_reading_messages(findings):
    import re

    for f in findings:
        if f.code[0] in "DT":
            assert not re.search(r"[^\W\d_]\.[^\W\d_]", f.message), f.message
