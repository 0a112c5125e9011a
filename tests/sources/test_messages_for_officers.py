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
    t101 = next(f for f in table if f.code == "T101")
    assert "合计" in _line(t101.line)
