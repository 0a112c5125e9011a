"""Values as templates see them: a number with where it came from.

``Q`` is a figure or a derived number. It keeps the exact ``Decimal``, the official name
it stands for, the figure path it was read from, and — for derived numbers — the
operation and the inputs, so a printed number can explain itself (its slot's formula).
``Missing`` stands for a figure the file does not give (or a division by zero); it is
falsy, propagates through arithmetic and prints as a visible placeholder.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

from narrator.core.numbers import ZERO, divide, fmt


class Missing:
    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Missing({self.reason!r})"

    def __str__(self) -> str:
        return ""

    def _prop(self, *_a, **_k):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _prop
    __truediv__ = __rtruediv__ = __neg__ = __abs__ = _prop

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Missing(f"{self.reason}.{name}")

    def __getitem__(self, key):
        return Missing(f"{self.reason}.{key}")

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


def is_missing(v) -> bool:
    return v is None or isinstance(v, Missing)


def zero_divisor(b: "Q") -> Missing:
    """What a division by ``b`` gives when ``b`` is zero (also used by the compiled rules)."""
    return Missing(f"{b.label or b.value} 为零，无法计算")


class Q:
    """A number from the figures or derived from them."""

    __slots__ = ("value", "unit", "label", "path", "op", "inputs", "rule", "places")

    def __init__(self, value: Decimal, unit: str = "金额", label: str = "", path: tuple | None = None,
                 op: str | None = None, inputs: tuple = (), rule: str | None = None,
                 places: int | None = None):
        self.value = value
        self.unit = unit
        self.label = label
        self.path = path
        self.op = op            # display pattern over inputs, e.g. "{0} ÷ {1}"
        self.inputs = inputs    # tuple of Q
        self.rule = rule        # name of the rule that produced it
        self.places = places    # precision the rule prints it at (None: the unit's default)

    # truthiness: zero means "not applicable" (不涉及的不列)
    def __bool__(self) -> bool:
        return self.value != 0

    def __repr__(self) -> str:
        return f"Q({self.value}, {self.unit!r}, {self.label!r})"

    def __str__(self) -> str:
        return f"{self.value:f}"

    @property
    def sign(self) -> int:
        return (self.value > 0) - (self.value < 0)

    @property
    def is_derived(self) -> bool:
        return self.op is not None

    def __abs__(self) -> "Q":
        if self.value >= 0:
            return self
        return Q(-self.value, self.unit, self.label, self.path, self.op, self.inputs, self.rule, self.places)

    def __neg__(self) -> "Q":
        return Q(-self.value, self.unit, self.label, None, "−({0})", (self,), self.rule, self.places)

    def _bin(self, other, op: str, fn, reverse=False):
        if isinstance(other, Missing):
            return other
        o = other if isinstance(other, Q) else Q(Decimal(other), "数值", str(other))
        a, b = (o, self) if reverse else (self, o)
        try:
            v = fn(a.value, b.value)
        except ZeroDivisionError:
            return zero_divisor(b)
        unit = a.unit if a.unit == b.unit else (a.unit if b.unit == "数值" else b.unit)
        return Q(v, unit, "", None, op, (a, b))

    def __add__(self, o):
        return self._bin(o, ADD, operator.add)

    def __radd__(self, o):
        if o == 0:  # sum() starts at 0
            return self
        return self._bin(o, ADD, operator.add, True)

    def __sub__(self, o):
        return self._bin(o, SUB, operator.sub)

    def __rsub__(self, o):
        return self._bin(o, SUB, operator.sub, True)

    def __mul__(self, o):
        return self._bin(o, MUL, operator.mul)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._bin(o, DIV, _divide_nonzero)

    # comparisons on values (templates: {% if a > b %})
    def _v(self, o):
        return o.value if isinstance(o, Q) else Decimal(o)

    def __eq__(self, o):
        if type(o) is int:  # {% if 额 != 0 %}: a Decimal compares with an int exactly
            return self.value == o
        if isinstance(o, Missing) or o is None:
            return False
        try:
            return self.value == self._v(o)
        except Exception:
            return NotImplemented

    def __hash__(self):
        return hash(self.value)

    def __lt__(self, o):
        return self.value < self._v(o)

    def __le__(self, o):
        return self.value <= self._v(o)

    def __gt__(self, o):
        return self.value > self._v(o)

    def __ge__(self, o):
        return self.value >= self._v(o)

    # -- explanation -------------------------------------------------------
    def leaves(self) -> list["Q"]:
        """The figures this number was computed from (itself if it is a figure)."""
        if not self.inputs:
            return [self]
        out: list[Q] = []
        for i in self.inputs:
            out.extend(i.leaves())
        return out

    def explain(self, default_places: dict[str, int]) -> str:
        """The computation with its inputs: ``10855.22 ÷ 11121.20``."""
        if not self.op:
            places = self.places if self.places is not None else default_places.get(self.unit, 2)
            return fmt(self.value, max(places, natural_places(self.value)))
        parts = []
        for i in self.inputs:
            text = i.explain(default_places)
            if i.op and len(self.inputs) > 1 and (" + " in text or " − " in text) and "÷" in self.op + "×":
                text = f"({text})"
            parts.append(text)
        return self.op.format(*parts)


# display patterns of the four operations (made once, not per operation)
ADD, SUB, MUL, DIV = ("{0} + {1}", "{0} − {1}", "{0} × {1}", "{0} ÷ {1}")


def _divide_nonzero(x: Decimal, y: Decimal) -> Decimal:
    if y == 0:
        raise ZeroDivisionError
    return divide(x, y)


def natural_places(v: Decimal) -> int:
    exp = v.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


ZERO_Q = Q(ZERO, "金额", "0")


def as_q(v: Any, unit: str = "金额", label: str = "", path: tuple | None = None):
    if isinstance(v, (Q, Missing)):
        return v
    if isinstance(v, Decimal):
        return Q(v, unit, label, path)
    if isinstance(v, bool):
        raise TypeError("bool")
    if isinstance(v, int):
        return Q(Decimal(v), unit, label, path)
    if v is None:
        return Missing(label or ".".join(map(str, path or ())))
    raise TypeError(f"not a number: {v!r}")
