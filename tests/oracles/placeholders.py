"""Is a position inside a placeholder: a bisection per position (``checker._outside`` walks instead)."""

from __future__ import annotations

import bisect


def in_hole(holes: list[tuple[int, int]], pos: int) -> bool:
    """Is ``pos`` inside one of the placeholders (sorted, disjoint spans)?"""
    k = bisect.bisect_right(holes, (pos, float("inf"))) - 1
    return k >= 0 and holes[k][0] <= pos < holes[k][1]
