"""The generated 情况说明: sections → sentences → text with slots.

A slot is one printed number (or direction word, or placeholder) with its span in the
draft text, its exact value, the precision it was printed at, and the formula and inputs
it came from. The checker compares human-written numbers against these slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


class Slot:
    """One printed number, direction word, placeholder or piece of the person's own text.

    ``formula`` and ``inputs`` are worked out from the value's history only when asked for
    (most slots are never explained), via ``explainer``.
    """

    __slots__ = ("id", "kind", "text", "value", "places", "unit", "label", "rule", "_formula", "_inputs",
                 "words", "start", "end", "section", "sentence", "explainer")

    def __init__(self, id: int, kind: str, text: str, value: Decimal | None, places: int, unit: str, label: str,
                 rule: str | None = None, explainer=None, words: dict | None = None,
                 formula: str | None = None, inputs: list | None = None):
        self.id = id
        self.kind = kind            # amount | percent | count | score | year | word | text | placeholder (待填) | missing (缺数)
        self.text = text            # as printed
        self.value = value          # exact value (word: the sign −1/0/1; placeholder/text: None)
        self.places = places
        self.unit = unit            # 万元, %, 个, 年 … ('' for words and placeholders)
        self.label = label          # the figure or rule it stands for
        self.rule = rule
        self._formula = formula
        self._inputs = inputs
        self.words = words          # direction words {正, 负, 零}
        self.start = -1
        self.end = -1
        self.section = ""
        self.sentence = -1
        # () -> (formula, inputs): a callable, or a tuple (function, *arguments) - cheaper
        # to make for every printed number than a closure or a partial
        self.explainer = explainer

    def _explain(self) -> None:
        e = self.explainer
        if e is not None:
            self._formula, self._inputs = e[0](*e[1:]) if type(e) is tuple else e()
            self.explainer = None

    @property
    def formula(self) -> str | None:
        self._explain()
        return self._formula

    @property
    def inputs(self) -> list:
        self._explain()
        return self._inputs or []

    def __repr__(self) -> str:
        return f"Slot({self.kind}, {self.text!r}, {self.label!r})"

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
        """What a person must fill in: 待填 text and 缺数 figures."""
        return [s for s in self.slots if s.kind in ("placeholder", "missing")]
