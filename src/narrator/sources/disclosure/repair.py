"""The tables' own arithmetic (the audit's sums of rules/audit.yaml, the 科目 hierarchy) and the
solver that repairs a damaged cell where the arithmetic decides what it must say
(D001), and reports it where it cannot (D002)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from functools import cache

from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.names import WORDS
from narrator.audit.identities_for_reading import identities_for_reading
from narrator.sources.disclosure.layouts import Amount, _table_specs, vocabulary
from narrator.sources.disclosure.tables import Row, Slot, _Ctx
from narrator.core.messages import msg


# --------------------------------------------------------------------------- the tables' arithmetic

@dataclass(eq=False)
class Identity:
    """Σ lhs = Σ rhs over slots; ``where`` says which sum this is, for messages."""

    lhs: list[tuple]
    rhs: list[tuple]
    source: object     # the text of ``where``, or what describes it when asked (.description)

    @property
    def where(self) -> str:
        return self.source if isinstance(self.source, str) else self.source.description

    def terms(self) -> list[tuple]:
        return self.lhs + self.rhs

    def residual(self, val) -> Decimal | None:
        s = Decimal(0)
        for q in self.lhs:
            v = val(q)
            if v is None:
                return None
            s += v
        for q in self.rhs:
            v = val(q)
            if v is None:
                return None
            s -= v
        return s

    def solve(self, p: tuple, val) -> Decimal | None:
        """The value of ``p`` that makes the sum hold, the other terms as they are."""
        r = self.residual(lambda q: Decimal(0) if q == p else val(q))
        if r is None:
            return None
        return -r if p in self.lhs else r

    def formula(self, slots: dict[tuple, Slot]) -> str:
        def side(terms):
            shown = [t for t in terms if slots[t].value not in (None, Decimal(0)) or len(terms) <= 3]
            return " + ".join(_label(t, self.lhs[0][0]) for t in (shown or terms[:1]))
        return f"{side(self.lhs)} = {side(self.rhs)}"

    def worked(self, p: tuple, v: Decimal, slots: dict[tuple, Slot]) -> str:
        """The sum with numbers, solved for ``p``: "13898.14 − 10855.22 = 3042.92"."""
        def num(q):
            x = slots[q].value if slots[q].known else None
            return Decimal(0) if x is None else x
        same = self.lhs if p in self.lhs else self.rhs
        other = self.rhs if p in self.lhs else self.lhs
        plus = [num(q) for q in other if num(q) != 0]
        minus = [num(q) for q in same if q != p and num(q) != 0]
        text = " + ".join(_fmt(x) for x in plus) or "0"
        for x in minus:
            text += f" − {_fmt(x)}"
        return f"{text} = {_fmt(v)}"

_ROWS, _TOTAL = WORDS.rows, WORDS.total  # names by role (rules/figures-schema.yaml 结构用语)


def _fmt(v: Decimal) -> str:
    return f"{v:f}"


def _label(path: tuple, base: str) -> str:
    pre = "" if path[0] == base else f"{path[0]} "
    if len(path) >= 4 and path[1] == _ROWS:
        return f"{pre}{path[2]} {path[3]}"
    if len(path) >= 3 and path[1] == _TOTAL:
        return f"{pre}合计 {path[2]}"
    return pre + " ".join(str(x) for x in path[1:])


class _Words:
    """A sum's description: a message key and its values, made into text only when a finding
    quotes it (a reading builds hundreds of sums and reports a few)."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values):
        self.key, self.values = key, values

    @property
    def description(self) -> str:
        key = self.key              # (its placeholders: tests/sources/test_sum_descriptions_fill_their_messages.py)
        return msg(key, **self.values)


def _build_identities(ctx: _Ctx) -> list[Identity]:
    """The sums among the cells read: the audit's (rules/audit.yaml, the codes disclosure.yaml's
    修补公式 names), then the 科目 hierarchy of each 科目表."""
    out = [Identity(list(i.lhs), list(i.rhs), i)
           for i in identities_for_reading(ctx.slots, vocabulary()["修补公式"])]
    specs = _table_specs()
    for key, rows in ctx.rows.items():
        if specs[key]["类型"] == "明细表":
            out += _detail_hierarchy(key, rows, ctx)
        else:
            out += _subject_hierarchy(key, rows, ctx)
    return out


