"""narrator check: every number in a human-written 情况说明, compared with the figures.

Pipeline: extract mentions → split the text into sections and sentences → regenerate the
draft from the figures (the same templates that write drafts) → match sections by their
headings and sentences by their wording with numbers masked → pair each written number
with the slot it restates → compare at the written precision. Numbers that no sentence
accounts for are looked up by the names around them. Without figures, the text is checked
against itself (rates, changes, shares, comparisons, numbered lists).
"""

from __future__ import annotations

import re
from functools import lru_cache

from narrator.check.align import _bigrams, _direction_re, _norm, _sim, _THRESHOLD, align_reference
from narrator.check.align_fast import Scorer, align_by_row_best, align_greedy, align_ordered
from narrator.check.claims import read as read_claims, simplified
from narrator.check.extract import Mention, extract
from narrator.check.grounding import words_win
from narrator.check.pairing import NUMBER_SLOTS, lookup, pair_numbers
from narrator.check.relations import relate
from narrator.check.result import CheckContext, CheckResult, Claim
from narrator.check.segment import Structure, list_skips, structure
from narrator.core import fast
from narrator.core.caches import per_document
from narrator.core.findings import Finding, line_col
from narrator.core.numbers import fmt
from narrator.figures.model import Figures
from narrator.render.draft import Draft
from narrator.core.collector import fewer_collections
from narrator.core.messages import msg, one_language

__all__ = ["check_text", "choose_pack", "CheckResult", "Claim"]

_PLACEHOLDER = re.compile(r"【[^】\n]{0,80}】")


def check_text(text: str, name: str = "<text>", figures: Figures | None = None,
               pack: str = "auto", audit: list[Finding] | None = None,
               region: tuple[int, int] | None = None) -> CheckResult:
    """Check ``text``; with ``region``, only the numbers inside it (a disclosure's 情况说明)."""
    with fewer_collections(), one_language():      # (core/collector.py, core/messages.py)
        return _check_text(text, name, figures, pack, audit, region)


def _check_text(text: str, name: str, figures: Figures | None, pack: str, audit: list[Finding] | None,
                region: tuple[int, int] | None) -> CheckResult:
    text = text.replace("\r\n", "\n") if "\r\n" in text else text
    original, text = text, simplified(text)
    mentions = extract(text, region)   # a disclosure's tables are not read as prose
    holes = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    lo, hi = region if region is not None else (0, len(text))
    if holes:
        claims = [Claim(m) for m in _outside(holes, [m for m in mentions if m.claim and lo <= m.start < hi])]
    else:
        claims = [Claim(m) for m in mentions if m.claim and lo <= m.start < hi]
    st = structure(text, lo, hi) if region is not None else structure(text)   # the 情况说明's own
    ctx = CheckContext(text, name)
    ctx.data = figures.data if figures is not None else {}
    used_pack = None
    if audit:
        ctx.findings.extend(audit)
    if figures is not None:
        draft = _choose_draft(figures, st, pack)
        used_pack = draft.pack
        _against_draft(ctx, st, claims, draft, lo, hi)
        lookup(ctx, st, claims, figures, draft)
    _read_claims(ctx, claims, mentions, figures, region)
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
    """The mentions not inside a placeholder, in one walk over the holes.

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


def _against_draft(ctx: CheckContext, st: Structure, claims: list[Claim], draft: Draft,
                   lo: int = 0, hi: int | None = None) -> None:
    """Pair the numbers (and direction words) of the text's sentences in ``[lo, hi)`` with the
    draft's: a disclosure's tables and later parts are not its 情况说明."""
    text = ctx.text
    hi = len(text) if hi is None else hi
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
            if prev is not None and not any(x.kind in NUMBER_SLOTS for x in prev.slots):
                around = rows[-1][1]  # prev is the row just added: its masked wording's bigrams
            rows.append((s, _bigrams(_masked_draft(draft, s)), around))
            prev = s
        dsent_cache[j] = rows
    dre = _direction_re()
    by_sec: dict[int, list[tuple[int, frozenset, frozenset]]] = {}
    for i, s in enumerate(sents):
        if i not in by_sentence:
            if not lo <= s.start < hi or not dre.search(s.text):
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
            pair_numbers(ctx, by_sentence[i], sents[i], ds, draft)


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


_ITEM_NO = re.compile(r"^[\s\-–•·]*\d{1,2}\s*[.、．]\s*")


# below this many sentence pairs _align runs the reference (it is faster there)
_SMALL = 400


def _align(hs: list[tuple[int, frozenset, frozenset]], ds: list[tuple[object, frozenset, frozenset]],
           ordered: bool):
    """Pairs (human sentence index, draft sentence): the check stage's switch between
    ``align.align_reference`` and ``align_fast``, which gives the same pairs sooner.

    The reference runs with ``NARRATOR_REFERENCE=1`` and on small sections (where setting up
    the bulk scores costs more); else the usual section, each sentence taking its own best
    draft sentence in one way only, needs no DP (``align_by_row_best``), and the rest are
    scored in bulk with the identical corners set aside (``align_ordered``, ``align_greedy``).
    """
    if not fast.ENABLED or len(hs) * len(ds) < _SMALL or (not ordered and len(hs) <= 4):
        # a small section, or a few stray sentences against the whole draft (the usual
        # unmatched section): the reference itself costs less than setting up the bulk scores
        return align_reference(hs, ds, ordered)
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


# -- the text against itself ------------------------------------------------------------
def _read_claims(ctx: CheckContext, claims: list[Claim], mentions: list[Mention], figures: Figures | None,
                 region: tuple[int, int] | None = None) -> None:
    """Each number's meaning from its words, and the relations between them.

    With figures, a number whose words name a figure is compared with that figure (the words
    win over the template alignment); then the relations of the text itself are checked.
    """
    doc = read_claims(ctx.text, mentions, region)
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
        evidence = msg("join.comma").join(msg("check.number_at_line", number=t, line=line)
                                          for t, line in elsewhere if line != here)
        formula = v.formula + (msg("check.based_on", evidence=evidence) if evidence else "")
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
