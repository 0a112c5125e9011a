"""A cell the reader could not complete (D002: “9, 421. 7” where the tables print cents) lies
anywhere in [9421.70, 9421.80); the audit gives it that room, so no table error comes from our
own doubt — and a total wrong by more than that room is still an error."""

from __future__ import annotations

from pathlib import Path

from narrator.pipeline import check_file

DISCLOSURE = Path(__file__).resolve().parents[2] / "samples" / "renshe-2024" / "disclosure.txt"


def _table_errors(path: Path) -> list:
    return [f for f in check_file(path, None, "auto").findings if f.code.startswith("T") and f.severity == "error"]


def test_the_sample_disclosure_has_only_its_real_table_error():
    errors = _table_errors(DISCLOSURE)
    assert [(f.code, f.extra["path"][-2]) for f in errors] == [("T102", "20801")], [f.render() for f in errors]


def test_the_room_is_what_spares_the_total_and_no_more():
    from decimal import Decimal

    from narrator.audit.engine import audit_figures
    from narrator.pipeline import figures_from_document

    fig, _reading, _region = figures_from_document(DISCLOSURE.read_text(encoding="utf-8"), str(DISCLOSURE))
    cell = ("一般公共预算财政拨款支出决算表", "科目", "208", "项目支出")
    assert fig.uncertain.get(cell) == Decimal("0.1")

    def t101() -> list:
        return [f for f in audit_figures(fig) if f.code == "T101" and f.severity == "error"
                and f.extra["path"][0] == "一般公共预算财政拨款支出决算表"]

    assert t101() == []
    room = dict(fig.uncertain)
    fig.uncertain.clear()                       # without the room the printed 9421.7 breaks 合计
    assert t101()
    fig.uncertain.update(room)
    fig.data["一般公共预算财政拨款支出决算表"]["合计"]["项目支出"] = Decimal("9422.00")   # beyond the room
    assert t101()
