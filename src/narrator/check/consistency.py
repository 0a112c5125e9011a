"""The text against itself: what a 情况说明 implies without any figures.

- a completion/execution rate against the budget and actual amounts stated with it (N201);
- a change: its amount, its rate and the current amount agree, and its two direction
  words agree (N202);
- 大于/小于/等于 against the numbers it compares (N203);
- shares of one whole: each share against part ÷ whole (N205), and together 100% when the
  parts make up the whole (N204).
Cue words come from rules/phrases.yaml.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from decimal import Decimal
from functools import cache, lru_cache

from narrator.check import compare as C
from narrator.core.caches import per_document
from narrator.core.numbers import divide, fmt, round_half_up
from narrator.check.segment import Structure

_PUNCT = "，,。；;：:\n"
# compiled once (these run per sentence and per number)
_BLANKS = re.compile(r"[\s\u3000]+")
_SPACE = re.compile(r"\s")
_SHARE_TAIL = re.compile(r"占[^，,。；;]{0,16}$")
_VS_BUDGET = re.compile(r"决算数?\s*(大于|小于|等于|高于|低于)\s*(年初)?预算数?")


@cache
def _cues(name: str) -> tuple[str, ...]:
    from narrator.check.checker import phrases

    return tuple(sorted(phrases()[name], key=len, reverse=True))


# The two look-ups below run for most numbers, on the words between two numbers: these
# repeat from document to document (templated wording), so they are cached.
@per_document
@lru_cache(maxsize=1 << 13)
def _ends_with_any(s: str, words: tuple[str, ...]) -> str | None:
    s = _BLANKS.sub("", s)
    for w in words:
        if s.endswith(w):
            return w
    return None


@per_document
@lru_cache(maxsize=1 << 13)
def _contains_any(s: str, words: tuple[str, ...]) -> str | None:
    s = _BLANKS.sub("", s)
    for w in words:
        if w in s:
            return w
    return None


def _money(c) -> bool:
    return c.mention.kind == "amount" or (c.mention.kind == "bare" and c.mention.places > 0)


def check_sentences(ctx, st: Structure, claims) -> None:
    text = ctx.text
    sents = st.sentences
    # claims per sentence
    per: dict[int, list] = {}
    si = 0
    for c in claims:
        while si < len(sents) and sents[si].end <= c.mention.start:
            si += 1
        if si < len(sents) and sents[si].start <= c.mention.start:
            per.setdefault(si, []).append(c)
    rate_cues, budget_cues, actual_cues = _cues("完成率线索"), _cues("预算线索"), _cues("决算线索")
    delta_cues, pct_change_cues = _cues("增减额线索"), _cues("增减率线索")
    from narrator.check.checker import _direction_words

    dir_words = _direction_words()

    def left(cs, i, floor):
        a = cs[i - 1].mention.end if i > 0 else floor
        return text[a:cs[i].mention.start]

    def pick(cs, upto, cues, floor):
        """The last money claim before index ``upto`` whose left context ends with a cue."""
        for j in range(upto - 1, -1, -1):
            if _money(cs[j]) and _ends_with_any(left(cs, j, floor), cues):
                return cs[j]
        return None

    shares_by_whole: dict[int, list] = {}
    whole_memo: dict = {}   # per money claim: its clause, and whether an anchor follows it
    for i, cs in per.items():
        s = sents[i]
        prev_cs = per.get(i - 1, []) if i - 1 >= 0 and sents[i - 1].section == s.section else []
        for k, c in enumerate(cs):
            m = c.mention
            if m.kind != "percent" or m.start in ctx.flagged:
                continue
            lc = left(cs, k, s.start)
            # (a) completion / execution rate: "预算为B…决算为A…完成预算的Z%" with nothing
            # else (no other rate) between them
            if _contains_any(lc, rate_cues):
                both = prev_cs + cs[:k]
                floor = sents[i - 1].start if prev_cs else s.start
                j = len(both) - 1
                a = b = None
                while j >= 0 and both[j].mention.kind == "percent":
                    j = -1
                if j >= 0 and _money(both[j]) and _ends_with_any(left(both, j, floor), actual_cues):
                    a = both[j]
                    for jj in range(j - 1, -1, -1):
                        if both[jj].mention.kind == "percent":
                            break
                        if _money(both[jj]) and _ends_with_any(left(both, jj, floor), budget_cues):
                            b = both[jj]
                            break
                if a is not None and b is not None and b.mention.value != 0:
                    exact = divide(a.mention.value, b.mention.value) * 100
                    _judge(ctx, c, exact, "N201", f"{a.mention.text.strip()} ÷ {b.mention.text.strip()}",
                           "完成率")
                continue
            # (b) change rate: ... 增加Δ万元，增长r%
            w = _ends_with_any(lc, pct_change_cues)
            if w and k > 0:
                d = cs[k - 1]
                dw = _ends_with_any(left(cs, k - 1, s.start), delta_cues)
                if not _money(d) or not dw:
                    continue
                sign_d, sign_r = dir_words.get(dw, 0), dir_words.get(w, 0)
                if sign_d and sign_r and sign_d != sign_r and m.start not in ctx.flagged:
                    raw = text[:m.start].rstrip(" \t\u3000\n")
                    ws = raw.rfind(w[-1]) - len(w) + 1 if w else m.start
                    draw = text[:d.mention.start].rstrip(" \t\u3000\n")
                    dws = draw.rfind(dw[-1]) - len(dw) + 1
                    if dws in ctx.flagged or ws in ctx.flagged:
                        continue  # one of the two words is already reported against the figures
                    want = _same_group(w, sign_d)
                    ctx.add("N202", ws, ws + len(w), w, want, f"“{dw}”与“{w}”方向相反", fix=want)
                    continue
                # the current amount: the money claim before Δ in this or the previous sentence
                pool = prev_cs + cs[:k - 1]
                cur = next((x for x in reversed(pool) if _money(x) and x is not d
                            and not _ends_with_any(text[max(0, x.mention.start - 6):x.mention.start], delta_cues)),
                           None)
                if cur is None or not sign_d:
                    continue
                prior = cur.mention.value - sign_d * d.mention.value
                if prior <= 0:
                    continue
                exact = divide(d.mention.value, prior) * 100
                _judge(ctx, c, exact, "N202",
                       f"{d.mention.text.strip()} ÷ ({cur.mention.text.strip()} {'−' if sign_d > 0 else '+'} {d.mention.text.strip()})",
                       "增减率")
                continue
            # (c) share of a whole: "A X万元，占Y%"
            if _SHARE_TAIL.search(_SPACE.sub("", lc)) and k > 0 and _money(cs[k - 1]):
                part = cs[k - 1]
                between = text[part.mention.end:m.start]
                if any(p in between for p in "。；;"):
                    continue
                whole = _find_whole(ctx, st, per, i, part, lc, whole_memo)
                if whole is None or whole.mention.value == 0:
                    continue
                exact = divide(part.mention.value, whole.mention.value) * 100
                _judge(ctx, c, exact, "N205", f"{part.mention.text.strip()} ÷ {whole.mention.text.strip()}", "占比")
                shares_by_whole.setdefault(id(whole), [whole]).append((part, c))
    # (d) shares of one whole add up to 100% when the parts add up to the whole
    for group in shares_by_whole.values():
        whole, items = group[0], group[1:]
        if len(items) < 2:
            continue
        parts = [(p.mention.value, p.mention.places) for p, _ in items]
        ok, _, _ = C.interval_ok(parts, whole.mention.value, whole.mention.places)
        if not ok:
            continue
        shares = [(c.mention.value, c.mention.places) for _, c in items]
        ok, residue, tol = C.interval_ok(shares, Decimal(100), 0 if all(p == 0 for _, p in shares) else 2)
        last = items[-1][1].mention
        if not ok and not any(c.mention.start in ctx.flagged for _, c in items):
            total = sum(v for v, _ in shares)
            ctx.add("N204", last.start, last.end, f"{fmt(total, 2)}%", "100%",
                    f"各部分合计{fmt(sum(v for v, _ in parts), 2)}等于整体，占比之和应为100%",
                    " + ".join(f"{fmt(v, p)}%" for v, p in shares) + f" = {fmt(total, 2)}%", severity="warning")
    # (e) 大于/小于/等于 against the numbers compared
    for i, cs in per.items():
        s = sents[i]
        mm = _VS_BUDGET.search(s.text)
        if not mm:
            continue
        pool = per.get(i - 1, []) + cs if i > 0 and sents[i - 1].section == s.section else cs
        floor = sents[i - 1].start if pool is not cs else s.start
        b = pick(pool, len(pool), budget_cues, floor)
        a = pick(pool, len(pool), actual_cues, floor)
        if a is None or b is None:
            continue
        diff = a.mention.value - b.mention.value
        want = "大于" if diff > 0 else "小于" if diff < 0 else "等于"
        word = mm.group(1).replace("高于", "大于").replace("低于", "小于")
        if word != want:
            start = s.start + mm.start(1)
            if start in ctx.confirmed_words:
                continue  # the figures confirm the word: one of the amounts is the wrong one
            ctx.add("N203", start, start + len(mm.group(1)), mm.group(1), want,
                    f"决算数{a.mention.text.strip()}，预算数{b.mention.text.strip()}",
                    f"{a.mention.text.strip()} − {b.mention.text.strip()} = {fmt(diff, 2)}", fix=want)


def _same_group(word: str, sign: int) -> str | None:
    """The direction word of ``word``'s group for ``sign`` (增长 → 下降 for a decrease)."""
    from narrator.check.checker import _word_groups

    key = "正" if sign > 0 else "负" if sign < 0 else "零"
    for words in _word_groups().values():
        if word in words.values():
            return words[key]
    return None


