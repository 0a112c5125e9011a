"""The repair solver's scans as written before it kept the failing sums between steps
(sources/disclosure/repair._Solver at a7c177b): every sum's residual looked at on each step,
every cell looked at for a truncated one."""

from __future__ import annotations


def truncated(self) -> bool:
    decided = {}
    self.conflicts = {}
    for p, s in self.slots.items():
        if s.known or s.status != "truncated":
            continue
        fits = []
        for idt in self.by_path.get(p, []):
            v = self.solve(idt, p)
            if v is not None and self._fits(s.amount, v):
                fits.append((v, idt))
        vals = {v for v, _ in fits}
        if len(vals) == 1:
            decided[p] = (vals.pop(), fits)
        elif len(vals) > 1:
            self.conflicts[p] = fits
    for p, (v, fits) in decided.items():
        s = self.slots[p]
        s.value, s.known, s.status, s.evidence = v, True, "repaired", [i for _, i in fits]
        self._changed(p)
    return bool(decided)


def stray(self) -> bool:
    for idt in self.ids:
        r = self.residual(idt)
        if r is None or r == 0:
            continue
        fits = []
        for q in idt.terms():
            s = self.slots[q]
            if not (s.fixed_row and s.status == "clean" and s.value) or not self._optional(q, idt):
                continue
            if (r - s.value if q in idt.lhs else r + s.value) == 0:
                fits.append(q)
        if len(fits) != 1:
            continue
        q = fits[0]
        if any(o is not idt and self.residual(o) == 0 for o in self.by_path.get(q, [])):
            continue
        s = self.slots[q]
        s.status, s.evidence, s.value = "dropped", [idt], None
        self._changed(q)
        return True
    return False


def in_failing_sums(self) -> set[tuple]:
    out: set[tuple] = set()
    for idt in self.ids:
        r = self.residual(idt)
        if r is not None and r != 0:
            out.update(idt.lhs)
            out.update(idt.rhs)
    return out


SCANS = {"_truncated": truncated, "_stray": stray, "_in_failing_sums": in_failing_sums}
