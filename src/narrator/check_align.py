"""Sentence alignment for narrator check: the same result as the plain DP, without its O(n*m) cost.

``check._align_reference`` scores every (human, draft) sentence pair and runs a monotonic DP
plus a pairwise swap pass over the whole section: ~40,000 similarity computations for a
section of 200 list items. Real texts mostly restate the draft sentence by sentence, so this
module first peels off *corner anchors*: a common prefix and a common suffix of pairs whose
masked wording and context are identical and which tie with no other sentence of the section.
Only the middle is scored densely; the swap pass computes the few scores it needs lazily.

Why the result is the same alignment (not just an equally good one). A row is *strict* when
its anchor partner scores strictly higher than any other sentence of the other side (for the
row and for the column): identical bigram sets score exactly 1 (+0.5 for identical contexts)
and anything else scores at least ~1/(bigrams) less, far above float noise.
- Prefix: if h0~d0 is strict, every optimal monotonic alignment of any prefix rectangle
  holds (0, 0) (at most one of h0, d0 can be paired elsewhere, and giving it back its partner
  keeps the alignment monotonic and strictly raises the total). By induction the full DP's
  cells with min(a, b) = t <= k are exactly the prefix sum P_t (same additions, same order),
  so the DP of the middle started from the constant border P_k computes the very same floats,
  and the reference traceback, once it reaches row or column k, walks straight to (k, k) and
  then down the diagonal.
- Suffix: the same exchange argument at the far corner makes each suffix cell's diagonal
  candidate the strict maximum, so the reference traceback descends the suffix diagonally
  (difference exactly 0) into the middle's corner, whose values do not depend on the suffix.
- Swaps: two pairs that both still sit at their strict anchor partners can never satisfy the
  swap test (each row loses by trading), so only pairs involving a moved or middle pair are
  examined - in the reference's order, so the first swap found is the same.
tests/test_check_fast.py checks this against the reference on random edits of real drafts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from typing import Callable


def _anchor_test(hs: list, ds: list) -> Callable[[tuple, tuple], bool]:
    """A predicate: is (human row, draft row) an identical pair that ties with nothing else?"""
    cores_h = Counter(h[1] for h in hs)
    cores_d = Counter(d[1] for d in ds)
    full_h = Counter((h[1], h[2]) for h in hs if h[2])
    full_d = Counter((d[1], d[2]) for d in ds if d[2])

    def anchor(h, d) -> bool:
        if h[1] != d[1] or h[2] != d[2]:
            return False
        if not h[2]:
            # no context: the pair scores 1.0, as does this row with any sentence of equal wording
            return cores_h[h[1]] == 1 and cores_d[h[1]] == 1
        # context on both sides: 1.5, reached only by the same wording with the same context
        key = (h[1], h[2])
        return full_h[key] == 1 and full_d[key] == 1

    return anchor


class Scorer:
    """``check._score`` for every pair of two sections, computed in bulk with the same floats.

    A pair's score is its wordings' similarity (when it reaches the threshold) plus half its
    contexts'. Wordings repeat (templated list items), so their similarity is computed once
    per distinct pair; contexts are bit masks over the section's bigrams, whose intersection
    size is a popcount: the same integers, hence the same divisions, as the frozenset version.
    """

    def __init__(self, hs: list, ds: list, threshold: float):
        self.hs, self.ds = hs, ds
        bits: dict = {}

        def mask(s: frozenset, bits: dict = bits) -> int:
            x = 0
            for g in s:
                k = bits.get(g)
                if k is None:
                    k = bits[g] = len(bits)
                x |= 1 << k
            return x

        self.hctx = [(mask(h[2]), len(h[2])) for h in hs]
        self.dmask = [mask(d[2]) for d in ds]
        self.dlen = [len(d[2]) for d in ds]
        hcore: dict = {}
        dcore: dict = {}
        self.hclass = [hcore.setdefault(h[1], len(hcore)) for h in hs]
        dclass = [dcore.setdefault(d[1], len(dcore)) for d in ds]
        # per distinct human wording: its similarity with each draft sentence, 0 below threshold
        # (as check._sim: the Dice coefficient 2|A&B| / (|A|+|B|), 0 for an empty set)
        wbits: dict = {}
        dwords = [(mask(c, wbits), len(c)) for c in dcore]
        self.crow = []
        for core in hcore:
            x, n = mask(core, wbits), len(core)
            vals = []
            for y, k in dwords:
                v = 2 * (x & y).bit_count() / (n + k) if n and k else 0.0
                vals.append(v if v >= threshold else 0.0)
            self.crow.append([vals[c] for c in dclass])

    def row(self, a: int, lo: int, hi: int) -> list[float]:
        crow = self.crow[self.hclass[a]]
        hx, hl = self.hctx[a]
        if not hx:
            return crow[lo:hi]          # no context: the wording's similarity (v + 0.0 == v)
        return [v + 0.5 * (2 * (hx & x).bit_count() / (hl + n)) if v and x else v
                for v, x, n in zip(crow[lo:hi], self.dmask[lo:hi], self.dlen[lo:hi])]

    def restrict(self, cols: list[int]) -> "Scorer":
        """The same scores over the draft sentences ``cols`` only (column k = ``cols[k]``)."""
        out = object.__new__(Scorer)
        out.hs, out.ds = self.hs, [self.ds[b] for b in cols]
        out.hctx, out.hclass = self.hctx, self.hclass
        out.dmask = [self.dmask[b] for b in cols]
        out.dlen = [self.dlen[b] for b in cols]
        out.crow = [[r[b] for b in cols] for r in self.crow]
        return out

    def pair(self, a: int, b: int) -> float:
        return self.row(a, b, b + 1)[0]


def align_ordered(hs: list, ds: list, sc: Scorer) -> dict[int, int]:
    """Monotonic DP + swap pass, as ``check._align_reference`` with ``ordered=True``.

    Returns {human position: draft position}.
    """
    n, m = len(hs), len(ds)
    anchor = _anchor_test(hs, ds)

    # a dead sentence scores 0 against every sentence of the other side: the DP never pairs
    # it, and it only copies its neighbour's values, so it may sit between two anchors
    def dead_d(j: int) -> bool:
        return not any(row[j] for row in sc.crow)

    def dead_h(i: int) -> bool:
        return not any(sc.crow[sc.hclass[i]])

    anchors: dict[int, int] = {}
    base = 0.0                       # the prefix anchors' total, added in the DP's order
    i = j = lo_a = lo_b = 0
    while i < n and j < m:
        if anchor(hs[i], ds[j]):
            anchors[i] = j
            base = base + sc.pair(i, j)
            i, j = i + 1, j + 1
            lo_a, lo_b = i, j
        elif dead_d(j):
            j += 1
        elif dead_h(i):
            i += 1
        else:
            break
    i, j = n - 1, m - 1
    hi_a, hi_b = n, m
    while i >= lo_a and j >= lo_b:
        if anchor(hs[i], ds[j]):
            anchors[i] = j
            hi_a, hi_b = i, j
            i, j = i - 1, j - 1
        elif dead_d(j):
            j -= 1
        elif dead_h(i):
            i -= 1
        else:
            break
    # the middle: rows [lo_a, hi_a), columns [lo_b, hi_b), the DP started from ``base``.
    # Dead sentences are left out of the DP: a dead row's or column's DP values are copies of
    # the previous ones (all its scores are 0), so the traceback below replays the reference's
    # moves over them from the live ones' values.
    live_col = [any(t) for t in zip(*sc.crow)] if sc.crow else [False] * m
    live_row = [any(sc.crow[c]) for c in sc.hclass]
    rows = [a for a in range(lo_a, hi_a) if live_row[a]]
    cols = [b for b in range(lo_b, hi_b) if live_col[b]]
    ridx = {a: k for k, a in enumerate(rows)}
    cidx = {b: k for k, b in enumerate(cols)}
    sub = sc.restrict(cols)
    mid = [sub.row(a, 0, len(cols)) for a in rows]
    memo: dict[tuple[int, int], float] = {}

    def sim(a: int, b: int) -> float:
        if not (live_row[a] and live_col[b]):
            return 0.0
        if lo_a <= a < hi_a and lo_b <= b < hi_b:
            return mid[ridx[a]][cidx[b]]
        v = memo.get((a, b))
        if v is None:
            v = memo[(a, b)] = sc.pair(a, b)
        return v

    dp = [[base] * (len(cols) + 1)]
    for r in mid:
        prev = dp[-1]
        row = [base]
        best = base
        # the reference's cell update, walking the previous row with zip instead of indexes
        append = row.append
        for up, diag, v in zip(prev[1:], prev, r):
            if up > best:
                best = up
            if v > 0 and diag + v > best:
                best = diag + v
            append(best)
        dp.append(row)
    # DP coordinates of the reference's cell (a, b): live rows before a, live columns before b
    rpos = [0] * (hi_a - lo_a + 1)
    for a in range(lo_a, hi_a):
        rpos[a - lo_a + 1] = rpos[a - lo_a] + live_row[a]
    cpos = [0] * (hi_b - lo_b + 1)
    for b in range(lo_b, hi_b):
        cpos[b - lo_b + 1] = cpos[b - lo_b] + live_col[b]
    match: dict[int, int] = dict(anchors)
    a, b = hi_a - lo_a, hi_b - lo_b          # the reference's traceback, in middle coordinates
    while a > 0 and b > 0:
        if not live_row[lo_a + a - 1]:
            a -= 1                           # a dead row repeats the one above: always "up"
            continue
        x, y = rpos[a], cpos[b]
        if live_col[lo_b + b - 1]:
            v = mid[x - 1][y - 1]
            if v > 0 and abs(dp[x][y] - (dp[x - 1][y - 1] + v)) < 1e-12:
                match[lo_a + a - 1] = lo_b + b - 1
                a, b = a - 1, b - 1
                continue
        if dp[x][y] == dp[x - 1][y]:
            a -= 1
        else:
            b -= 1

    # swap pass: the reference's first swap in (pair, later pair) order. A pair whose draft
    # sentence is the best its human sentence has anywhere (``settled``; an untouched anchor
    # is one) can only lose by trading: two settled pairs are never tested
    rowmax: dict[int, float] = {}

    def settled(a: int) -> bool:
        b = match[a]
        if anchors.get(a, -1) == b:
            return True
        best = rowmax.get(a)
        if best is None:
            if not live_row[a]:
                best = 0.0
            elif lo_a <= a < hi_a:  # a middle row: only the columns outside the middle are new
                best = max(mid[ridx[a]] + sc.row(a, 0, lo_b) + sc.row(a, hi_b, m), default=0.0)
            else:
                best = max(sc.row(a, 0, m), default=0.0)
            rowmax[a] = best
        return sim(a, b) >= best

    keys = sorted(match)
    for _ in range(n * n + 10):
        loose = [x for x, ka in enumerate(keys) if not settled(ka)]
        swap = None
        if loose:
            for x, ka in enumerate(keys):
                ys = loose[bisect_right(loose, x):] if settled(ka) else range(x + 1, len(keys))
                kb = match[ka]
                for y in ys:
                    a2 = keys[y]
                    b2 = match[a2]
                    if sim(ka, b2) > 0 and sim(a2, kb) > 0 \
                            and sim(ka, b2) + sim(a2, kb) > sim(ka, kb) + sim(a2, b2) + 1e-9:
                        swap = (ka, kb, a2, b2)
                        break
                if swap is not None:
                    break
        if swap is None:
            break
        a, b, a2, b2 = swap
        match[a], match[a2] = b2, b
    return match


def align_greedy(hs: list, ds: list, sc: Scorer) -> list[tuple[int, int]]:
    """Best pairs first, as ``check._align_reference`` with ``ordered=False``."""
    n, m = len(hs), len(ds)
    sim = [sc.row(a, 0, m) for a in range(n)]
    pairs = sorted(((sim[a][b], a, b) for a in range(n) for b in range(m) if sim[a][b] > 0),
                   reverse=True)
    used_a, used_b, out = set(), set(), []
    for _, a, b in pairs:
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
            out.append((a, b))
    return out