def _find_whole(ctx, st, per, i, part, lc, memo: dict | None = None):
    """The whole a share refers to: named after 占 (占X的), else the amount before 其中/主要用于.

    The shares of a list look at the same candidates one after the other (each item's amount,
    back to the amount before 主要用于): ``memo`` keeps what was read around each of them.
    """
    if memo is None:
        memo = {}
    text = ctx.text
    sents = st.sentences
    sec = sents[i].section
    name = _SPACE.sub("", lc)
    name = name[name.rfind("占") + 1:].rstrip("的")
    # the money claims before the part in its section, nearest first (sections are runs of
    # sentences, claims are in text order: one list per section, cut where the part starts)
    section = memo.get(("section", sec))
    if section is None:
        claims = [c for j, cs in per.items() if sents[j].section == sec for c in cs if _money(c)]
        section = memo[("section", sec)] = ([c.mention.start for c in claims], claims)
    starts, claims = section
    candidates = claims[:bisect_left(starts, part.mention.start)][::-1]
    if name and len(name) >= 3:
        for c in candidates:
            clause = memo.get(("clause", c.mention.start))
            if clause is None:
                a = _last_punct(text, c.mention.start)
                clause = memo[("clause", c.mention.start)] = _SPACE.sub("", text[a + 1:c.mention.start])
            if name in clause or clause.endswith(name):
                return c
    anchors = _anchors()  # 其中, 主要用于以下方面 … (rules/phrases.yaml)
    skip = _before_anchor()
    for c in candidates:
        anchored = memo.get(("anchored", c.mention.end))
        if anchored is None:
            after = _SPACE.sub("", text[c.mention.end:c.mention.end + 40]).lstrip(skip)
            anchored = memo[("anchored", c.mention.end)] = after.startswith(anchors)
        if anchored:
            return c
    return None


