"""Fuzzy name matching as it was before pruning: every name scored (``layouts.match_name`` skips
the names that cannot reach the threshold)."""

from __future__ import annotations

import difflib

from narrator.sources.disclosure.layouts import Match, fix_glyphs, norm, strip_ordinal


def full_scoring(label: str, names: dict[str, str], threshold: float = 0.75, margin: float = 0.05):
    """The best match of ``label`` among ``names`` (normalised → canonical), every name scored."""
    n = norm(strip_ordinal(label))
    if not n:
        return None
    if n in names:
        return Match(names[n], 1.0, False)
    g = fix_glyphs(n)
    if g in names:
        return Match(names[g], 1.0, True)
    scored = sorted(((difflib.SequenceMatcher(None, g, k, autojunk=False).ratio(), c) for k, c in names.items()),
                    reverse=True)
    if not scored or scored[0][0] < threshold:
        return None
    best, canon = scored[0]
    for s, c in scored[1:]:
        if c != canon:
            if best - s < margin:
                return None
            break
    return Match(canon, best, True)
