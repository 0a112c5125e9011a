"""The 绩效 reader's block split as first written (sources/disclosure/performance._split before
it took each block's lines as a slice): every scored line placed by a bisection of the cuts."""

from __future__ import annotations

import itertools
from bisect import bisect_right
from decimal import Decimal


def split(heads, hpos, scored, labelled):
    n = len(heads)
    gaps = []
    for k in range(n - 1):
        inner = {p for p, _r in scored if hpos[k] < p < hpos[k + 1]}
        gaps.append(sorted(inner | {hpos[k + 1]}))
    found: dict[tuple, tuple[int, float]] = {}
    for count, cuts in enumerate(itertools.product(*gaps)):
        if count > 200000:
            break
        sums = [Decimal(0)] * n
        members: list[list[int]] = [[] for _ in range(n)]
        for p, r in scored:
            k = bisect_right(cuts, p)
            sums[k] += r.score[0]
            members[k].append(p)
        if any(h.heading[1] is not None and sums[k] > h.heading[1] for k, h in enumerate(heads)):
            continue
        wrong = sum(1 for p, owner in labelled if heads[bisect_right(cuts, p)].heading[0] != owner)
        off = 0.0
        for k in range(n):
            lo = cuts[k - 1] if k else min([hpos[0]] + members[0])
            hi = cuts[k] - 1 if k < n - 1 else max([hpos[-1]] + members[-1])
            off += abs((lo + hi) / 2 - hpos[k])
        key = tuple(sums)
        found[key] = min((wrong, off), found.get(key, (wrong, off)))
    if not found:
        return None
    best = min(found, key=lambda k: found[k])
    return list(best), [list(k) for k in found if k != best and found[k][0] == found[best][0]]
