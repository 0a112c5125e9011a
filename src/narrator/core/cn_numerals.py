"""Small Chinese numerals (0–9999) written and read without cn2an, which takes 100–400 ms to import
and set up. Exactly as cn2an writes and reads them: tests/core/test_cn_numerals.py compares every
number; anything else is left to cn2an by the callers."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_UNITS = ("", "十", "百", "千")


def cn_small(n: int) -> str:
    """0 ≤ n < 10000 as cn2an.an2cn writes it (十一, 一百一十, 一千零一)."""
    if not 0 <= n < 10000:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    digits = [int(c) for c in str(n)]
    out, zero = [], False
    for i, d in enumerate(digits):
        if d == 0:
            zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_DIGITS[d] + _UNITS[len(digits) - 1 - i])
    return "".join(out)


_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}


def read_cn_small(text: str) -> int | None:
    """The value of a numeral written exactly as cn_small writes it; None for any other writing
    (两, 万, 一十, digit strings …), which the caller leaves to cn2an."""
    if not text or len(text) > 8:
        return None
    n, cur = 0, None
    for ch in text:
        d = _DIGITS.find(ch)
        if d >= 0:
            cur = d
            continue
        unit = _UNIT_VALUE.get(ch)
        if unit is None:
            return None
        n += (1 if cur is None else cur) * unit
        cur = None
    n += cur or 0
    return n if n < 10000 and cn_small(n) == text else None
