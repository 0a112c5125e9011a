"""Sentence alignment for narrator check: the same result as the plain DP, at a fraction of its cost.

``align.align_reference`` scores every (human, draft) sentence pair with frozenset Dice
coefficients, runs a monotonic DP over the whole matrix and then a pairwise swap pass: for a
section of 200 list items ~40,000 similarity calls and as many DP cells in Python. Here:
- the scores are computed in bulk (``Scorer``): wordings repeat, so their similarity is computed
  once per distinct pair; contexts are bit masks whose intersection size is a popcount - the
  same integers, hence bit-identical floats;
- *dead* sentences (score 0 against everything on the other side) leave the DP: their DP row
  or column is a copy of the previous one, and the traceback replays the reference's moves
  over them;
- *corner anchors* are peeled off: a prefix and a suffix of pairs that are each the strict best
  (by more than ``_MARGIN``) of their row and of their column, with only dead sentences between
  them. Only the middle goes through the DP;
- the swap pass never tests two *settled* pairs (a pair holding its row's best score);
- a big pair of sections (the long 项 list of section 五, whose "决算数小于预算数的主要原因是…"
  sentences tie exactly and stop the corner walk) is scored with numpy and its DP runs a row
  at a time as a running maximum (``Scorer.matrix``, ``_dp_numpy``): the same floats, see
  there. (Small sections skip all this: ``checker._align`` runs the reference on them.)
- first of all, the usual section - each sentence restating its own draft sentence - needs
  no DP at all: ``align_by_row_best`` (why it gives the same pairs: see there).

Why the result is the same alignment (not just an equally good one):
- Prefix: if (h0, d0) is strictly best in its row and column, every optimal monotonic alignment
  of any rectangle holding both contains it (at most one of h0, d0 can be paired elsewhere;
  giving it back its partner keeps the alignment monotonic and strictly raises the total). By
  induction the reference DP's cells with min(a, b) inside the prefix are exactly the prefix
  sums (same additions, same order; every other candidate is lower by more than float noise),
  so the middle's DP started from that constant border computes the very same floats, and the
  reference traceback, once it reaches the border, walks to the corner and down the anchors.
- Suffix: the same exchange argument at the far corner makes each suffix anchor's diagonal
  candidate the strict maximum of its cell, so the reference traceback descends the anchors
  (difference exactly 0) into the middle's corner, whose values do not depend on the suffix.
- Swaps: a settled pair loses by trading its draft sentence, so two settled pairs never pass
  the swap test; the other pairs are tested in the reference's order, so the first swap found
  is the same.
tests/check/test_fast_alignment_matches_reference.py checks all this against the reference on random edits of real drafts.

Pays: batch check 2.2x (200-row departments), 1.5–1.7x (10–200 rows); 0.9–1.0x on the sample (bench_fast_paths.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Callable

from narrator.check.align import greedy_pairs
from narrator.core import fast


# a strict best partner must win by more than float noise (the DP's sums of scores drift by
# ~1e-13; a real difference between two Dice coefficients is ~1e-3)
_MARGIN = 1e-6


def _pack(sets: list[frozenset]):
    """The sets as rows of bits (one per distinct element), packed into uint64 words."""
    import numpy as np

    bits: dict = {}
    idx = [[bits.setdefault(g, len(bits)) for g in s] for s in sets]
    words = max(1, (len(bits) + 63) // 64)
    inc = np.zeros((len(sets), words * 64), dtype=np.bool_)
    inc[np.repeat(np.arange(len(sets)), [len(x) for x in idx]),
        np.fromiter((g for x in idx for g in x), dtype=np.intp)] = True
    return np.packbits(inc, axis=1, bitorder="little").view(np.uint64)


def _masker() -> Callable[[frozenset], int]:
    """A set of bigrams as an int with one bit per bigram (bits numbered as first seen)."""
    bits: dict = {}
    masks: dict = {}        # sets repeat (templated wordings, the same heading on both sides)

    def mask(s: frozenset) -> int:
        x = masks.get(s)
        if x is None:
            x = 0
            for g in s:
                x |= 1 << bits.setdefault(g, len(bits))
            masks[s] = x
        return x

    return mask


class Scorer:
    """``align._score`` for every pair of two sections, computed in bulk with the same floats.

    A pair's score is its wordings' similarity (when it reaches the threshold) plus half its
    contexts'. Wordings repeat (templated list items), so their similarity is computed once
    per distinct pair; sets of bigrams are bit masks, whose intersection size is a popcount:
    the same integers, hence the same divisions, as the frozenset version.

    A big pair of sections (``big``: at least ``NUMPY_CELLS`` pairs) is scored with numpy:
    the masks packed into uint64 words, the popcounts summed (integers), then the same IEEE
    division, halving and addition Python does on the same numbers - so the same floats.
    """

    def __init__(self, hs: list, ds: list, threshold: float):
        self.hs, self.ds = hs, ds
        hcore: dict = {}
        dcore: dict = {}
        self.hclass = [hcore.setdefault(h[1], len(hcore)) for h in hs]
        self.dclass = dclass = [dcore.setdefault(d[1], len(dcore)) for d in ds]
        self.big = len(hs) * len(ds) >= NUMPY_CELLS
        self._ctx = None             # the contexts' masks, made when ``row`` first needs them
        if self.big:
            self._init_numpy(hcore, dcore, threshold)
            return
        # per distinct human wording: its similarity with each draft sentence, 0 below threshold
        # (as align._sim: the Dice coefficient 2|A&B| / (|A|+|B|), 0 for an empty set)
        mask = _masker()
        dwords = [(mask(c), len(c)) for c in dcore]
        self.crow = []
        for core in hcore:
            x, n = mask(core), len(core)
            vals = []
            for y, k in dwords:
                v = 2 * (x & y).bit_count() / (n + k) if n and k else 0.0
                vals.append(v if v >= threshold else 0.0)
            self.crow.append([vals[c] for c in dclass])

    def _init_numpy(self, hcore: dict, dcore: dict, threshold: float) -> None:
        import numpy as np

        # every distinct set of the two sections (wordings and contexts), one packed row each
        ids: dict = {}
        for s in (*hcore, *dcore, *(h[2] for h in self.hs), *(d[2] for d in self.ds)):
            ids.setdefault(s, len(ids))
        self._ids = ids
        self._packed = _pack(list(ids))
        self._lens = np.array([len(s) for s in ids], dtype=np.float64)
        hw = np.array([ids[s] for s in hcore], dtype=np.intp)
        dw = np.array([ids[s] for s in dcore], dtype=np.intp)
        inter = self._inter(hw, dw)
        total = self._lens[hw][:, None] + self._lens[dw][None, :]
        both = (self._lens[hw] > 0)[:, None] & (self._lens[dw] > 0)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            dice = np.where(both, 2 * inter / total, 0.0)
        dice = np.where(dice >= threshold, dice, 0.0)
        self.cmat = dice[:, np.array(self.dclass, dtype=np.intp)]     # class x draft sentence

    def _inter(self, a, b):
        """|A & B| for the packed sets ``a`` (rows) and ``b`` (columns), as int64."""
        import numpy as np

        p = self._packed
        return np.bitwise_count(p[a][:, None, :] & p[b][None, :, :]).sum(axis=2, dtype=np.int64)

    def live(self) -> tuple[list[bool], list[bool]]:
        """Which human rows and draft columns score above 0 against something."""
        if self.big:
            return (self.cmat.any(axis=1)[self.hclass].tolist() if self.hs else [],
                    self.cmat.any(axis=0).tolist() if self.hs else [False] * len(self.ds))
        live_col = [any(t) for t in zip(*self.crow)] if self.crow else [False] * len(self.ds)
        return [any(self.crow[c]) for c in self.hclass], live_col

    def _contexts(self) -> tuple[list, list, list]:
        mask = _masker()
        self._ctx = ([(mask(h[2]), len(h[2])) for h in self.hs],
                     [mask(d[2]) for d in self.ds], [len(d[2]) for d in self.ds])
        return self._ctx

    def row(self, a: int, lo: int, hi: int) -> list[float]:
        if self.big:
            return self.matrix([a], list(range(lo, hi)))[0].tolist()
        crow = self.crow[self.hclass[a]]
        hctx, dmask, dlen = self._ctx or self._contexts()
        hx, hl = hctx[a]
        if not hx:
            return crow[lo:hi]          # no context: the wording's similarity (v + 0.0 == v)
        return [v + 0.5 * (2 * (hx & x).bit_count() / (hl + n)) if v and x else v
                for v, x, n in zip(crow[lo:hi], dmask[lo:hi], dlen[lo:hi])]

    def matrix(self, rows: list[int], cols: list[int]):
        """``row`` for the human sentences ``rows`` and draft sentences ``cols``, as a numpy array."""
        import numpy as np

        if not self.big:
            m = len(self.ds)
            full = np.array([self.row(a, 0, m) for a in rows], dtype=np.float64).reshape(len(rows), m)
            return full[:, np.array(cols, dtype=np.intp)]
        w = self.cmat[np.ix_(np.array([self.hclass[a] for a in rows], dtype=np.intp),
                             np.array(cols, dtype=np.intp))]
        hsets = [self.hs[a][2] for a in rows]
        dsets = [self.ds[b][2] for b in cols]
        # the distinct contexts on each side (local number; -1: none)
        hid: dict = {}
        did: dict = {}
        hrow = np.array([hid.setdefault(s, len(hid)) if s else -1 for s in hsets], dtype=np.intp)
        dcol = np.array([did.setdefault(s, len(did)) if s else -1 for s in dsets], dtype=np.intp)
        if not hid or not did:
            return w
        ids = self._ids
        inter = self._inter(np.array([ids[s] for s in hid], dtype=np.intp),
                            np.array([ids[s] for s in did], dtype=np.intp))
        hl = np.array([len(s) for s in hsets], dtype=np.float64)
        dl = np.array([len(s) for s in dsets], dtype=np.float64)
        r, c = np.nonzero((w > 0) & (hrow >= 0)[:, None] & (dcol >= 0)[None, :])
        out = w.copy()
        out[r, c] = w[r, c] + 0.5 * (2 * inter[hrow[r], dcol[c]] / (hl[r] + dl[c]))
        return out

    def restrict(self, cols: list[int]) -> "Scorer":
        """The same scores over the draft sentences ``cols`` only (column k = ``cols[k]``)."""
        hctx, dmask, dlen = self._ctx or self._contexts()
        out = object.__new__(Scorer)
        out.hs, out.ds = self.hs, [self.ds[b] for b in cols]
        out.hclass, out.big = self.hclass, False
        out._ctx = (hctx, [dmask[b] for b in cols], [dlen[b] for b in cols])
        out.crow = [[r[b] for b in cols] for r in self.crow]
        return out

    def pair(self, a: int, b: int) -> float:
        return self.row(a, b, b + 1)[0]


def align_ordered(hs: list, ds: list, sc: Scorer) -> dict[int, int]:
    """Monotonic DP + swap pass, as ``align.align_reference`` with ``ordered=True``.

    Returns {human position: draft position}.
    """
    n, m = len(hs), len(ds)
    # a dead sentence scores 0 against every sentence of the other side: the DP never pairs
    # it, and its DP values are copies of the previous row's or column's
    live_row, live_col = sc.live()
    all_rows = [a for a in range(n) if live_row[a]]
    all_cols = [b for b in range(m) if live_col[b]]
    ridx = {a: k for k, a in enumerate(all_rows)}
    cidx = {b: k for k, b in enumerate(all_cols)}
    # the live scores: lists of lists, or for a big section one numpy array (the same floats,
    # see Scorer.matrix) on which the DP runs a row at a time
    big = sc.big
    if big:
        F = sc.matrix(all_rows, all_cols)
        cell = F.item
        row_top = F.max(axis=1, initial=0.0).tolist()

        def full_row(k: int) -> list[float]:
            return F[k].tolist()

        def full_col(k: int) -> list[float]:
            return F[:, k].tolist()
    else:
        sub = sc.restrict(all_cols)
        full = [sub.row(a, 0, len(all_cols)) for a in all_rows]

        def cell(k: int, l: int) -> float:
            return full[k][l]

        def full_row(k: int) -> list[float]:
            return full[k]

        def full_col(k: int) -> list[float]:
            return [r[k] for r in full]

        row_top = [max(r, default=0.0) for r in full]

    def sim(a: int, b: int) -> float:
        if not (live_row[a] and live_col[b]):
            return 0.0
        return cell(ridx[a], cidx[b])

    # strict best partners: the row's (column's) top score beats all its others by _MARGIN.
    # Only the lines the corner walks reach are asked, so each is worked out on demand.
    def strict_best(line: list[float], other_keys: list[int]) -> int | None:
        top = max(line, default=0.0)
        if top <= 0:
            return None
        k = line.index(top)
        line[k] = 0.0                # the runner-up: the line's max without its top (put back)
        second = max(line)
        line[k] = top
        return other_keys[k] if top - second > _MARGIN else None

    row_best: dict[int, int | None] = {}
    col_best: dict[int, int | None] = {}

    def anchor(i: int, j: int) -> bool:
        if not (live_row[i] and live_col[j]):
            return False             # a dead line has no best partner
        if i not in row_best:
            row_best[i] = strict_best(full_row(ridx[i]), all_cols)
        if row_best[i] != j:
            return False
        if j not in col_best:
            k = cidx[j]
            col_best[j] = strict_best(full_col(k), all_rows)
        return col_best[j] == i

    anchors: dict[int, int] = {}
    base = 0.0                       # the prefix anchors' total, added in the DP's order
    i = j = lo_a = lo_b = 0
    while i < n and j < m:
        if anchor(i, j):
            anchors[i] = j
            base = base + sim(i, j)
            i, j = i + 1, j + 1
            lo_a, lo_b = i, j
        elif not live_col[j]:
            j += 1
        elif not live_row[i]:
            i += 1
        else:
            break
    i, j = n - 1, m - 1
    hi_a, hi_b = n, m
    while i >= lo_a and j >= lo_b:
        if anchor(i, j):
            anchors[i] = j
            hi_a, hi_b = i, j
            i, j = i - 1, j - 1
        elif not live_col[j]:
            j -= 1
        elif not live_row[i]:
            i -= 1
        else:
            break
    # the middle: rows [lo_a, hi_a), columns [lo_b, hi_b), the DP started from ``base``.
    # Dead sentences are left out of the DP; the traceback below replays the reference's
    # moves over them from the live ones' values.
    r0, r1 = bisect_left(all_rows, lo_a), bisect_left(all_rows, hi_a)
    c0, c1 = bisect_left(all_cols, lo_b), bisect_left(all_cols, hi_b)
    if big:
        dp = _dp_numpy(F[r0:r1, c0:c1], base)
        at = dp.item
    else:
        dp = [[base] * (c1 - c0 + 1)]
        for r in full[r0:r1]:
            prev = dp[-1]
            row = [base]
            best = base
            # the reference's cell update, walking the previous row with zip instead of indexes
            append = row.append
            for up, diag, v in zip(prev[1:], prev, r[c0:c1]):
                if up > best:
                    best = up
                if v > 0 and diag + v > best:
                    best = diag + v
                append(best)
            dp.append(row)

        def at(x: int, y: int) -> float:
            return dp[x][y]
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
            v = cell(r0 + x - 1, c0 + y - 1)
            if v > 0 and abs(at(x, y) - (at(x - 1, y - 1) + v)) < 1e-12:
                match[lo_a + a - 1] = lo_b + b - 1
                a, b = a - 1, b - 1
                continue
        if at(x, y) == at(x - 1, y):
            a -= 1
        else:
            b -= 1

    # swap pass: the reference's first swap in (pair, later pair) order. A pair whose draft
    # sentence is the best its human sentence has anywhere (``settled``; an untouched anchor
    # is one) can only lose by trading: two settled pairs are never tested
    def settled(a: int) -> bool:
        b = match[a]
        if anchors.get(a, -1) == b:
            return True
        return not live_row[a] or sim(a, b) >= row_top[ridx[a]]

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


# from this many cells on, the scores and the DP go through numpy (below it, its call
# overheads cost more than the Python loops)
NUMPY_CELLS = 2000 if fast.ENABLED else 10**12


def _dp_numpy(mid, base: float):
    """The middle's DP table (a numpy array), a numpy row at a time.

    The reference's cell is max(up, left, diag + v when v > 0): with ``cand`` = max(up,
    diag + v) (diag + v = -inf where v is 0), the row is the running maximum of ``cand``
    (row[0] = base <= every cell, as scores are >= 0). Maxima pick one of their arguments
    and diag + v is the same IEEE addition, so every cell is bit-identical.
    """
    import numpy as np

    rows, cols = mid.shape
    gain = np.where(mid > 0, mid, -np.inf)
    dp = np.empty((rows + 1, cols + 1))
    dp[0] = base
    dp[:, 0] = base
    # for row x + 1: diag[x] and up[x] are its cells' diagonal and upper neighbours, and
    # up[x + 1] its cells from column 1 on
    diag, up = dp[:, :-1], dp[:, 1:]
    cand = np.empty(cols)
    add, maximum, running = np.add, np.maximum, np.maximum.accumulate
    for x in range(rows):
        add(diag[x], gain[x], out=cand)
        maximum(cand, up[x], out=cand)
        running(cand, out=up[x + 1])
    return dp


def align_greedy(hs: list, ds: list, sc: Scorer) -> list[tuple[int, int]]:
    """Best pairs first, as ``align.align_reference`` with ``ordered=False``."""
    n, m = len(hs), len(ds)
    if sc.big:
        return greedy_pairs(sc.matrix(list(range(n)), list(range(m))).tolist(), n, m)
    return greedy_pairs([sc.row(a, 0, m) for a in range(n)], n, m)


def align_by_row_best(hs: list, ds: list, threshold: float) -> dict[int, int] | None:
    """``align_ordered``'s result when every human sentence can take its own best draft sentence.

    Best partners, mostly without scoring: a draft sentence with the very same wording (and,
    when both have one, the same context) scores the most any pair can (1, or 1.5 with
    contexts), and every other one less by more than 1e-5 (the Dice coefficient of two
    different sets, one of p < 10^4 elements, is at most 1 - 1/(3p); a context's counts
    half). The other human
    sentences are scored against the draft wordings that reach the threshold.

    Why it is the reference's alignment: when each live human sentence (a dead one scores 0
    everywhere) can be given one of its best partners, in order, in exactly one way, that
    alignment's total is the sum of the rows' maxima, which no monotonic alignment exceeds,
    and every other alignment misses it by more than ``_MARGIN`` (a row off its best, or a row
    left out), far more than the DP's float noise; the reference traceback ends on an optimum
    within that noise, so it returns this one, and with every pair at its row's best no swap
    raises the total. "Exactly one way": the leftmost and the rightmost greedy assignments
    (the pointwise smallest and largest of all) coincide. Otherwise - ties the order does not
    settle, a score within ``_MARGIN`` of a best, a best already taken - None, and the caller
    runs the full alignment.
    """
    if len(hs) > 10**4:
        return None                  # the DP's float noise (~n^2 * 1e-16) must stay far below _MARGIN
    dclass: dict = {}                # draft wording -> class number
    cols: list[list[int]] = []       # per class, its draft sentences (ascending)
    by_ctx: dict = {}                # (class, context) -> draft sentences (ascending)
    dcl = []
    for b, d in enumerate(ds):
        k = dclass.get(d[1])
        if k is None:
            k = dclass[d[1]] = len(cols)
            cols.append([])
        cols[k].append(b)
        dcl.append(k)
        if d[2]:
            by_ctx.setdefault((k, d[2]), []).append(b)
    rows: dict = {}                  # human wording -> (its best, its row of similarities per class)
    plain: dict = {}                 # human wording without context -> its best partners, or None
    dwords: list = []                # per class: its wording as a bit mask, and its size
    mask = _masker()

    def wording_row(w: frozenset) -> tuple[float, list[float]]:
        r = rows.get(w)
        if r is None:
            if not dwords:
                dwords.extend((mask(x), len(x)) for x in dclass)
            n, y = len(w), mask(w)
            # align._sim: 2|A&B| / (|A|+|B|), 0 for an empty set (the same integers as bit
            # counts, hence the same floats); 0 below the threshold
            sims = [v if v >= threshold else 0.0
                    for v in [2 * (y & x).bit_count() / (n + k) if n and k else 0.0 for x, k in dwords]]
            r = rows[w] = (max(sims, default=0.0), sims)
        return r

    def best_without_context(w: frozenset) -> list[int] | None:
        if w not in plain:
            top, sims = wording_row(w)
            if any(top - _MARGIN < v < top for v in sims):
                plain[w] = None      # a near tie: left to the full alignment
            else:
                plain[w] = sorted(b for c, v in enumerate(sims) if v == top for b in cols[c])
        return plain[w]

    cands: list[list[int] | None] = []
    for h in hs:
        w, x = h[1], h[2]
        if len(w) >= 10**4 or len(x) >= 10**4:
            return None
        k = dclass.get(w)
        if k is not None and not x:
            cands.append(cols[k])    # score = wording similarity: 1 exactly here only
            continue
        if k is not None and (k, x) in by_ctx:
            cands.append(by_ctx[k, x])   # 1 + 0.5 * 1: the most a pair can score
            continue
        top, sims = wording_row(w)
        if top == 0.0:
            cands.append(None)       # dead: scores 0 against every draft sentence
            continue
        if not x:
            c = best_without_context(w)
            if c is None:
                return None
            cands.append(c)
            continue
        # a context on the human side: the pair scores are worked out for the classes that
        # reach the threshold (check._score: the wording's plus half the contexts'). A class
        # holding the same context scores v + 0.5 there, the most it can: the classes whose
        # best cannot come within _MARGIN of that are not scored
        n = len(x)
        floor = max((v + 0.5 for c, v in enumerate(sims) if v and (c, x) in by_ctx), default=0.0) - _MARGIN
        scores = []
        for c, v in enumerate(sims):
            if v and v + 0.5 > floor:
                for b in cols[c]:
                    y = ds[b][2]
                    scores.append((v + 0.5 * (2 * len(x & y) / (n + len(y))) if y else v, b))
        best = max(s for s, _ in scores)
        if any(best - _MARGIN < s < best for s, _ in scores):
            return None
        cands.append(sorted(b for s, b in scores if s == best))
    # the leftmost and the rightmost assignments of best partners, in order
    left: list[int | None] = []
    prev = -1
    for c in cands:
        if c is None:
            left.append(None)
            continue
        k = bisect_right(c, prev)
        if k == len(c):
            return None              # no best partner left after the previous one
        prev = c[k]
        left.append(prev)
    nxt = len(ds)
    for a in range(len(cands) - 1, -1, -1):
        c = cands[a]
        if c is None:
            continue
        b = c[bisect_left(c, nxt) - 1]   # exists: left[a] < nxt (the right one is >= the left one)
        if b != left[a]:
            return None              # two ways: the reference's tie-breaking decides
        nxt = b
    return {a: b for a, b in enumerate(left) if b is not None}
