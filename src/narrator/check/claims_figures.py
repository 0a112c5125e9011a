"""Figures made from a text's own claims: each number whose words name a figure, at that figure.

The reverse of :mod:`narrator.check.grounding`: where grounding finds the figure a reading's
words name and compares, this writes the reading's value there. Last year's figures (上年) come
from the amounts stated for last year, or from a stated change (now − change, to the cent, or to
the 元 when only an amount worked out before rounding to the cent gives both the change and a rate
stated with it; left out when none does) or rate (the last-year amount, to the cent, that
gives the printed rate in its direction). A figure two readings give different values for is
left out: the figures hold only what the text establishes. A 科目 line is named as the text
names it (科目（code） when it gives no name). The 单位 is the name the title gives (none without one).

Used to measure ``generate --like`` on real texts (benchmarks/like_corpus.py): the later
year's figures made from the later year's text.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from narrator.check import compare as C
from narrator.check.claims import (ACT, BUD0, BUDF, CHG, MONEY_FACTOR, PY, RATE, Document, Reading, read,
                                   simplified, vocabulary)
from narrator.check.extract import extract
from narrator.core.errors import InputError
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import Figures, figures_from_tree

CENT = Decimal("0.01")


@cache
def _words() -> dict:
    """rules/like.yaml: its 由文字造数据 section and the names of the figures' structure (数据)."""
    w = load_rule_file(rules_dir() / "like.yaml")
    return {**w["由文字造数据"], **w["数据"]}


def read_text(text: str) -> Document:
    """The claim reader's document of ``text`` (simplified characters, money and percentages)."""
    text = simplified(text)
    mentions = [m for m in extract(text) if m.claim and m.kind in ("amount", "percent")]
    return read(text, mentions)


def _in_unit(r: Reading, unit: str) -> Decimal:
    m = r.mention
    if m.unit in MONEY_FACTOR and m.unit != unit:
        return m.scaled(unit)
    return m.value


def _section_title(doc: Document, pos: int) -> str:
    title = ""
    for start, t in doc.sections:
        if start <= pos:
            title = t
    return title


def path_of(doc: Document, r: Reading) -> str | None:
    """The one figures path a money reading names (上年. for a last-year amount), or None."""
    if r.kind != "money" or r.measure not in (ACT, PY, BUD0, BUDF):
        return None
    w = _words()
    if r.code and r.subject == w["科目主体"] + r.code:
        if r.measure in (BUD0, BUDF):
            return f"{w['年初预算科目']}.{r.code}"
        title = _section_title(doc, r.start)
        place = next(p for p in w["科目所在表"] if p["词"] in title)
        table, col = place["表"], place["列"]
        path = f"{table}.{w['科目']}.{r.code}.{col}"
    else:
        spec = vocabulary()["主体数据"].get(r.subject or "")
        if not spec:
            return None
        paths = spec.get(ACT if r.measure == PY else r.measure) or []
        if not paths:
            return None
        path = paths[0]
    return _prior(path) if r.measure == PY else path


def _prior(path: str) -> str:
    return f"{_words()['上年']}.{path}"


class _Tree:
    """A figures tree built path by path; a path given two values is dropped."""

    def __init__(self) -> None:
        self.values: dict[str, Decimal] = {}
        self.clashes: set[str] = set()
        self.names: dict[str, str] = {}     # 科目编码 → the name the text gives the line

    def put(self, path: str, value: Decimal) -> None:
        if path in self.clashes:
            return
        if path in self.values and self.values[path] != value:
            del self.values[path]
            self.clashes.add(path)
            return
        self.values[path] = value

    def tree(self, dept: str | None, year: int, unit: str) -> dict:
        w = _words()
        out: dict = {w["年度"]: year, w["金额单位"]: unit}
        if dept:
            out[w["单位"]] = dept
        rows: dict[tuple[str, ...], dict[str, dict]] = {}
        budget = w["年初预算科目"].split(".")[0]
        for path, value in self.values.items():
            keys = path.split(".")
            if w["科目"] in keys and budget not in keys[:2]:
                at = keys.index(w["科目"])
                table = tuple(keys[:at])
                code = keys[at + 1]
                name = self.names.get(code) or w["科目行名"].format(code)
                row = rows.setdefault(table, {}).setdefault(code, {w["科目编码"]: code, w["科目名称"]: name})
                row[keys[at + 2]] = value
                continue
            node = out
            for k in keys[:-1]:
                node = node.setdefault(k, {})
            node[keys[-1]] = value
        for table, by_code in rows.items():
            node = out
            for k in table:
                node = node.setdefault(k, {})
            node[w["科目"]] = [by_code[c] for c in sorted(by_code)]
        return out


