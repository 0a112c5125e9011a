"""What a check returns (``Claim`` per number, ``CheckResult``) and the context that collects its findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from narrator.check.extract import Mention
from narrator.core.catalogue import rule
from narrator.core.findings import Finding, line_col
from narrator.core.messages import msg
from narrator.render.draft import Slot


@dataclass
class Claim:
    mention: Mention
    status: str = "unverifiable"       # confirmed | mismatch | unverifiable
    slot: Slot | None = None
    expected: str | None = None
    source: str | None = None          # "draft" | "lookup" | "text"
    reading: object | None = None      # the claim reader's Reading (subject, measure, year)
    evidence: str | None = None        # the rule that confirmed or refuted it

    def to_json(self) -> dict:
        m = self.mention
        r = self.reading
        return {"start": m.start, "end": m.end, "text": m.text, "value": f"{m.value:f}", "unit": m.unit,
                "kind": m.kind, "status": self.status,
                "slot": None if self.slot is None else {"label": self.slot.label, "rule": self.slot.rule,
                                                       "value": None if self.slot.value is None else f"{self.slot.value:f}",
                                                       "text": self.slot.text, "formula": self.slot.formula},
                "expected": self.expected,
                "subject": None if r is None else r.subject,
                "measure": None if r is None else r.measure,
                "year": None if r is None else r.year,
                "evidence": self.evidence}


@dataclass
class CheckResult:
    file: str
    text: str
    figures: str | None
    pack: str | None
    findings: list[Finding]
    claims: list[Claim]
    fixes: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return {
            "numbers": len(self.claims),
            "confirmed": sum(c.status == "confirmed" for c in self.claims),
            "errors": sum(f.severity == "error" for f in self.findings),
            "warnings": sum(f.severity == "warning" for f in self.findings),
            "unverifiable": sum(c.status == "unverifiable" for c in self.claims),
        }

    def to_json(self) -> dict:
        return {"file": self.file, "figures": self.figures, "pack": self.pack, "summary": self.summary,
                "findings": [f.to_json() for f in self.findings],
                "claims": [c.to_json() for c in self.claims]}

    def fixed_text(self) -> str:
        out, pos = [], 0
        for a, b, new in sorted(self.fixes):
            if a < pos:
                continue
            out.append(self.text[pos:a])
            out.append(new)
            pos = b
        out.append(self.text[pos:])
        return "".join(out)


class CheckContext:
    """The text being checked and the findings, fixes and confirmations gathered on it."""

    def __init__(self, text: str, name: str):
        self.text = text
        self.name = name
        self.findings: list[Finding] = []
        self.flagged: set[int] = set()       # mention starts with an error already
        self.confirmed_words: set[int] = set()  # direction words the figures confirm
        self.fixes: list[tuple[int, int, str]] = []
        self.data: dict = {}                 # the figures, to name a figure the way the tables do

    def add(self, code: str, start: int, end: int, found: str | None, expected: str | None,
            detail: str = "", formula: str | None = None, fix: str | None = None, severity: str | None = None):
        r = rule(code)
        line, col = line_col(self.text, start)
        text = msg("check.finding_detail", message=r.message, detail=detail) if detail else r.message
        self.findings.append(Finding(code, r.name, severity or r.severity, text, self.name, line, col, start, end,
                                     found, expected, formula))
        if (severity or r.severity) == "error":
            self.flagged.add(start)
            if fix is not None:
                self.fixes.append((start, end, fix))

    def retract(self, start: int) -> None:
        """Withdraw the findings on the number at ``start`` (its words name another figure)."""
        self.findings = [f for f in self.findings if f.start != start or f.code[0] != "N"]
        self.flagged.discard(start)
        self.fixes = [fx for fx in self.fixes if fx[0] != start]

