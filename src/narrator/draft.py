"""The generated 情况说明: sections → sentences → text with slots.

A slot is one printed number (or direction word, or placeholder) with its span in the
draft text, its exact value, the precision it was printed at, and the formula and inputs
it came from. The checker compares human-written numbers against these slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(slots=True)
class Slot:
    id: int
    kind: str                 # amount | percent | count | score | year | word | placeholder | text
    text: str                 # as printed
    value: Decimal | None     # exact value (word: the sign −1/0/1; placeholder: None)
    places: int
    unit: str                 # 万元, %, 个, 年 … ('' for words and placeholders)
    label: str                # the figure or rule it stands for
    rule: str | None = None
    formula: str | None = None
    inputs: list = field(default_factory=list)   # [{"label", "path", "value"}]
    words: dict | None = None                    # direction words {正, 负, 零}
    start: int = -1
    end: int = -1
    section: str = ""
    sentence: int = -1

    def to_json(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "text": self.text,
            "value": None if self.value is None else f"{self.value:f}",
            "places": self.places, "unit": self.unit, "label": self.label, "rule": self.rule,
            "formula": self.formula, "inputs": self.inputs, "words": self.words,
            "start": self.start, "end": self.end,
        }


@dataclass(slots=True)
class Sentence:
    index: int
    section: str
    start: int
    end: int
    text: str
    slots: list[Slot] = field(default_factory=list)
    heading: bool = False

    def masked(self) -> str:
        """The sentence with every slot replaced by a marker (for alignment)."""
        out, pos = [], self.start
        for s in self.slots:
            out.append(self.text[pos - self.start: s.start - self.start])
            out.append("□")
            pos = s.end
        out.append(self.text[pos - self.start:])
        return "".join(out)


@dataclass(slots=True)
class Section:
    id: str          # the section's key in the pack (e.g. 收入支出决算总体情况)
    number: str      # 一, 二, …
    title: str
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Draft:
    text: str
    title: str
    sections: list[Section]
    slots: list[Slot]
    pack: str
    figures: str
    charts: list[dict] = field(default_factory=list)   # {"key", "caption", "start", "end"}

    @property
    def sentences(self) -> list[Sentence]:
        return [s for sec in self.sections for s in sec.sentences]

    def to_json(self) -> dict:
        return {
            "pack": self.pack,
            "figures": self.figures,
            "title": self.title,
            "text": self.text,
            "sections": [
                {"id": s.id, "number": s.number, "title": s.title, "start": s.start, "end": s.end,
                 "sentences": [
                     {"index": t.index, "start": t.start, "end": t.end, "text": t.text, "heading": t.heading,
                      "slots": [sl.to_json() for sl in t.slots]} for t in s.sentences]}
                for s in self.sections],
            "charts": self.charts,
        }

    def placeholders(self) -> list[Slot]:
        return [s for s in self.slots if s.kind == "placeholder"]
