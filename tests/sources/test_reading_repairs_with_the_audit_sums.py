"""The reader repairs damaged cells with the audit's sums (rules/audit.yaml), chosen by
修补公式 in rules/disclosure.yaml: the tables' arithmetic is written nowhere else."""

from __future__ import annotations

from pathlib import Path

import narrator.sources.disclosure.repair as repair
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.sources.disclosure import parse_tables, vocabulary

SEED = Path(__file__).resolve().parents[2] / "samples" / "renshe-2024" / "disclosure.txt"


def _finding_for(findings, found):
    return [(f.code, f.expected) for f in findings if f.found == found]


def test_disclosure_vocabulary_writes_no_sums_of_its_own():
    words = load_rule_file(rules_dir() / "disclosure.yaml")
    assert "算式" not in words
    assert all(str(c).startswith("T1") for c in words["修补公式"])


def test_a_cell_is_repaired_by_the_audit_rule_and_not_without_it(monkeypatch):
    text = SEED.read_text(encoding="utf-8")
    _, findings = parse_tables(text, str(SEED))
    [(code, expected)] = _finding_for(findings, "0.2")          # 三公 公务接待费 "0.2"
    assert (code, expected) == ("D001", "0.27")
    repaired = next(f for f in findings if f.found == "0.2")
    assert "决算数 合计 = 决算数 因公出国（境）费" in repaired.message       # T138, in the audit's words

    words = dict(vocabulary())
    words["修补公式"] = [c for c in words["修补公式"] if c != "T138"]
    monkeypatch.setattr(repair, "vocabulary", lambda: words)
    _, without = parse_tables(text + "\n", str(SEED))
    assert [c for c, _ in _finding_for(without, "0.2")] == ["D002"]   # no sum decides it: kept, reported
