"""Each written number against the draft slot it restates, and the numbers no sentence accounts for.

Owns the pairing of numbers within an aligned sentence pair (the words right before each
number), the comparison at the written precision (N101–N108), the direction words (增加/减少)
and the lookup of a number by the figure names around it (N107).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from narrator.check import compare as C
from narrator.check.align import _direction_re, _direction_words, _direction_words_longest_first, _norm, phrases
from narrator.check.grounding import describe
from narrator.check.number_grammar import MONEY_FACTOR
from narrator.check.result import CheckContext, Claim
from narrator.check.segment import Structure
from narrator.core.caches import per_document
from narrator.core.numbers import fmt
from narrator.figures.model import Figures
from narrator.render.draft import Draft, Slot
from narrator.core.messages import msg

MONEY = frozenset(MONEY_FACTOR)
_ONE = Decimal(1)


@cache
def _word_groups() -> dict:
    from narrator.render.engine import wording
    return wording()["方向词"]


_DIGITS = re.compile(r"[0-9０-９.．]+")


def _left(text: str, start: int, floor: int, n: int = 8) -> str:
    """The words right before a number (digits of neighbouring numbers removed)."""
    if start - 24 <= floor:
        return _left_raw(text[floor:start], "^", n)
    return _left_raw(text[start - 24:start], "", n)


@per_document
@lru_cache(maxsize=1 << 12)
def _left_raw(window: str, head: str, n: int) -> str:
    # a number and the draft slot it restates usually have the very same words before them
    return _left_of(_DIGITS.sub("0", window), head, n)


@per_document
@lru_cache(maxsize=1 << 14)
def _left_of(window: str, head: str, n: int) -> str:
    """``_left`` of a window whose digit runs are each collapsed to one "0".

    The result does not depend on the digits: no synonym, direction word or dropped
    character of ``_norm`` contains a character of ``_DIGITS`` (tests/test_checkrest_fast2.py),
    so a run only separates its neighbours, and it is removed afterwards. Collapsed windows
    repeat across documents (the same templated words around other numbers), so they cache.
    """
    return (head + _DIGITS.sub("", _norm(window)))[-n:]


def _suffix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


_KIND_OF_SLOT = {"amount": "amount", "percent": "percent", "count": "count", "score": "score", "year": "year"}


def _count_unit(u: str) -> str:
    return u.replace("(", "").replace(")", "").replace("（", "").replace("）", "")


@cache
def _compatible_kinds(mk: str, sk: str) -> bool:
    """Can a mention of kind ``mk`` restate a slot of kind ``sk``?"""
    if sk == "missing":
        return mk in ("amount", "percent", "count", "score", "bare")
    k = _KIND_OF_SLOT.get(sk)
    if k is None:
        return False
    if mk == k:
        return True
    if mk == "bare":
        return k in ("amount", "score", "count")
    if mk == "score" and k == "count":
        return True
    if mk == "count" and k in ("score",):
        return True
    if mk == "date" and k == "year":
        return True
    return False


NUMBER_SLOTS = frozenset(_KIND_OF_SLOT) | {"missing"}


def pair_numbers(ctx: CheckContext, claims: list[Claim], hsent, dsent, draft: Draft) -> None:
    # a figure the file lacks (缺数) still occupies its place: a number there is unverifiable
    slots = [s for s in dsent.slots if s.kind in NUMBER_SLOTS]
    if claims and slots:
        text, dtext, hstart, dstart = ctx.text, draft.text, hsent.start, dsent.start
        lefts_h = [_left(text, c.mention.start, hstart) for c in claims]
        lefts_d = [_left(dtext, s.start, dstart) for s in slots]
        kinds = [s.kind for s in slots]
        used: set[int] = set()
        single = len(claims) == 1 and len(slots) == 1
        for ci, c in enumerate(claims):
            m = c.mention
            mk = m.kind
            lh = lefts_h[ci]
            best, best_score = None, -99.0
            for k, sk in enumerate(kinds):
                if k in used or not _compatible_kinds(mk, sk):
                    continue
                if mk == "count" and sk == "count" and m.unit and slots[k].unit \
                        and _count_unit(m.unit) != _count_unit(slots[k].unit):
                    continue    # counts say what they count: 1辆 does not restate 0台（套）
                ld = lefts_d[k]
                # _suffix_len, with its two commonest answers first
                if lh == ld:
                    ctx_len = len(lh)
                elif not lh or not ld or lh[-1] != ld[-1]:
                    ctx_len = 0
                else:
                    ctx_len = _suffix_len(lh, ld)
                if ctx_len == 0 and not single:
                    continue  # nothing in common right before the numbers: not the same figure
                score = ctx_len - 0.3 * abs(ci - k)
                if mk == sk:
                    score += 0.5
                if score > best_score:
                    best, best_score = k, score
            if best is None:
                continue
            used.add(best)
            if kinds[best] == "missing":
                c.source = "draft"  # restates a figure the file does not give: unverifiable
                continue
            _compare(ctx, c, slots[best], draft, "draft")
    _pair_words(ctx, hsent, dsent, draft)


def _pair_words(ctx: CheckContext, hsent, dsent, draft: Draft) -> None:
    """Each direction word the draft writes (增加/减少 …) against the word the text has there."""
    wslots = [s for s in dsent.slots if s.kind == "word" and s.value is not None and s.words]
    if not wslots:
        return
    text = ctx.text
    found = [(m.start() + hsent.start, m.group()) for m in _direction_re().finditer(hsent.text)]
    if not found:
        return
    used: set[int] = set()
    words = _direction_words()
    lefts = [_left(text, start, hsent.start) for start, _ in found]
    for w in wslots:
        dl = _left(draft.text, w.start, dsent.start)
        best, best_len = None, 0
        need = 1 if dl == "^" else 2  # a word opening the sentence has only the start as context
        for k, (start, word) in enumerate(found):
            if k in used:
                continue
            n = _suffix_len(lefts[k], dl)
            if n >= need and n > best_len:
                best, best_len = k, n
        if best is None:
            continue
        used.add(best)
        start, word = found[best]
        if start in ctx.flagged:
            continue
        sign = words.get(word)
        if sign is None:
            continue
        if sign == int(w.value):
            ctx.confirmed_words.add(start)
            continue
        expected = _expected_word(word, int(w.value), w)
        ctx.add("N105", start, start + len(word), word, expected, msg("check.direction_should_be", label=w.label, expected=expected),
                w.formula, fix=expected)


_expected_text = C.expected_text


def _compare(ctx: CheckContext, c: Claim, s: Slot, draft: Draft, source: str) -> None:
    m = c.mention
    c.slot = s
    c.source = source
    if s.value is None:
        return
    if s.kind == "year":
        year = m.value // 10000 if m.kind == "date" and m.value > 10**7 else m.value
        if year == s.value:
            c.status = "confirmed"
        else:
            c.status = "mismatch"
            c.expected = s.text
            if m.kind == "date":
                return  # a wrong year inside a date: left to a person (the fix is not a plain swap)
            ctx.add("N104", m.start, m.end, m.text, s.text, msg("check.year_should_be", year=s.text, what=s.label),
                    f"年度 = {s.text}", fix=s.text)
        return
    # the written value in the slot's unit (money converts between 元/万元/亿元)
    money = s.kind == "amount" and m.unit in MONEY
    if not money or m.unit == s.unit:
        value = m.value
    else:
        try:
            value = m.scaled(s.unit)
        except ValueError:
            return
    if value is None:
        return
    exact = s.value
    unit_scale = _ONE
    if money and m.unit != s.unit:
        # compare at the human's precision in the human's unit
        try:
            unit_scale = m.value / value if value else _ONE
        except Exception:
            unit_scale = _ONE
    exact_h = exact * unit_scale
    v = C.verdict(exact_h, m.value, m.places, m.qualifier)
    if v != C.OK and unit_scale == 1 and s.formula is None and len(s.inputs) == 1:
        # the figure itself is known only to fewer places (a truncated table cell): the text
        # is consistent if it rounds or truncates to the figure at the figure's precision
        fp = max(0, -exact.as_tuple().exponent)  # decimals as the figure was written ("171.8": 1)
        if fp < m.places and C.verdict(m.value, exact, fp) in (C.OK, C.TRUNCATED):
            c.status = "unverifiable"
            return
    if v == C.OK:
        c.status = "confirmed"
        if _word_slot_before(draft, s) is not None:
            _check_direction(ctx, c, s, draft)
        return
    expected = _expected_text(m, exact_h, s.places)
    c.expected = expected
    formula = s.formula or _figure_formula(s, ctx.data)
    if v == C.TRUNCATED:
        c.status = "confirmed"
        ctx.add("N106", m.start, m.end, m.text, expected, f"{s.label}", formula)
        return
    c.status = "mismatch"
    code = {"amount": "N101", "percent": "N102"}.get(s.kind, "N103")
    if m.qualifier and C.meaning(m.qualifier) != C.ABOUT:
        code = "N108"
    ctx.add(code, m.start, m.end, m.text, expected, s.label, formula,
            fix=None if m.qualifier else expected)
    _check_direction(ctx, c, s, draft)


def _figure_formula(s: Slot, data: dict) -> str:
    if s.inputs and len(s.inputs) == 1 and s.inputs[0].get("path"):
        return f"{describe(s.inputs[0]['path'], data)} = {s.inputs[0]['value']}"
    return f"{s.label} = {s.text}"


def _word_slot_before(draft: Draft, s: Slot) -> Slot | None:
    """The direction word slot the draft puts right before slot ``s`` (增加 100 万元), if any."""
    ends = getattr(draft, "_word_ends", None)
    if ends is None:
        ends = {}
        for w in draft.slots:
            if w.kind == "word":
                ends[w.end] = w
        draft._word_ends = ends
    return ends.get(s.start) or ends.get(s.start - 1)


def _check_direction(ctx: CheckContext, c: Claim, s: Slot, draft: Draft) -> None:
    """If the draft puts a direction word right before this number, check the human's word."""
    word_slot = _word_slot_before(draft, s)
    if word_slot is None:
        return
    text = ctx.text
    m = c.mention
    before = text[max(0, m.start - 8):m.start]
    stripped = before.rstrip(" \t\u3000\n")
    for w, sign in _direction_words_longest_first():
        if stripped.endswith(w):
            if sign == int(word_slot.value):
                ctx.confirmed_words.add(m.start - (len(before) - len(stripped)) - len(w))
                return
            w_start = m.start - (len(before) - len(stripped)) - len(w)
            expected = _expected_word(w, int(word_slot.value), word_slot)
            formula = word_slot.formula
            ctx.add("N105", w_start, w_start + len(w), w, expected,
                    msg("check.direction_should_be", label=word_slot.label, expected=expected), formula, fix=expected)
            return


