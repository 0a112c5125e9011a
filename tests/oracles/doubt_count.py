"""The doubt check's count of held and failed sums and a sum's tolerance as first written
(sources/disclosure/reread._count and _tolerance at a7c177b)."""

from __future__ import annotations

from decimal import Decimal


def count(r, slots: dict, ids, own: list | None = None) -> None:
    """Held and failed sums of one table, each term allowed one unit in its last printed place
    (``own``: the table's slots, when the caller has them grouped)."""
    if own is None:
        own = [s for p, s in slots.items() if p[0] == r.block.key]
    r.cells = sum(1 for s in own if s.value is not None)
    for idt in ids:
        if any(q[0] != r.block.key for q in idt.terms()):
            continue
        total, tol, ok = Decimal(0), Decimal(0), True
        for q, sign in [(q, 1) for q in idt.lhs] + [(q, -1) for q in idt.rhs]:
            s = slots.get(q)
            if s is None:
                ok = False
                break
            if s.value is not None:
                total += sign * s.value
                tol += Decimal(1).scaleb(-(s.amount.decimals if s.amount is not None else 2))   # (was a table of these)
        if not ok or all(slots[q].value is None for q in idt.terms()):
            continue
        if abs(total) <= tol:
            r.held += 1
        else:
            r.failed += 1


def tolerance(ctx, idt) -> Decimal:
    """One unit in the last printed place of each term (2 decimals when not printed)."""
    out = Decimal(0)
    for q in idt.terms():
        s = ctx.slots.get(q)
        out += Decimal(1).scaleb(-(s.amount.decimals if s is not None and s.amount is not None else 2))
    return out
