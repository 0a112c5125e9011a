"""narrator check: every number in a human-written 情况说明, compared with the figures.

Pipeline: extract mentions → split the text into sections and sentences → regenerate the
draft from the figures (the same templates that write drafts) → match sections by their
headings and sentences by their wording with numbers masked → pair each written number
with the slot it restates → compare at the written precision. Numbers that no sentence
accounts for are looked up by the names around them. Without figures, the text is checked
against itself (rates, changes, shares, comparisons, numbered lists).
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from narrator.check import compare as C
from narrator.core.caches import per_document
from narrator.core.catalogue import rule
from narrator.check.claims import read as read_claims, simplified
from narrator.check.grounding import describe, words_win
from narrator.check.relations import relate
from narrator.check.align_fast import Scorer, align_by_row_best, align_greedy, align_ordered, greedy_pairs
from narrator.render.draft import Draft, Slot
from narrator.check.extract import Mention, extract
from narrator.figures.model import Figures
from narrator.core.findings import Finding, line_col
from narrator.core.messages import msg
from narrator.core.numbers import fmt
from narrator.core.resources import rules_dir
from narrator.check.segment import Structure, list_skips, structure
from narrator.core.yamlio import load_rule_file

_PLACEHOLDER = re.compile(r"【[^】\n]{0,80}】")
_DROP = re.compile(r"[\s\u3000]|</?u>|[，,。.、；;：:（）()“”\"'‘’《》【】\-—•·■%％]")
_MONEY = {"元", "千元", "万元", "亿元"}
_ONE = Decimal(1)


@cache
def phrases() -> dict:
    return load_rule_file(rules_dir() / "phrases.yaml")


@cache
def _direction_words() -> dict[str, int]:
    d = phrases()["方向"]
    out = {}
    for sign, key in ((1, "正"), (-1, "负"), (0, "零")):
        for w in d[key]:
            out[w] = sign
    return out


@cache
def _direction_words_longest_first() -> tuple[tuple[str, int], ...]:
    return tuple(sorted(_direction_words().items(), key=lambda kv: -len(kv[0])))


@cache
def _direction_re() -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w, _sign in _direction_words_longest_first()))


@cache
def _synonyms() -> tuple[re.Pattern, dict[str, str]]:
    table = {}
    for canon, variants in phrases()["同义"].items():
        for v in variants:
            table[v] = canon
    pattern = re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))
    return pattern, table


@cache
def _word_groups() -> dict:
    from narrator.render.engine import wording
    return wording()["方向词"]


# what _DROP removes, in two passes that scan faster than its alternation: the <u> tags, then
# runs of the single characters. The same text: no tag character (< / u >) is in a character
# class, so the tags found first are the very ones _DROP's scan finds and the characters
# removed after them are the very ones it removes (tests/test_align_fast2.py checks it)
_DROP_TAG = re.compile(r"</?u>")
_DROP_CHARS = re.compile(r"[\s\u3000，,。.、；;：:（）()“”\"'‘’《》【】\-—•·■%％]+")


@per_document
@lru_cache(maxsize=1 << 14)
def _norm(s: str) -> str:
    """Text as compared: synonyms unified, direction words as ±, spaces and punctuation gone."""
    pattern, table = _synonyms()
    s = pattern.sub(lambda m: table[m.group()], s)
    s = _direction_re().sub("±", s)
    if "<" in s:
        s = _DROP_TAG.sub("", s)
    return _DROP_CHARS.sub("", s)


@per_document
@lru_cache(maxsize=1 << 12)
def _bigrams(s: str) -> frozenset:
    # each character joined to the next: the slices s[i:i + 2]
    return frozenset(map(operator.add, s, s[1:])) if len(s) > 1 else frozenset({s})


def _sim(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return 2 * inter / (len(a) + len(b))


# ------------------------------------------------------------------------------------
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


class _Ctx:
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
        msg = r.message + (f"：{detail}" if detail else "")
        self.findings.append(Finding(code, r.name, severity or r.severity, msg, self.name, line, col, start, end,
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


# ------------------------------------------------------------------------------------
def check_text(text: str, name: str = "<text>", figures: Figures | None = None,
               pack: str = "auto", audit: list[Finding] | None = None,
               region: tuple[int, int] | None = None) -> CheckResult:
    """Check ``text``; with ``region``, only the numbers inside it (a disclosure's 情况说明)."""
    text = text.replace("\r\n", "\n") if "\r\n" in text else text
    original, text = text, simplified(text)
    mentions = extract(text)
    holes = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    lo, hi = region if region is not None else (0, len(text))
    if holes:
        claims = [Claim(m) for m in _outside(holes, [m for m in mentions if m.claim and lo <= m.start < hi])]
    else:
        claims = [Claim(m) for m in mentions if m.claim and lo <= m.start < hi]
    st = structure(text)
    ctx = _Ctx(text, name)
    ctx.data = figures.data if figures is not None else {}
    used_pack = None
    if audit:
        ctx.findings.extend(audit)
    if figures is not None:
        draft = _choose_draft(figures, st, pack)
        used_pack = draft.pack
        _against_draft(ctx, st, claims, draft)
        _lookup(ctx, st, claims, figures, draft)
    _read_claims(ctx, claims, mentions, figures)
    for start, end, found, want in list_skips(text, st):
        if not lo <= start < hi:
            continue
        ctx.add("N206", start, end, str(found), str(want), msg("check.list_gap", want=want) if found > want else msg("check.list_repeat"),
                severity="warning")
    for c in claims:
        if c.status == "unverifiable" and c.mention.start in ctx.flagged:
            c.status = "mismatch"
    if original is not text:
        # findings quote the text as written (traditional characters included)
        for f in ctx.findings:
            if f.start is not None and f.found == text[f.start:f.end]:
                f.found = original[f.start:f.end]
    ctx.findings.sort(key=lambda f: (f.start if f.start is not None else -1, f.code))
    return CheckResult(name, original, figures.source if figures is not None else None, used_pack,
                       ctx.findings, claims, ctx.fixes)


def _outside(holes: list[tuple[int, int]], mentions: list[Mention]) -> list[Mention]:
    """The mentions not inside a placeholder: ``_in_hole`` for each, as one walk over the holes.

    The holes are sorted and disjoint; mentions come in text order, so the only hole that can
    hold a mention is the first one ending after it, and the walk never goes back (it starts
    over should a mention come before the one before it).
    """
    out, k, n, last = [], 0, len(holes), -1
    for m in mentions:
        pos = m.start
        if pos < last:
            k = 0
        last = pos
        while k < n and holes[k][1] <= pos:
            k += 1
        if not (k < n and holes[k][0] <= pos):
            out.append(m)
    return out


def _in_hole(holes: list[tuple[int, int]], pos: int) -> bool:
    """Is ``pos`` inside one of the placeholders (sorted, disjoint spans)?"""
    k = bisect.bisect_right(holes, (pos, float("inf"))) - 1
    return k >= 0 and holes[k][0] <= pos < holes[k][1]


# -- draft side -----------------------------------------------------------------------
def _choose_draft(figures: Figures, st: Structure, pack: str) -> Draft:
    from narrator.render.engine import render

    return render(figures, pack if pack != "auto" else choose_pack(st))


def choose_pack(st: Structure) -> str:
    """The shipped pack whose section headings best match the text's headings."""
    from narrator.render.engine import load_pack
    from narrator.core.resources import templates_dir

    titles = [_bigrams(_norm(s.title)) for s in st.sections if s.number != "部分"]
    best, best_score = "standard", -1.0
    for d in sorted(templates_dir().iterdir()):
        if not (d / "pack.yaml").is_file():
            continue
        p = load_pack(d.name)
        dt = [_bigrams(_norm(sec["标题"])) for sec in p.sections]
        # each text heading counts once, at its best match, in order of the pack
        score = sum(max((_sim(t, x) for x in dt), default=0) for t in titles) - 0.2 * abs(len(dt) - len(titles))
        if score > best_score:
            best, best_score = d.name, score
    return best


def _masked_human(text: str, sent, mentions: list[Mention]) -> str:
    out, pos = [], sent.start
    for m in mentions:
        out.append(text[pos:m.start])
        out.append("□" if m.kind != "ordinal" else "")
        pos = m.end
    out.append(text[pos:sent.end])
    s = "".join(out)
    return _norm(_PLACEHOLDER.sub("◇", s) if "【" in s else s)


def _masked_draft(draft: Draft, sent) -> str:
    out, pos, text = [], sent.start, draft.text
    for s in sent.slots:
        out.append(text[pos:s.start])
        kind = s.kind
        out.append("◇" if kind == "placeholder" else text[s.start:s.end] if kind == "text" else "□")  # missing → □
        pos = s.end
    out.append(text[pos:sent.end])
    s = "".join(out)
    # (str.isdigit holds for every character \d matches, and more)
    return _norm(_DRAFT_ITEM_NO.sub("", s) if s[:1].isdigit() else s)


_DRAFT_ITEM_NO = re.compile(r"^\d+\.\s*")


def _against_draft(ctx: _Ctx, st: Structure, claims: list[Claim], draft: Draft) -> None:
    text = ctx.text
    by_sentence: dict[int, list[Claim]] = {}
    si = 0
    sents = st.sentences
    # assign claims to sentences
    for c in claims:
        while si < len(sents) and sents[si].end <= c.mention.start:
            si += 1
        if si < len(sents) and sents[si].start <= c.mention.start:
            by_sentence.setdefault(si, []).append(c)
    # section mapping
    dsecs = draft.sections
    sec_map = dict(_section_map(tuple((hs.index, hs.title) for hs in st.sections if hs.number != "部分"),
                                tuple(s.title for s in dsecs)))
    # sentence alignment: within each matched section pair, the best monotonic alignment
    # (sentences keep their order; identical templated sentences pair up in sequence), then
    # list items written in another order than the draft's are swapped into place (_align).
    # A sentence's context is the sentence before it when that one states no number: the
    # heading of a list item ("1. …行政运行（项）。" before "年初预算为…，支出决算为…").
    dsent_cache: dict[int, list[tuple[object, frozenset, frozenset]]] = {}
    for j, sec in enumerate(dsecs):
        rows, prev = [], None
        for s in sec.sentences:
            if s.heading:
                prev = None
                continue
            around = frozenset()
            if prev is not None and not any(x.kind in _KIND_OF_SLOT or x.kind == "missing" for x in prev.slots):
                around = rows[-1][1]  # prev is the row just added: its masked wording's bigrams
            rows.append((s, _bigrams(_masked_draft(draft, s)), around))
            prev = s
        dsent_cache[j] = rows
    dre = _direction_re()
    by_sec: dict[int, list[tuple[int, frozenset, frozenset]]] = {}
    for i, s in enumerate(sents):
        if i not in by_sentence:
            if not dre.search(s.text):
                continue
            by_sentence[i] = []
        hb = _bigrams(_masked_human(text, s, [c.mention for c in by_sentence[i]]))
        around = frozenset()
        if i > 0 and sents[i - 1].section == s.section and not by_sentence.get(i - 1):
            around = _bigrams(_norm(_ITEM_NO.sub("", sents[i - 1].text)))
        by_sec.setdefault(sec_map.get(s.section, -1), []).append((i, hb, around))
    for j, hs in by_sec.items():
        cands = dsent_cache.get(j) if j >= 0 else [x for v in dsent_cache.values() for x in v]
        if not cands:
            continue
        for i, ds in _align(hs, cands, ordered=j >= 0):
            _pair_numbers(ctx, by_sentence[i], sents[i], ds, draft)


@per_document
@lru_cache(maxsize=256)
def _section_map(htitles: tuple[tuple[int, str], ...], dtitles: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """(text section, draft section) pairs: each heading to the draft heading most like it.

    Cached: the headings are the same in document after document.
    """
    dsec_bi = [_bigrams(_norm(t.split("、", 1)[-1])) for t in dtitles]
    out = []
    for index, title in htitles:
        hb = _bigrams(_norm(title))
        scores = [_sim(hb, b) for b in dsec_bi]
        j = max(range(len(scores)), key=scores.__getitem__) if scores else -1
        if j >= 0 and scores[j] >= 0.5:
            out.append((index, j))
    return tuple(out)


_THRESHOLD = 0.45
_ITEM_NO = re.compile(r"^[\s\-–•·]*\d{1,2}\s*[.、．]\s*")


def _score(h, d) -> float:
    """A pair's similarity when the sentences reach ``_THRESHOLD``, plus half their contexts'."""
    v = _sim(h[1], d[1])
    if v < _THRESHOLD:
        return 0.0
    return v + (0.5 * _sim(h[2], d[2]) if h[2] and d[2] else 0.0)


# below this many sentence pairs _align runs the reference (it is faster there)
_SMALL = 400


def _align(hs: list[tuple[int, frozenset, frozenset]], ds: list[tuple[object, frozenset, frozenset]],
           ordered: bool):
    """Pairs (human sentence index, draft sentence): the result of ``_align_reference``.

    The same algorithm with the scores computed in bulk, and in the ordered case the
    identical corners of the two sections set aside (``check_align``); small sections go
    to the reference itself. A section whose sentences each take their own best draft
    sentence in one way only needs no DP (``check_align.align_by_row_best``).
    """
    if len(hs) * len(ds) < _SMALL or (not ordered and len(hs) <= 4):
        # a small section, or a few stray sentences against the whole draft (the usual
        # unmatched section): the reference itself costs less than setting up the bulk scores
        return _align_reference(hs, ds, ordered)
    if ordered:
        # the usual section: each sentence restates its own draft sentence
        match = align_by_row_best(hs, ds, _THRESHOLD)
        if match is not None:
            return [(hs[a][0], ds[b][0]) for a, b in match.items()]
    sc = Scorer(hs, ds, _THRESHOLD)
    if not ordered:
        return [(hs[a][0], ds[b][0]) for a, b in align_greedy(hs, ds, sc)]
    match = align_ordered(hs, ds, sc)
    return [(hs[a][0], ds[b][0]) for a, b in sorted(match.items())]


def _dp_reference(sim: list[list[float]], n: int, m: int, base: float = 0.0) -> list[list[float]]:
    """The monotonic alignment's DP table: cell (a, b) is the best total of the first a human
    and b draft sentences, from a constant border ``base``."""
    dp = [[base] * (m + 1) for _ in range(n + 1)]
    for a in range(1, n + 1):
        row, prev, sa = dp[a], dp[a - 1], sim[a - 1]
        for b in range(1, m + 1):
            best = prev[b] if prev[b] > row[b - 1] else row[b - 1]
            v = sa[b - 1]
            if v > 0 and prev[b - 1] + v > best:
                best = prev[b - 1] + v
            row[b] = best
    return dp


def _align_reference(hs: list[tuple[int, frozenset, frozenset]], ds: list[tuple[object, frozenset, frozenset]],
                     ordered: bool):
    """Pairs (human sentence index, draft sentence) maximising total similarity.

    ``ordered``: a monotonic alignment (dynamic programming), then two pairs trade their draft
    sentences while that strictly raises the total (list items in another order; identical
    templated sentences never move); else greedy best-first. A pair's similarity counts when
    the sentences reach ``_THRESHOLD``; their contexts (see ``_against_draft``) add half theirs.
    """
    n, m = len(hs), len(ds)

    sim = [[_score(h, d) for d in ds] for h in hs]
    if not ordered:
        return [(hs[a][0], ds[b][0]) for a, b in greedy_pairs(sim, n, m)]
    dp = _dp_reference(sim, n, m)
    match: dict[int, int] = {}
    a, b = n, m
    while a > 0 and b > 0:
        v = sim[a - 1][b - 1]
        if v > 0 and abs(dp[a][b] - (dp[a - 1][b - 1] + v)) < 1e-12:
            match[a - 1] = b - 1
            a, b = a - 1, b - 1
        elif dp[a][b] == dp[a - 1][b]:
            a -= 1
        else:
            b -= 1
    # list items in another order than the draft's ("2. 就业资金…" where the draft has "2. 就业管理经费…")
    for _ in range(n * n + 10):
        pairs = sorted(match.items())
        swap = next(((a, b, a2, b2) for x, (a, b) in enumerate(pairs) for a2, b2 in pairs[x + 1:]
                     if sim[a][b2] > 0 and sim[a2][b] > 0
                     and sim[a][b2] + sim[a2][b] > sim[a][b] + sim[a2][b2] + 1e-9), None)
        if swap is None:
            break
        a, b, a2, b2 = swap
        match[a], match[a2] = b2, b
    return [(hs[a][0], ds[b][0]) for a, b in sorted(match.items())]


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


def _compatible(m: Mention, s: Slot) -> bool:
    return _compatible_kinds(m.kind, s.kind)


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


_NUMBER_SLOTS = frozenset(_KIND_OF_SLOT) | {"missing"}


def _pair_numbers(ctx: _Ctx, claims: list[Claim], hsent, dsent, draft: Draft) -> None:
    # a figure the file lacks (缺数) still occupies its place: a number there is unverifiable
    slots = [s for s in dsent.slots if s.kind in _NUMBER_SLOTS]
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


def _pair_words(ctx: _Ctx, hsent, dsent, draft: Draft) -> None:
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


def _compare(ctx: _Ctx, c: Claim, s: Slot, draft: Draft, source: str) -> None:
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
    money = s.kind == "amount" and m.unit in _MONEY
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


def _check_direction(ctx: _Ctx, c: Claim, s: Slot, draft: Draft) -> None:
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
                    f"{word_slot.label}的方向应为“{expected}”", formula, fix=expected)
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
                import bisect
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


def _lookup(ctx: _Ctx, st: Structure, claims: list[Claim], figures: Figures, draft: Draft) -> None:
    pending = [c for c in claims if c.slot is None and
               ((c.mention.kind == "amount" and c.mention.unit in _MONEY)
                or (c.mention.kind == "bare" and c.mention.places > 0))]
    if not pending:
        return
    idx = _build_index(figures, draft)
    text = ctx.text
    import bisect

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
        value = m.scaled(figures.unit) if m.unit in _MONEY else m.value
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


# -- the text against itself ------------------------------------------------------------
def _read_claims(ctx: _Ctx, claims: list[Claim], mentions: list[Mention], figures: Figures | None) -> None:
    """Each number's meaning from its words, and the relations between them.

    With figures, a number whose words name a figure is compared with that figure (the words
    win over the template alignment); then the relations of the text itself are checked.
    """
    doc = read_claims(ctx.text, mentions)
    by_start = {c.mention.start: c for c in claims}
    for r in doc.readings:
        c = by_start.get(r.mention.start)
        if c is not None:
            c.reading = r
    refuted = words_win(ctx, by_start, doc, figures) if figures is not None else set()
    rel = relate(doc, refuted)
    reported = {(f.start, f.code) for f in ctx.findings} | {f.start for f in ctx.findings if f.severity == "error"}
    for v in rel.verdicts:
        c = by_start.get(v.reading.mention.start) if v.reading is not None else None
        if c is not None and c.status == "confirmed" and c.source in ("draft", "lookup"):
            continue  # the figures confirm this number: another one is wrong, with its own finding
        if figures is not None and c is not None and c.source == "draft" and c.status == "mismatch" \
                and c.expected != v.expected and v.evidence and all(_figure_confirmed(by_start.get(rel.R[i].mention.start)) for i in v.evidence):
            # the alignment paired this number with another sentence's; its own sentence's
            # amounts, each confirmed by the figures, say what it should be
            ctx.retract(v.start)
            reported.discard(v.start)
        elif v.start in reported or (v.start, v.code) in reported or v.start in ctx.confirmed_words \
                or (v.reading is not None and v.reading.mention.start in ctx.flagged):
            continue
        if v.code == "N203" and any(ctx.text[f.start:f.end] == v.found and f.code == "N105"
                                    for f in ctx.findings if f.start is not None and abs(f.start - v.start) < 4):
            continue
        # the numbers it used that stand on other lines, with where they are
        here = line_col(ctx.text, v.start)[0]
        elsewhere = [(rel.R[i].mention.text.strip(), line_col(ctx.text, rel.R[i].start)[0]) for i in v.evidence]
        evidence = ", ".join(f"{t}（第{line}行）" for t, line in elsewhere if line != here)
        formula = v.formula + (f"；依据：{evidence}" if evidence else "")
        ctx.add(v.code, v.start, v.end, v.found, v.expected, v.detail, formula, fix=v.fix or None, severity=v.severity)
        if c is not None and (v.severity or "error") == "error":
            c.status, c.source, c.expected, c.evidence = "mismatch", "text", v.expected, v.code
    for i, rule_name in rel.confirmed.items():
        c = by_start.get(rel.R[i].mention.start)
        if c is not None and c.status == "unverifiable":
            c.status, c.source, c.evidence = "confirmed", "text", rule_name
    if figures is not None:
        # a percentage the alignment paired with another sentence's number, while its own
        # sentence's amounts (each confirmed by the figures) give it exactly: the words win
        for i, group in rel.groups.items():
            c = by_start.get(rel.R[i].mention.start)
            if c is None or c.mention.kind != "percent" or c.source != "draft" or c.status != "mismatch":
                continue
            inputs = [by_start.get(rel.R[j].mention.start) for j in group if j != i]
            centre = rel.centres.get(i)
            if centre is None or c.expected is None or fmt(centre, c.mention.places) == c.expected:
                continue    # the same figures as the alignment's: its exact comparison stands
            if inputs and all(x is not None and x.status == "confirmed" and x.source in ("draft", "lookup", "words")
                              for x in inputs):
                ctx.retract(c.mention.start)
                c.status, c.source, c.expected, c.evidence = "confirmed", "words", None, rel.confirmed.get(i)


def _figure_confirmed(c: Claim | None) -> bool:
    return c is not None and c.status == "confirmed" and c.source in ("draft", "lookup", "words")
