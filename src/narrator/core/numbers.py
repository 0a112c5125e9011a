"""Exact decimal arithmetic and the way numbers are printed (四舍五入, never float)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

ZERO = Decimal(0)


def to_decimal(value) -> Decimal:
    """Convert an int, Decimal or numeric string to Decimal (never via float)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if "_" in text:  # Decimal() reads 1_000; a figure written so is text (YAML 1.2)
            raise ValueError(f"not a number: {value!r}")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
        if not d.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return d
    if isinstance(value, float):
        raise TypeError("float is not accepted for money; pass the source text")
    raise TypeError(f"not a number: {value!r}")


_QUANTA = [Decimal(1).scaleb(-p) for p in range(12)]
_HALF_UP = Context(prec=50, rounding=ROUND_HALF_UP)
_DOWN = Context(prec=50, rounding=ROUND_DOWN)
_quantize_half_up = _HALF_UP.quantize


def quantum(places: int) -> Decimal:
    return _QUANTA[places] if 0 <= places < 12 else Decimal(1).scaleb(-places)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round to ``places`` decimals, half away from zero (四舍五入)."""
    return value.quantize(quantum(places), context=_HALF_UP)


def truncate(value: Decimal, places: int) -> Decimal:
    return value.quantize(quantum(places), context=_DOWN)


def decimals_of(text: str) -> int:
    """Number of digits after the decimal point in a printed number."""
    if "." not in text:
        return 0
    return len(text.split(".", 1)[1])


def fmt(value: Decimal, places: int, strip_zeros: bool = False) -> str:
    """Print ``value`` at ``places`` decimals, half-up; optionally drop trailing zeros."""
    # round_half_up, inlined: this runs for every printed number
    # the context's bound method: the same operation as value.quantize(…, context=_HALF_UP),
    # without the keyword argument parsing that made it the larger part of this function
    d = _quantize_half_up(value, _QUANTA[places] if 0 <= places < 12 else quantum(places))
    if not d:
        d = abs(d)  # no "-0.00"
    # str() is several times cheaper than format(d, "f") and prints the same digits unless
    # it chooses exponent notation (tiny values, or places < 0)
    text = str(d)
    if "E" in text:
        text = f"{d:f}"
    if strip_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def exponent(value: Decimal) -> int | str:
    """``value.as_tuple().exponent`` (the number of decimals as written, negated) without
    building the digit tuple: str() prints a finite Decimal without an exponent exactly when
    its exponent is <= 0 (and it is not tiny), and then the decimals are its exponent."""
    text = str(value)
    if "E" in text or not value.is_finite():
        return value.as_tuple().exponent
    dot = text.find(".")
    return 0 if dot < 0 else dot + 1 - len(text)


# The default decimal context with 34 digits, made once: entering localcontext() for
# every division was a measurable part of rendering. Nothing in narrator changes the
# thread's context, so this is the context ``localcontext()`` + ``prec = 34`` gave.
_DIVIDE = Context(prec=34)


def divide(a: Decimal, b: Decimal) -> Decimal:
    return _DIVIDE.divide(a, b)
