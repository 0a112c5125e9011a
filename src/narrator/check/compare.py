"""Precision-aware comparison of a written number with an exact value.

A written number is consistent when the exact value rounds (half-up) to it at the
precision it was written with: "72%" for 71.997% is right, "97.51%" for 97.608% is not.
A value that was truncated instead of rounded is a warning. Qualifiers widen the claim:
约/近/左右 allow one unit in the last written place, 超过/以上/余/多 require the exact value
to be at least the written one, 不足/不到 require it to be less.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.core.numbers import fmt, quantum, round_half_up, truncate

OK, TRUNCATED, MISMATCH = "ok", "truncated", "mismatch"

ABOUT, AT_LEAST, BELOW = "约数", "下限", "上限"


@cache
def _meanings() -> dict[str, str]:
    """Each qualifier word's meaning (rules/extract.yaml, qualifiers.meaning)."""
    table = load_rule_file(rules_dir() / "extract.yaml")["qualifiers"]["meaning"]
    return {word: kind for kind, words in table.items() for word in words}


def meaning(qualifier: str | None) -> str | None:
    """约数, 下限, 上限 or None (no qualifier)."""
    return None if qualifier is None else _meanings().get(qualifier)


def verdict(exact: Decimal, written: Decimal, places: int, qualifier: str | None = None) -> str:
    exact_abs, written_abs = abs(exact), abs(written)
    kind = meaning(qualifier)
    if kind == AT_LEAST:
        return OK if exact_abs >= written_abs else MISMATCH
    if kind == BELOW:
        return OK if exact_abs < written_abs or round_half_up(exact_abs, places) <= written_abs else MISMATCH
    rounded = round_half_up(exact_abs, places)
    if rounded == written_abs:
        return OK
    if kind == ABOUT and abs(exact_abs - written_abs) <= quantum(places):
        return OK
    if truncate(exact_abs, places) == written_abs:
        return TRUNCATED
    return MISMATCH


def interval_ok(parts: list[tuple[Decimal, int]], total: Decimal, total_places: int) -> tuple[bool, Decimal, Decimal]:
    """Can exact parts, each within half a unit of its printed value, add up to a printed total?

    Returns (ok, residue, tolerance). XBRL Calculations 1.1 style interval arithmetic.
    """
    s = sum((v for v, _ in parts), Decimal(0))
    tol = sum((quantum(p) / 2 for _, p in parts), Decimal(0)) + quantum(total_places) / 2
    residue = total - s
    return abs(residue) <= tol, residue, tol


def expected_text(m, exact: Decimal, slot_places: int) -> str:
    """What a written number should say: ``exact`` at the written places, or at the slot's
    when those tell the two apart (trailing zeros dropped)."""
    p = max(m.places, 0)
    if round_half_up(exact, p) != round_half_up(exact, slot_places) and slot_places > p:
        txt = fmt(exact, slot_places)
        return txt.rstrip("0").rstrip(".") if "." in txt else txt
    return fmt(abs(exact), p)