def _subject_hierarchy(key: str, rows: list[Row], ctx: _Ctx) -> list[Identity]:
    """合计 = Σ 类; 类 = Σ its 款; 款 = Σ its 项 — for every column of a 科目表."""
    codes = [r.code for r in rows]
    have = set(codes)
    children: dict[str | None, list[str]] = {}
    for c in codes:
        parent = None
        for n in (5, 3):
            if len(c) > n and c[:n] in have:
                parent = c[:n]
                break
        children.setdefault(parent, []).append(c)
    out = []
    for col in ctx.columns.get(key, []):
        for parent, kids in children.items():
            if parent is None:
                top = (key, _TOTAL, col)
                if top in ctx.slots:
                    out.append(Identity([top], [(key, _ROWS, k, col) for k in kids],
                                        _Words("identity.column_classes", table=key, column=col)))
            else:
                out.append(Identity([(key, _ROWS, parent, col)], [(key, _ROWS, k, col) for k in kids],
                                    _Words("identity.column_children", table=key, column=col, parent=parent)))
    return out


def _detail_hierarchy(key: str, rows: list[Row], ctx: _Ctx) -> list[Identity]:
    subj = load_rule_file(rules_dir() / "科目.yaml")
    codes = [r.code for r in rows]
    classes = [c for c in codes if len(c) == 3]
    kids = {c: [k for k in codes if len(k) == 5 and k.startswith(c)] for c in classes}
    p = lambda c: (key, _ROWS, c, WORDS.actual)  # noqa: E731
    out = [Identity([p(c)], [p(k) for k in ks], _Words("identity.detail_children", table=key, parent=c))
           for c, ks in kids.items() if ks]
    for name, group in subj["基本支出分组"].items():
        total = subj["分组合计"].format(组=name)
        t = (key, total)
        mine = [c for c in classes if c in group]
        if t not in ctx.slots or not mine:
            continue
        out.append(Identity([t], [p(c) for c in mine], _Words("identity.group_classes", table=key, total=total)))
        if all(kids[c] for c in mine):
            out.append(Identity([t], [p(k) for c in mine for k in kids[c]],
                                _Words("identity.group_sections", table=key, total=total)))
    return out


def _bounds(ctx: _Ctx) -> dict[tuple, list[tuple]]:
    """Lower bounds from rules/disclosure.yaml: path → paths it is at least."""
    out: dict[tuple, list[tuple]] = {}
    for e in vocabulary().get("下限", []):
        a, b = (tuple(x.strip().split(".")) for x in e.split(">="))
        if a in ctx.slots and b in ctx.slots:
            out.setdefault(a, []).append(b)
    return out


@cache
def _optional_paths() -> frozenset:
    """Rows of the fixed-row tables a disclosure may leave out (rules/disclosure.yaml 可缺行)."""
    return frozenset((key,) + tuple(r.split(".")) for key, rows in vocabulary()["可缺行"].items() for r in rows)


