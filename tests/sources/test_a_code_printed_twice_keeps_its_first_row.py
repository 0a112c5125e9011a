"""A 科目表 row whose 科目编码 was read already (a line printed twice by the extraction) is left
out with one D002 warning naming the code; the first row's figures are kept — and a code is
only "twice" in the same table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from narrator.sources.disclosure import parse_tables

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
FIRST = "2080101\t行政运行\t1,688.19\t1,068.55\t619.63\t\t\t\n"       # in 支出决算表


def _twice(text: str, again: str) -> str:
    at = text.index(FIRST) + len(FIRST)
    return text[:at] + again + text[at:]


def test_the_second_row_of_a_code_is_warned_and_not_read():
    tree, findings = parse_tables(_twice(TEXT, "2080101\t行政运行\t9,999.99\t9,000.00\t999.99\t\t\t\n"), "t")
    twice = [f for f in findings if f.code == "D002" and "2080101" in f.message and "两次" in f.message]
    assert len(twice) == 1 and "支出决算表" in twice[0].message
    row = next(r for r in tree["支出决算表"]["科目"] if r["科目编码"] == "2080101")
    assert (row["本年支出合计"], row["基本支出"]) == (Decimal("1688.19"), Decimal("1068.55"))


def test_the_same_code_in_other_tables_is_no_repeat():
    _tree, findings = parse_tables(TEXT, "t")
    assert TEXT.count("2080101\t") >= 3
    assert not any(f.code == "D002" and "两次" in f.message for f in findings)