def _expected_word(found: str, sign: int, slot: Slot) -> str:
    key = "正" if sign > 0 else "负" if sign < 0 else "零"
    for words in _word_groups().values():
        if found in words.values():
            return words[key]
    return slot.words[key] if slot.words else slot.text


# -- lookup by names --------------------------------------------------------------------
@dataclass
class _Index:
    names: list[tuple[str, str, list[tuple[Decimal, str]]]]   # (name, name without 项目/经费, [(value, path)])
    values: set[Decimal]
    pattern: re.Pattern | None = None        # any name (or stripped name) inside a clause
    by_form: dict | None = None              # matched form -> entry
    joined: str = ""                         # all names, "\0"-separated, for "clause core inside a name"
    starts: list | None = None

    def find(self, clause: str, core: str):
        if self.pattern is not None:
            m = self.pattern.search(clause)
            if m:
                return self.by_form[m.group()]
        if len(core) >= 4:
            at = self.joined.find(core)
            while at >= 0:
                k = bisect.bisect_right(self.starts, at) - 1
                n, _, vals = self.names[k]
                if len(core) >= len(n) - 2:
                    return n, _, vals
                at = self.joined.find(core, at + 1)
        return None


def _build_index(figures: Figures, draft: Draft) -> _Index:
    names: dict[str, list[tuple[Decimal, str]]] = {}
    values: set[Decimal] = set()

    generic: dict[str, set] = {}

    def add(name: str, value, path: str, row: bool = False):
        if not isinstance(value, Decimal):
            return
        values.add(value)
        n = _norm(name)
        if len(n) >= 4:
            names.setdefault(n, []).append((value, path))
            if not row:
                generic.setdefault(n, set()).add(path.rsplit(".", 1)[0])

    def walk(node, path: tuple):
        if isinstance(node, dict):
            if "科目" in node and isinstance(node["科目"], list):
                for r in node["科目"]:
                    for col, v in r.items():
                        if col not in ("科目编码", "科目名称"):
                            add(r["科目名称"], v, ".".join(map(str, path + ("科目", r["科目编码"], col))), True)
            for k, v in node.items():
                if k == "科目":
                    continue
                if isinstance(v, Decimal):
                    add(str(k), v, ".".join(map(str, path + (k,))))
                else:
                    walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, dict) and "项目名称" in v:
                    for col in ("预算数", "执行数"):
                        if col in v:
                            p = ".".join(map(str, path + (i, col)))
                            add(v["项目名称"], v[col], p, True)
                            if v.get("简称"):
                                add(v["简称"], v[col], p, True)
                else:
                    walk(v, path + (i,))
    walk({k: v for k, v in figures.data.items() if k != "上年"}, ())
    for s in draft.slots:
        if s.kind in ("amount",) and s.value is not None:
            values.add(s.value)
    # a key name used under several parents (一般公共预算财政拨款, 小计 …) names no one figure
    names = {n: v for n, v in names.items() if len(generic.get(n, ())) <= 1}
    ordered = sorted(((n, _strip_name(n), v) for n, v in names.items()), key=lambda t: -len(t[0]))
    idx = _Index(ordered, values)
    forms: dict[str, tuple] = {}
    for entry in ordered:
        forms.setdefault(entry[0], entry)
        if len(entry[1]) >= 4:
            forms.setdefault(entry[1], entry)
    if forms:
        idx.pattern = re.compile("|".join(map(re.escape, sorted(forms, key=len, reverse=True))))
        idx.by_form = forms
    starts, pos = [], 0
    for n, _, _ in ordered:
        starts.append(pos)
        pos += len(n) + 1
    idx.joined = "\0".join(n for n, _, _ in ordered)
    idx.starts = starts
    return idx