def _prior_from_rate(now: Decimal, rate: Reading, unit: str) -> Decimal | None:
    """The last-year amount, to the cent of ``unit``, nearest to the one that gives the printed
    rate; when none does, to the 元 (a rate worked out before the amounts were rounded to
    万元: 26.14万元 on 20.6624万元 is 26.51%, on no amount to the cent)."""
    if rate.sign is None or rate.mention.unit != "%":
        return None
    factor = 1 + rate.sign * rate.mention.value / 100
    if factor <= 0:
        return None
    steps = [CENT]
    if unit in MONEY_FACTOR and MONEY_FACTOR[unit] > 1:
        steps.append(1 / MONEY_FACTOR[unit])    # one 元 in ``unit``
    for step in steps:
        guess = (now / factor).quantize(step, ROUND_HALF_UP)
        for k in range(0, 200):
            for cand in sorted({guess + k * step, guess - k * step}):
                if cand > 0 and rate_agrees(now, cand, rate):
                    return cand
    return None


def _prior_from_change(now: Decimal, change: Reading, rates: list[Reading], unit: str) -> Decimal | None:
    """The last-year amount a change gives: now − change to the cent when every rate stated with
    it agrees; else the one nearest it, to the 元, that still gives the printed change and makes
    the rates agree (1463.90万元, 增加561.51万元, 增长62.23%: 902.3886万元, not 902.39 → 62.22%)."""
    amount = _in_unit(change, unit)
    prior = (now - change.sign * amount).quantize(CENT, ROUND_HALF_UP)
    if all(rate_agrees(now, prior, x) for x in rates):
        return prior
    if change.mention.unit != unit or unit not in MONEY_FACTOR or MONEY_FACTOR[unit] <= 1:
        return None
    step = 1 / MONEY_FACTOR[unit]           # one 元 in ``unit``
    printed = Decimal(1).scaleb(-change.mention.places)
    reach = int(CENT / step)
    for k in sorted(range(-reach, reach + 1), key=abs):
        cand = (prior + k * step).quantize(step)
        if cand > 0 and (change.sign * (now - cand)).quantize(printed, ROUND_HALF_UP) == amount \
                and all(rate_agrees(now, cand, x) for x in rates):
            return cand
    return None


def rate_agrees(now: Decimal, prior: Decimal, rate: Reading) -> bool:
    """Does ``now`` against ``prior`` give the printed rate, in its direction (下降 is a fall)?"""
    if prior <= 0 or rate.sign is None or rate.mention.unit != "%":
        return False
    exact = (now - prior) / prior * 100
    if rate.sign != 0 and ((exact > 0) - (exact < 0)) not in (0, rate.sign):
        return False
    return C.verdict(exact, rate.mention.value, rate.mention.places, None) == C.OK


def unit_name(text: str, year: int) -> str | None:
    """The department's name as the text's title gives it (“2016年度平潭县人大常委会部门决算说明”,
    “区人社局2024年度部门决算情况说明”), or None."""
    w = _words()["单位名称"]
    after_year, before = re.escape(f"{year}{w['年份后']}"), re.escape(w["名称后"])
    name = r"([^\s\d，。：:；;、（）()《》“”]{2,40}?)"
    m = re.search(after_year + name + before, text) or re.search(name + after_year + before, text)
    return m.group(1) if m else None


def figures_from_claims(text: str, name: str = "<text>", unit: str | None = None) -> Figures:
    """The figures a text's claims establish (partial: only what its words name), in ``unit``
    (rules/like.yaml 由文字造数据.默认金额单位 unless given)."""
    unit = unit or _words()["默认金额单位"]
    doc = read_text(text)
    if doc.year is None:
        raise InputError("the text names no report year", name)
    tree = _Tree()
    now: dict[int, tuple[str, Decimal]] = {}
    for r in doc.readings:
        path = path_of(doc, r)
        if path is None:
            continue
        value = _in_unit(r, unit)
        tree.put(path, value)
        if r.code and r.label and not any(ch.isdigit() for ch in r.label):
            tree.names.setdefault(r.code, r.label)
        if r.measure == ACT:
            now[r.index] = (path, value)
    stated_prior = {p for p in tree.values if p.startswith(_prior(""))}
    for r in doc.readings:
        if r.measure not in (CHG, RATE) or r.anchor not in now or r.vs_budget or r.sign is None:
            continue
        if r.change is not None and doc.readings[r.change].vs_budget:
            continue
        path, value = now[r.anchor]
        if _prior(path) in stated_prior:
            continue
        if r.measure == CHG:
            rates = [x for x in doc.readings if x.measure == RATE and x.anchor == r.anchor and not x.vs_budget]
            prior = _prior_from_change(value, r, rates, unit)   # None: the change and a rate disagree
        else:
            if any(x.measure == CHG and x.anchor == r.anchor for x in doc.readings):
                continue        # the change gives it exactly
            prior = _prior_from_rate(value, r, unit)
        if prior is not None and prior >= 0:
            tree.put(_prior(path), prior)
    return figures_from_tree(tree.tree(unit_name(doc.text, doc.year), doc.year, unit), name, required=False)