class _Solver:
    """Repairs damaged cells where the sums decide them (see the module docstring)."""

    def __init__(self, ctx: _Ctx, identities: list[Identity], places: int):
        self.ctx = ctx
        self.slots = ctx.slots
        self.ids = identities
        self.places = places
        self.by_path: dict[tuple, list[Identity]] = {}
        for idt in identities:
            for q in set(idt.terms()):
                self.by_path.setdefault(q, []).append(idt)
        self.bounds = _bounds(ctx)
        self.conflicts: dict[tuple, list] = {}
        self._residuals: dict[int, Decimal | None] = {}   # id(identity) → residual, until one of its cells changes
        # the sums that do not hold, by position in ``identities``: those of ``_dirty`` looked at
        # again when asked (a repair changes a few sums; the hundreds of others stay as they were)
        self._at = {id(idt): i for i, idt in enumerate(identities)}
        self._failing_at: set[int] = set()
        self._dirty: set[int] = set(range(len(identities)))
        # the cells printed with too few decimals (no other step makes one)
        self._short = [p for p, s in self.slots.items() if not s.known and s.status == "truncated"]

    def _changed(self, p: tuple) -> None:
        """Forget the residuals of the identities ``p`` is in (its value just changed)."""
        for idt in self.by_path.get(p, ()):
            self._residuals.pop(id(idt), None)
            self._dirty.add(self._at[id(idt)])

    def _failing(self) -> list[Identity]:
        """The sums that do not hold now (a residual, not 0), in the order of ``self.ids``."""
        for i in self._dirty:
            r = self.residual(self.ids[i])
            if r is not None and r != 0:
                self._failing_at.add(i)
            else:
                self._failing_at.discard(i)
        self._dirty.clear()
        return [self.ids[i] for i in sorted(self._failing_at)]

    def residual(self, idt: Identity) -> Decimal | None:
        """``idt.residual`` of the cells as they are now (kept until the next change)."""
        k = id(idt)
        if k not in self._residuals:
            self._residuals[k] = _residual_of(idt, self.slots)
        return self._residuals[k]

    def solve(self, idt: Identity, p: tuple) -> Decimal | None:
        """``idt.solve(p)`` from the kept residual: the value of ``p`` that makes the sum hold."""
        r = self.residual(idt)
        v = self.val(p)
        if r is None or v is None or idt.lhs.count(p) + idt.rhs.count(p) != 1:
            return idt.solve(p, self.val)
        return v - r if p in idt.lhs else v + r

    def val(self, q: tuple) -> Decimal | None:
        s = self.slots[q]
        if not s.known:
            return None
        return Decimal(0) if s.value is None else s.value

    def run(self) -> None:
        for _ in range(100):
            if self._truncated():
                continue
            if self._stray() or self._blank() or self._misread():
                continue
            break
        self._report()

    # -- a cell printed with fewer decimals than the table uses ("3, 042. 9")
    def _truncated(self) -> bool:
        decided = {}
        self.conflicts = {}
        for p in self._short:
            s = self.slots[p]
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

    def _fits(self, a: Amount, v: Decimal) -> bool:
        if v != v.quantize(Decimal(1).scaleb(-self.places)) or (v < 0) != (a.value < 0):
            return False
        return v.quantize(Decimal(1).scaleb(-a.decimals), rounding=ROUND_DOWN) == a.value

    # -- a stray value in an optional row that breaks the sum it is in (结余分配 11,011.12)
    def _stray(self) -> bool:
        for idt in self._failing():
            r = self.residual(idt)
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

    def _optional(self, q: tuple, idt: Identity) -> bool:
        """Whether ``q`` is a row the formula allows to be absent (marked ``?``)."""
        return q in _optional_paths()

    def _in_failing_sums(self) -> set[tuple]:
        """The cells of the sums that do not hold now: the only cells _blank and _misread can
        change (a cell in a sum that holds is what that sum says it is)."""
        out: set[tuple] = set()
        for idt in self._failing():
            out.update(idt.lhs)
            out.update(idt.rhs)
        return out

    # -- a blank cell that the sums force (年初结转和结余 left blank by the extraction)
    def _blank(self) -> bool:
        failing = self._in_failing_sums()
        for p, s in self.slots.items():
            if not (s.fixed_row and s.status == "blank") or p not in failing:
                continue
            live = [(idt, self.solve(idt, p)) for idt in self.by_path.get(p, [])
                    if self.residual(idt) is not None]
            if not live or any(v != live[0][1] for _, v in live) or live[0][1] <= 0:
                continue
            v = live[0][1]
            if len(live) < 2:
                floor = [self.val(b) for b in self.bounds.get(p, [])]
                if not any(f is not None and f > 0 for f in floor) or any(f is not None and v < f for f in floor):
                    continue
                idt = live[0][0]
                if any(self.slots[q].status == "blank" and q != p and
                       any((self.val(b) or 0) > 0 for b in self.bounds.get(q, []))
                       for q in idt.terms()):
                    continue
            s.value, s.status, s.evidence = v, "filled", [i for i, _ in live]
            self._changed(p)
            return True
        return False

    # -- a clean-looking cell that every sum it is in contradicts in the same way (222.00)
    def _misread(self) -> bool:
        failing = self._in_failing_sums()
        for p, s in self.slots.items():
            if s.status != "clean" or s.value is None or p not in failing:
                continue
            live = [idt for idt in self.by_path.get(p, []) if self.residual(idt) is not None]
            if len(live) < 2 or any(self.residual(idt) == 0 for idt in live):
                continue
            vals = {self.solve(idt, p) for idt in live}
            if len(vals) != 1:
                continue
            v = vals.pop()
            if not _one_digit_apart(s.value, v, self.places):
                continue
            ok = True
            for idt in live:
                for q in idt.terms():
                    if q == p:
                        continue
                    if not any(o not in live and self.residual(o) == 0 for o in self.by_path.get(q, [])):
                        ok = False
            if not ok:
                continue
            s.value, s.status, s.evidence = v, "misread", live
            self._changed(p)
            return True
        return False

    # -- findings
    def _report(self) -> None:
        ctx = self.ctx
        for p, s in self.slots.items():
            if s.status not in _REPORTED:
                continue
            where = _where(p)
            raw = s.cell.text if s.cell is not None else None
            end = s.anchor + len(raw) if raw else None
            if s.status == "repaired":
                v = s.value
                how = msg("join.semicolon").join(msg("reading.identity_worked", identity=i.where,
                                                                  worked=i.worked(p, v, self.slots))
                                               for i in s.evidence)
                ctx.finding("D001", "info", msg("reading.decimals_completed", where=where, raw=raw, value=_fmt(v), how=how), s.anchor, found=raw, expected=_fmt(v),
                            formula=s.evidence[0].formula(self.slots), end=end)
            elif s.status == "misread":
                v = s.value
                how = msg("join.semicolon").join(msg("reading.identity_worked", identity=i.where,
                                                                  worked=i.worked(p, v, self.slots))
                                               for i in s.evidence)
                ctx.finding("D001", "info", msg("reading.misread", where=where, raw=raw, value=_fmt(v), how=how), s.anchor, found=raw,
                            expected=_fmt(v), formula=s.evidence[0].formula(self.slots), end=end)
            elif s.status == "filled":
                v = s.value
                how = msg("join.semicolon").join(msg("reading.identity_worked", identity=i.where,
                                                                  worked=i.worked(p, v, self.slots))
                                               for i in s.evidence)
                extra = ""
                if len(s.evidence) < 2:
                    extra = msg("reading.blank_at_least", bounds=msg("join.comma").join(
                        f"{_label(b, p[0])} = {_fmt(self.val(b))}" for b in self.bounds.get(p, [])))
                ctx.finding("D001", "info", msg("reading.blank_filled", where=where, value=_fmt(v), how=how)
                            + extra, s.anchor, found="", expected=_fmt(v),
                            formula=s.evidence[0].formula(self.slots))
            elif s.status == "dropped":
                idt = s.evidence[0]
                r = idt.residual(self.val)
                ctx.finding("D001", "info", msg("reading.extra_number_dropped", where=where, raw=raw, identity=idt.where, diff=_fmt(r)), s.anchor, found=raw,
                            expected="", formula=idt.formula(self.slots), end=end)
            elif s.status == "comma":
                held = [i for i in self.by_path.get(p, []) if i.residual(self.val) == 0]
                failed = [i for i in self.by_path.get(p, []) if i.residual(self.val) not in (None, Decimal(0))]
                base = msg("reading.comma_was_point", where=where, raw=raw, value=_fmt(s.value))
                semi = msg("join.semicolon")
                if held:
                    ctx.finding("D001", "info", base + msg("reading.comma_confirmed", identities=semi.join(
                                    i.where for i in held)),
                                s.anchor, found=raw, expected=_fmt(s.value), formula=held[0].formula(self.slots),
                                end=end)
                elif failed:
                    ctx.finding("D002", "warning", base + msg("reading.comma_contradicted", identities=semi.join(
                                    i.where for i in failed)), s.anchor, found=raw,
                                expected=_fmt(s.value), end=end)
                else:
                    ctx.finding("D001", "info", base + msg("reading.comma_unconfirmed"), s.anchor,
                                found=raw, expected=_fmt(s.value), end=end)
            elif s.status == "truncated" and not s.known:
                s.value, s.known, s.status = s.amount.value, True, "kept"
                fits = self.conflicts.get(p)
                if fits:
                    why = msg("reading.sums_disagree", results=msg("join.semicolon").join(
                        msg("reading.sum_gives", identity=i.where, value=_fmt(v)) for v, i in fits))
                else:
                    why = msg("reading.no_sum_decides")
                ctx.finding("D002", "warning", msg("reading.looks_truncated", where=where, raw=raw,
                                                   decimals=s.amount.decimals, places=self.places, why=why),
                            s.anchor, found=raw, expected=_fmt(s.value), end=end)
                # the printed digits are a floor: the cell lies in [value, value + this); the audit
                # gives its identities that room instead of blaming the table for our doubt
                ctx.findings[-1].extra["uncertain"] = [list(p), f"{Decimal(1).scaleb(-s.amount.decimals):f}"]


def _residual_of(idt: Identity, slots: dict[tuple, Slot]) -> Decimal | None:
    """``idt.residual(_Solver.val)`` without a call per cell: None when a cell is not known, a
    blank cell adding nothing (the same digits and exponent: the sum starts at 0, exponent 0)."""
    s = Decimal(0)
    for q in idt.lhs:
        c = slots[q]
        if not c.known:
            return None
        if c.value is not None:
            s += c.value
    for q in idt.rhs:
        c = slots[q]
        if not c.known:
            return None
        if c.value is not None:
            s -= c.value
    return s


_REPORTED = frozenset(("repaired", "misread", "filled", "dropped", "comma", "truncated"))


def _one_digit_apart(a: Decimal, b: Decimal, places: int) -> bool:
    q = Decimal(1).scaleb(-places)
    x, y = f"{a.quantize(q):f}", f"{b.quantize(q):f}"
    return len(x) == len(y) and sum(1 for i, j in zip(x, y) if i != j) == 1


def _where(p: tuple) -> str:
    if len(p) >= 4 and p[1] == _ROWS:
        return f"{p[0]} {p[2]} {p[3]}"
    return " ".join(str(x) for x in p)