def _strip_name(n: str) -> str:
    for suffix in phrases()["名称后缀"]:
        if n.endswith(suffix) and len(n) - len(suffix) >= 4:
            n = n[: -len(suffix)]
    return n


def lookup(ctx: CheckContext, st: Structure, claims: list[Claim], figures: Figures, draft: Draft) -> None:
    pending = [c for c in claims if c.slot is None and
               ((c.mention.kind == "amount" and c.mention.unit in MONEY)
                or (c.mention.kind == "bare" and c.mention.places > 0))]
    if not pending:
        return
    idx = _build_index(figures, draft)
    text = ctx.text

    ends = sorted(x.mention.end for x in claims)
    for c in pending:
        m = c.mention
        a = max(text.rfind(p, max(0, m.start - 80), m.start) for p in "，,。；;：:\n")
        k = bisect.bisect_right(ends, m.start)
        a = max(a + 1, ends[k - 1] if k else 0)
        clause = _norm(text[a:m.start])
        if len(clause) < 4:
            continue
        core = _strip_name(clause[-24:])
        found = idx.find(clause, core)
        hit = (found[0], found[2]) if found else None
        if hit is None:
            continue
        value = m.scaled(figures.unit) if m.unit in MONEY else m.value
        scale = (m.value / value) if value else Decimal(1)
        for v, path in hit[1]:
            if C.verdict(v * scale, m.value, m.places, m.qualifier) in (C.OK, C.TRUNCATED):
                c.status, c.source = "confirmed", "lookup"
                c.expected = fmt(v, 2)
                break
        else:
            if any(C.verdict(v * scale, m.value, m.places) == C.OK for v in idx.values):
                continue  # the number is a figure, just not this name's: unverifiable
            v, path = min(hit[1], key=lambda vp: abs(vp[0] * scale - m.value))
            expected = _expected_text(m, v * scale, 2)
            c.status, c.source, c.expected = "mismatch", "lookup", expected
            ctx.add("N107", m.start, m.end, m.text, expected, f"{hit[0]}", f"{describe(path, figures.data)} = {fmt(v, 2)}",
                    fix=expected)

