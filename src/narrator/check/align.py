"""Sentence alignment, the reference: how two sentences compare, and which pairs up with which.

Owns the normalised wording a sentence is compared by (``_norm``: synonyms unified, direction
words as ±, punctuation gone), its character bigrams and their Dice similarity, the pair score
and the plain alignment (monotonic DP and swap pass, or greedy best-first). ``align_fast``
computes the same pairs sooner; ``checker._align`` picks between them.
"""

from __future__ import annotations

import operator
import re
from functools import cache, lru_cache

from narrator.core.caches import per_document
from narrator.core.diskcache import compiled_patterns
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file

_DROP = re.compile(r"[\s\u3000]|</?u>|[，,。.、；;：:（）()“”\"'‘’《》【】\-—•·■%％]")


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
    return compiled_patterns("patterns", ["|".join(re.escape(w) for w, _sign in _direction_words_longest_first())])[0]


@cache
def _synonyms() -> tuple[re.Pattern, dict[str, str]]:
    table = {}
    for canon, variants in phrases()["同义"].items():
        for v in variants:
            table[v] = canon
    pattern = compiled_patterns("patterns", ["|".join(map(re.escape, sorted(table, key=len, reverse=True)))])[0]
    return pattern, table


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




_THRESHOLD = 0.45


def _score(h, d) -> float:
    """A pair's similarity when the sentences reach ``_THRESHOLD``, plus half their contexts'."""
    v = _sim(h[1], d[1])
    if v < _THRESHOLD:
        return 0.0
    return v + (0.5 * _sim(h[2], d[2]) if h[2] and d[2] else 0.0)



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


def align_reference(hs: list[tuple[int, frozenset, frozenset]], ds: list[tuple[object, frozenset, frozenset]],
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


def greedy_pairs(sim: list[list[float]], n: int, m: int) -> list[tuple[int, int]]:
    """(a, b) index pairs, best score first, each side used once; ties by the higher index."""
    pairs = sorted(((sim[a][b], a, b) for a in range(n) for b in range(m) if sim[a][b] > 0),
                   reverse=True)
    used_a, used_b, out = set(), set(), []
    for _, a, b in pairs:
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
            out.append((a, b))
    return out