def _last_punct(text: str, end: int) -> int:
    """Offset of the last ``_PUNCT`` character before ``end``, or -1.

    Looked for in the 200 characters before ``end`` first: a character of ``_PUNCT`` that the
    text lacks (；) would otherwise send ``rfind`` over the whole text before it every time.
    """
    lo = max(0, end - 200)
    a = max(text.rfind(p, lo, end) for p in _PUNCT)
    if a < 0 and lo > 0:
        a = max(text.rfind(p, 0, lo) for p in _PUNCT)
    return a


@cache
def _anchors() -> tuple[str, ...]:
    return _cues("整体线索")


@cache
def _before_anchor() -> str:
    """What may stand between a whole's amount and its anchor (unit, punctuation; rules/phrases.yaml)."""
    from narrator.check.checker import phrases

    return phrases()["整体线索前可略过"]


def _judge(ctx, c, exact: Decimal, code: str, formula_head: str, what: str) -> None:
    """Judge a number against what the text around it implies.

    A number the figures already confirm is not blamed: if the sentence around it does not
    add up, the wrong number is another one, and it has its own finding.
    """
    m = c.mention
    if c.status == "confirmed" and c.source in ("draft", "lookup"):
        return
    v = C.verdict(exact, m.value, m.places, m.qualifier)
    if v == C.OK:
        if c.status == "unverifiable":
            c.status, c.source = "confirmed", "text"
        return
    places = max(m.places, 2) if m.places < 2 and round_half_up(exact, m.places) != round_half_up(exact, 2) else m.places
    expected = fmt(exact, places)
    formula = f"{formula_head} = {fmt(exact, max(places, 2))}%"
    if v == C.TRUNCATED:
        ctx.add("N106", m.start, m.end, m.text, expected, what, formula)
        return
    c.status = "mismatch"
    ctx.add(code, m.start, m.end, m.text, expected, what, formula, fix=expected)
