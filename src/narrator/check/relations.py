"""The text against itself, on the claim reader's readings (no figures needed).

Every relation is checked with interval arithmetic: a printed number stands for every value
within half a unit of its last digit, and a relation is wrong only when no choice inside
those intervals reproduces the printed result (rounded half-up to its printed places). A
number is called wrong only when its own words say what it is compared with; numbers whose
relation holds are confirmed, with the relation as evidence.

- rate = change ÷ base (base printed, or this year − change), and its ×100 slip (N202);
  change = this year − base when the base is printed (N202); direction words against the
  signs (N105);
- share = part ÷ whole (N205); shares of one whole add up to 100% (N204);
- completion = actual ÷ budget (N201);
- parts listed after 其中 / in parentheses against their total, and the complete breakdowns
  of rules/claims.yaml (构成) against theirs (N207);
- the same subject and measure stated twice with different values (N208);
- a year before this year's amount that is the year before (N209);
- 元 written among 万元 amounts where a relation holds only with 万元 (N210).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from decimal import Decimal

from narrator.check.claims import ACT, BUDGETS, CHG, COMPL, PY, RATE, SHARE, Document, Reading, fold, vocabulary
from narrator.check.compare import ABOUT, AT_LEAST, BELOW, meaning
from narrator.core.numbers import divide, fmt, quantum, round_half_up
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.core.findings import line_col
from narrator.core.messages import msg

_INF = Decimal("1e30")
_HUNDRED = Decimal(100)


@dataclass
class Verdict:
    code: str
    reading: Reading | None
    start: int
    end: int
    found: str
    expected: str | None
    detail: str
    formula: str
    evidence: list[int]           # indices of the readings used
    severity: str | None = None
    fix: str | None = None


def _ratio(num: tuple[Decimal, Decimal], den: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    """The range of num ÷ den × 100 over two non-negative intervals."""
    nlo, nhi = max(num[0], Decimal(0)), max(num[1], Decimal(0))
    dlo, dhi = den
    if dhi <= 0:
        return _INF, _INF
    lo = divide(nlo, dhi) * _HUNDRED
    hi = _INF if dlo <= 0 else divide(nhi, dlo) * _HUNDRED
    return lo, hi


def _fits(r: Reading, lo: Decimal, hi: Decimal) -> str:
    """ok | truncated | wrong: does the printed percentage cover some value in [lo, hi]?"""
    m = r.mention
    q = quantum(m.places)
    v = abs(m.value)
    q_lo, q_hi = v - q / 2, v + q / 2
    kind = meaning(m.qualifier)
    if kind == ABOUT:
        q_lo, q_hi = v - q, v + q
    elif kind == AT_LEAST:
        q_lo, q_hi = v, _INF
    elif kind == BELOW:
        q_lo, q_hi = Decimal(0), v + q / 2
    if q_hi >= lo and q_lo <= hi:
        return "ok"
    if kind is None and v <= hi and v + q >= lo:
        return "truncated"
    return "wrong"


def _center_ratio(num: tuple[Decimal, Decimal], den: tuple[Decimal, Decimal]) -> Decimal | None:
    """num ÷ den × 100 at the printed values (the intervals' centres); None for a zero base."""
    n, d = (num[0] + num[1]) / 2, (den[0] + den[1]) / 2
    if d <= 0:
        return None
    return divide(abs(n), d) * _HUNDRED


def _expected(r: Reading, exact: Decimal | None) -> str | None:
    if exact is None:
        return None
    places = r.mention.places
    if places < 2 and round_half_up(exact, places) != round_half_up(exact, 2):
        places = 2
    return fmt(exact, places)


def _t(r: Reading) -> str:
    return r.mention.text.strip()


class Relations:
    def __init__(self, doc: Document, skip: set[int] | None = None):
        self.doc = doc
        self.skip = skip or set()                  # readings the figures refute: no relation on them
        self.R = doc.readings
        self.verdicts: list[Verdict] = []
        self.confirmed: dict[int, str] = {}        # reading index -> the rule that confirmed it
        self.groups: dict[int, list[int]] = {}     # reading index -> the readings of that relation
        self.centres: dict[int, Decimal] = {}      # a percentage -> its value at the printed inputs
        self.blamed: set[int] = set()

    # -- bookkeeping ---------------------------------------------------------------
    def confirm(self, rule: str, *rs: Reading) -> None:
        group = [r.index for r in rs if r is not None]
        if any(i in self.skip for i in group):
            return
        for r in rs:
            if r is not None and r.index not in self.blamed:
                self.confirmed.setdefault(r.index, rule)
                self.groups.setdefault(r.index, group)

    def blame(self, code: str, r: Reading, expected: str | None, detail: str, formula: str,
              evidence: list[Reading], severity: str | None = None, span: tuple[int, int] | None = None,
              found: str | None = None, fix: str | None = None) -> None:
        if r.index in self.blamed or r.narrative or r.index in self.skip \
                or any(x.index in self.skip for x in evidence):
            return
        self.blamed.add(r.index)
        self.confirmed.pop(r.index, None)
        start, end = span if span else (r.mention.start, r.mention.end)
        self.verdicts.append(Verdict(code, r, start, end, found if found is not None else r.mention.text,
                                     expected, detail, formula, [x.index for x in evidence], severity,
                                     fix if fix is not None else expected))
        # which of the numbers is wrong is not known for a sum or a figure stated twice: no fix
        if code in ("N207", "N208"):
            self.verdicts[-1].fix = None

    def money(self, r: Reading) -> tuple[Decimal, Decimal]:
        return r.interval()

    # -- the checks ----------------------------------------------------------------
    def run(self) -> "Relations":
        for r in self.R:
            if r.narrative:
                continue
            if r.measure == RATE:
                self.rate(r)
            elif r.measure == CHG:
                self.change(r)
            elif r.measure == SHARE:
                self.share(r)
            elif r.measure == COMPL:
                self.completion(r)
        self.shares_sum()
        self.parts()
        self.breakdowns()
        self.twice()
        self.stale_years()
        self.comparisons()
        self.no_change_words()
        self.changes_of_breakdowns()
        self.yuan_among_wan()
        return self

    def yuan_among_wan(self) -> None:
        """"33.17元" beside 万元 amounts in a 万元 text, with nothing to prove it: a warning."""
        if self.doc.unit != "万元":
            return
        text = self.doc.text
        for sent in self.doc.sentences:
            rs = [self.R[j] for j in sent.readings if self.R[j].kind == "money"]
            for r in rs:
                m = r.mention
                if m.unit != "元" or r.index in self.blamed or r.index in self.confirmed or r.narrative:
                    continue
                if m.value == 0 or m.value >= 10000 or not any(x.unit == "万元" for x in rs if x is not r):
                    continue
                self.verdicts.append(Verdict(
                    "N210", r, m.unit_start, m.unit_end, text[m.unit_start:m.unit_end], "万元",
                    msg("check.yuan_among_wanyuan"), f"{_t(r)}元 = {fmt(r.value, 6)}万元",
                    [], "warning", fix=None))

    def no_change_words(self) -> None:
        """持平/无增减/无变化 in a sentence whose own amounts differ (决算 against 上年 or 预算)."""
        text = self.doc.text
        zero = [w for w, sign in _zero_words()]
        for sent in self.doc.sentences:
            if sent.section < 0 or not sent.readings:
                continue
            words = fold(text[sent.start:sent.end])
            if not any(w in words for w in zero):
                continue
            pool = [self.R[j] for j in sent.readings if self.R[j].kind == "money" and self.R[j].depth == 0]
            act = next((x for x in pool if x.measure == ACT), None)
            other = next((x for x in pool if x.measure in (PY,) + BUDGETS and not x.ambiguous), None)
            if act is None or other is None or any(x.measure == CHG for x in pool):
                continue
            diff = act.value - other.value
            if abs(diff) <= act.half + other.half:
                continue
            for w in zero:
                at = text.find(w, other.mention.end, sent.end)
                if at < 0:
                    continue
                want = "增加" if diff > 0 else "减少"
                self.verdicts.append(Verdict(
                    "N105", None, at, at + len(w), w, want,
                    msg("check.not_equal_word", a=_t(act), b=_t(other), word=w), f"{_t(act)} − {_t(other)} = {fmt(diff, 2)}",
                    [act.index, other.index], fix=""))
                break

    def changes_of_breakdowns(self) -> None:
        """The changes of a complete breakdown's parts add up to the change of its total."""
        comp = vocabulary()["构成"]
        changes: dict[int, Reading] = {}
        for r in self.R:
            if r.measure == CHG and r.anchor is not None and r.sign is not None and not r.vs_budget \
                    and r.index not in self.skip:
                changes.setdefault(r.anchor, r)
        by_subject: dict[tuple[str, int], Reading] = {}
        for r in self.R:
            if r.kind == "money" and r.measure == ACT and r.subject and r.index in changes:
                by_subject.setdefault((r.subject, r.section), r)
        for whole, members in comp.items():
            for (subj, sec), total in list(by_subject.items()):
                if subj != whole:
                    continue
                parts = [by_subject.get((m, sec)) for m in members]
                if any(p is None for p in parts):
                    continue
                tc = changes[total.index]
                pcs = [changes[p.index] for p in parts]
                s = sum((c.sign * c.value for c in pcs), Decimal(0))
                tol = sum((c.half for c in pcs), Decimal(0)) + tc.half
                if abs(s - tc.sign * tc.value) <= tol:
                    self.confirm(msg("rel.changes_add_up"), tc, *pcs)
                    continue
                self.blame("N207", tc, fmt(abs(s), tc.mention.places), msg("rel.changes_do_not_add_up"),
                           " ".join(f"{'+' if c.sign > 0 else '−'}{_t(c)}" for c in pcs) + f" = {fmt(s, 2)}", pcs)

    def comparisons(self) -> None:
        """“决算数大于/小于/等于预算数” against the two amounts of that sentence (or the one before)."""
        words = vocabulary()["比较结果"]
        alts = "|".join(sorted((re.escape(w) for ws in words.values() for w in ws), key=len, reverse=True))
        pattern = re.compile(rf"决算数?\s*({alts})\s*(?:年初|全年|调整)?预算数?")
        want_of = {w: k for k, ws in words.items() for w in ws}
        text = self.doc.text
        for i, sent in enumerate(self.doc.sentences):
            mm = pattern.search(text, sent.start, sent.end)
            if not mm or sent.section < 0:
                continue
            pool = [self.R[j] for j in sent.readings if self.R[j].mention.start < mm.start()]
            if i > 0 and self.doc.sentences[i - 1].section == sent.section:
                pool = [self.R[j] for j in self.doc.sentences[i - 1].readings] + pool
            act = next((x for x in reversed(pool) if x.kind == "money" and x.measure == ACT), None)
            bud = next((x for x in reversed(pool) if x.kind == "money" and x.measure in BUDGETS), None)
            if act is None or bud is None:
                continue
            diff = act.value - bud.value
            tol = act.half + bud.half
            want = "大于" if diff > tol else "小于" if diff < -tol else "等于" if tol == 0 and diff == 0 else None
            word = mm.group(1)
            if want is None or want_of[word] == want:
                if want is not None:
                    self.confirm(msg("rel.comparison_sign"), act, bud)
                continue
            a, b = mm.span(1)
            self.verdicts.append(Verdict("N203", None, a, b, word, want,
                                         msg("check.actual_and_budget", actual=_t(act), budget=_t(bud)),
                                         f"{_t(act)} − {_t(bud)} = {fmt(diff, 2)}", [act.index, bud.index], fix=want))

    def _base(self, r: Reading, anchor: Reading, change: Reading | None):
        """The base interval of a change or rate, and its readings and formula words."""
        if r.base is not None:
            b = self.R[r.base]
            return b.interval(), [b], _t(b)
        if change is None or change.sign is None:
            return None, [], ""
        a_lo, a_hi = anchor.interval()
        c_lo, c_hi = change.interval()
        if change.sign > 0:
            return (a_lo - c_hi, a_hi - c_lo), [anchor, change], f"({_t(anchor)} − {_t(change)})"
        if change.sign < 0:
            return (a_lo + c_lo, a_hi + c_hi), [anchor, change], f"({_t(anchor)} + {_t(change)})"
        return None, [], ""

    def rate(self, r: Reading) -> None:
        if r.anchor is None:
            return
        anchor = self.R[r.anchor]
        change = self.R[r.change] if r.change is not None else None
        if change is not None and change.sign is not None and r.sign is not None \
                and change.sign != 0 and r.sign != 0 and change.sign != r.sign and r.sign_word:
            base = self.R[r.base] if r.base is not None else None
            if base is not None:
                # the printed base decides which word is wrong
                truth = 1 if anchor.value > base.value else -1 if anchor.value < base.value else 0
                wrong = r if truth != r.sign else change
            else:
                wrong = r
            if wrong.sign_word:
                a, b = wrong.sign_word
                word = self.doc.text[a:b]
                want = flip_word(word)
                self.blame("N202", wrong, want, msg("check.opposite_words", a=_word(self.doc, change), b=_word(self.doc, r)),
                           "", [anchor, change], span=(a, b), found=word)
            return
        base, used, base_words = self._base(r, anchor, change)
        if base is None:
            return
        if change is not None:
            num, num_words = change.interval(), _t(change)
        else:
            a_lo, a_hi = anchor.interval()
            num = (abs(a_lo - base[1]) if a_lo > base[1] else abs(base[0] - a_hi) if base[0] > a_hi else Decimal(0),
                   max(abs(a_hi - base[0]), abs(base[1] - a_lo)))
            num_words = f"|{_t(anchor)} − {base_words}|"
        if base[0] <= 0 and r.mention.value in (0, 100):
            return                      # from nothing: the "增长100%" convention
        if base[1] <= 0:
            return                      # a negative base: some amount is wrong, not knowably which
        lo, hi = _ratio(num, base)
        v = _fits(r, lo, hi)
        if v != "ok" and r.base is not None and self.R[r.base].ambiguous and change is None:
            # "较2015决算数9.62万元，…上升37.30%": the amount may be the change itself
            alt = self.R[r.base]
            a_lo, a_hi = anchor.interval()
            c_lo, c_hi = alt.interval()
            alt_base = (a_lo - c_hi, a_hi - c_lo) if (r.sign or 1) > 0 else (a_lo + c_lo, a_hi + c_hi)
            if _fits(r, *_ratio(alt.interval(), alt_base)) == "ok":
                self.confirm(msg("rel.rate_rule"), r, anchor, alt)
            return
        evidence = [anchor] + ([change] if change is not None else []) + [x for x in used if x not in (anchor, change)]
        if v == "ok":
            self.centres[r.index] = _center_ratio(num, base)
            self.confirm(msg("rel.rate_rule"), r, anchor, change, *used)
            return
        exact = _center_ratio(num, base)
        formula = f"{num_words} ÷ {base_words} = " + (f"{fmt(exact, 2)}%" if exact is not None else msg("rel.base_zero"))
        if v == "truncated":
            self.verdicts.append(Verdict("N106", r, r.mention.start, r.mention.end, r.mention.text,
                                         _expected(r, exact), msg("rel.rate"), formula, [x.index for x in evidence]))
            return
        if any(x.unit == "元" and self.doc.unit == "万元" for x in evidence):
            return                       # left to the unit check
        if exact is not None and _fits(r, lo * _HUNDRED, hi * _HUNDRED) == "ok":
            self.blame("N202", r, _expected(r, exact), msg("rel.rate_times_100"), formula, evidence)
            return
        if exact is not None and _fits(r, lo / _HUNDRED, hi / _HUNDRED) == "ok":
            self.blame("N202", r, _expected(r, exact), msg("rel.rate_over_100"), formula, evidence)
            return
        self.blame("N202", r, _expected(r, exact), msg("rel.rate"), formula, evidence)

    def change(self, r: Reading) -> None:
        if r.anchor is None or r.base is None or r.sign is None:
            return
        anchor, base = self.R[r.anchor], self.R[r.base]
        if base.ambiguous:
            return
        a_lo, a_hi = anchor.interval()
        b_lo, b_hi = base.interval()
        d_lo, d_hi = a_lo - b_hi, a_hi - b_lo          # signed change range
        c_lo, c_hi = r.interval()
        signed = (c_lo, c_hi) if r.sign > 0 else (-c_hi, -c_lo) if r.sign < 0 else (Decimal(0), Decimal(0))
        if signed[1] >= d_lo and signed[0] <= d_hi:
            self.confirm(msg("rel.change_rule"), r, anchor, base)
            return
        exact = anchor.value - base.value
        # magnitude right, word wrong: the direction word is the mistake
        if r.sign_word and abs(exact) - (r.half + anchor.half + base.half) <= r.value <= abs(exact) + (r.half + anchor.half + base.half):
            a, b = r.sign_word
            word = self.doc.text[a:b]
            self.blame("N105", r, flip_word(word), msg("rel.direction_wrong"),
                       f"{_t(anchor)} − {_t(base)} = {fmt(exact, 2)}", [anchor, base], span=(a, b), found=word)
            return
        self.blame("N202", r, fmt(abs(exact), max(r.mention.places, 0)), msg("rel.change"),
                   f"{_t(anchor)} − {_t(base)} = {fmt(exact, max(r.mention.places, 2))}", [anchor, base])

    def share(self, r: Reading) -> None:
        if r.anchor is not None and r.whole is not None:
            self._quotient(r, self.R[r.anchor], self.R[r.whole], "N205", msg("rel.share"), msg("rel.share_rule"))

    def completion(self, r: Reading) -> None:
        if r.anchor is not None and r.budget is not None:
            self._quotient(r, self.R[r.anchor], self.R[r.budget], "N201", msg("rel.completion"), msg("rel.completion_rule"))

    def _quotient(self, r: Reading, num: Reading, den: Reading, code: str, what: str, rule: str) -> None:
        """A percentage that is num ÷ den: confirmed, truncated (N106) or wrong (``code``)."""
        if den.value == 0:
            return
        lo, hi = _ratio(num.interval(), den.interval())
        v = _fits(r, lo, hi)
        exact = _center_ratio(num.interval(), den.interval())
        if v == "ok":
            self.centres[r.index] = exact
            self.confirm(rule, r, num, den)
            return
        formula = f"{_t(num)} ÷ {_t(den)} = {fmt(exact, 2)}%" if exact is not None else ""
        if v == "truncated":
            self.verdicts.append(Verdict("N106", r, r.mention.start, r.mention.end, r.mention.text,
                                         _expected(r, exact), what, formula, [num.index, den.index]))
            return
        if num.unit != den.unit and "元" in (num.unit, den.unit):
            return                       # left to the unit check
        self.blame(code, r, _expected(r, exact), what, formula, [num, den])

    def shares_sum(self) -> None:
        groups: dict[int, list[Reading]] = {}
        for r in self.R:
            if r.measure == SHARE and r.whole is not None and r.anchor is not None and not r.narrative:
                groups.setdefault(r.whole, []).append(r)
        for w, shares in groups.items():
            if len(shares) < 2:
                continue
            whole = self.R[w]
            if whole.value == 0:
                continue
            parts = [self.R[s.anchor] for s in shares]
            total = sum((p.value for p in parts), Decimal(0))
            tol = sum((p.half for p in parts), Decimal(0)) + whole.half
            if abs(total - whole.value) > tol:
                continue
            s_total = sum((s.value for s in shares), Decimal(0))
            s_tol = sum((s.half for s in shares), Decimal(0))
            if abs(s_total - _HUNDRED) <= s_tol:
                continue
            if any(s.index in self.blamed for s in shares):
                continue
            last = shares[-1]
            self.verdicts.append(Verdict(
                "N204", last, last.mention.start, last.mention.end, f"{fmt(s_total, 2)}%", "100%",
                msg("check.shares_sum", total=fmt(total, 2), whole=_t(whole)),
                " + ".join(f"{_t(s)}%" for s in shares) + f" = {fmt(s_total, 2)}%",
                [s.index for s in shares], "warning"))

    def _sum_check(self, total: Reading, parts: list[Reading], complete: bool, rule: str) -> None:
        s = sum((p.value for p in parts), Decimal(0))
        tol = sum((p.half for p in parts), Decimal(0)) + total.half
        if abs(s - total.value) <= tol:
            self.confirm(rule, total, *parts)
            return
        if s < total.value and not complete:
            return
        # a 元 among 万元: does the sum hold with it read as 万元?
        for x in [total] + parts:
            if x.unit == "元" and self.doc.unit == "万元":
                alt = x.value * 10000
                s2 = s - x.value + alt if x is not total else s
                t2 = alt if x is total else total.value
                tol2 = tol + x.half * 10000
                if abs(s2 - t2) <= tol2:
                    us, ue = x.mention.unit_start, x.mention.unit_end
                    self.blame("N210", x, "万元", msg("rel.unit_should_be_wanyuan"),
                               " + ".join(_t(p) for p in parts) + f" = {fmt(s2, 2)}", [total] + parts,
                               span=(us, ue), found=self.doc.text[us:ue])
                    return
        if any(x.unit == "元" for x in [total] + parts) and self.doc.unit == "万元":
            return
        if any(x.index in self.blamed for x in [total] + parts):
            return
        places = max(p.mention.places for p in parts)
        self.blame("N207", total, fmt(s, places), msg("rel.parts_do_not_add_up") if s != total.value else "",
                   " + ".join(_t(p) for p in parts) + f" = {fmt(s, max(places, 2))}", parts)

    def parts(self) -> None:
        """Amounts listed after 其中 or in parentheses: together not more than their total."""
        groups: dict[int, list[Reading]] = {}
        for r in self.R:
            if r.part_of is not None and r.kind == "money" and not r.narrative:
                groups.setdefault(r.part_of, []).append(r)
        comp = {k: set(v) for k, v in vocabulary()["构成"].items()}
        for t, parts in groups.items():
            total = self.R[t]
            if len(parts) < 2 and not (len(parts) == 1 and parts[0].value > total.value + total.half + parts[0].half):
                continue
            subjects = {p.subject for p in parts}
            complete = total.subject in comp and comp[total.subject] <= subjects
            # parts of another kind (a 项 inside a 类 with its own sub-parts) are not summed
            if len({p.depth for p in parts}) > 1:
                continue
            self._sum_check(total, parts, complete, msg("rel.parts_rule"))

    def breakdowns(self) -> None:
        """The complete breakdowns of rules/claims.yaml (构成), stated anywhere in one section."""
        comp = vocabulary()["构成"]
        year = self.doc.year
        first: dict[tuple[str, int], Reading] = {}
        every: dict[tuple[str, int], list[Reading]] = {}
        for r in self.R:
            if r.kind == "money" and r.measure == ACT and r.subject and not r.narrative \
                    and (r.year in (None, year)):
                first.setdefault((r.subject, r.section), r)
                every.setdefault((r.subject, r.section), []).append(r)
        for whole, members in comp.items():
            for (subj, sec), total in list(first.items()):
                if subj != whole:
                    continue
                parts = [first.get((m, sec)) for m in members]
                if any(p is None for p in parts):
                    continue
                if any(p.start < total.start for p in parts):
                    continue
                # the statement of the total that the parts follow
                opening = min(p.start for p in parts)
                total = [t for t in every[(subj, sec)] if t.start < opening][-1]
                if any(p.part_of not in (None, total.index) for p in parts):
                    continue
                self._sum_check(total, parts, True, msg("rel.breakdown_rule"))

    def twice(self) -> None:
        """The same subject, measure and year stated twice with different values."""
        unique = set(vocabulary()["全文唯一"])
        year = self.doc.year
        seen: dict[tuple, list[Reading]] = {}
        for r in self.R:
            if r.kind != "money" or r.measure != ACT or not r.subject or r.narrative or r.depth:
                continue
            if r.year not in (None, year) or r.part_of is not None:
                continue
            scope = 0 if r.subject in unique else r.section
            if not (r.subject in unique or r.subject.startswith("科目")):
                continue
            key = (r.subject, scope)
            if r.subject.startswith("科目"):
                # one code, two lines ("行政运行中人员经费支出" / "行政运行中公用支出"): the same line
                # only when one's words contain the other's
                name = _code_free(r.label, r.code)
                key = next((k for k in seen if k[0] == r.subject and k[1] == scope
                            and (k[2] in name or name in k[2])), (r.subject, scope, name))
            seen.setdefault(key, []).append(r)
        for key, rs in seen.items():
            subj = key[0]
            if len(rs) < 2:
                continue
            values: dict[Decimal, list[Reading]] = {}
            for r in rs:
                values.setdefault(r.value, []).append(r)
            if len(values) == 1:
                self.confirm(msg("rel.same_number"), *rs)
                continue
            # equal within rounding is the same number
            base = rs[0]
            for r in rs[1:]:
                if abs(r.value - base.value) <= r.half + base.half:
                    self.confirm(msg("rel.same_number"), r, base)
                    continue
                if r.unit != base.unit and "元" in (r.unit, base.unit) and self.doc.unit == "万元":
                    odd = r if r.unit == "元" else base
                    other = base if odd is r else r
                    if odd.mention.value == other.mention.value:
                        us, ue = odd.mention.unit_start, odd.mention.unit_end
                        self.blame("N210", odd, "万元", msg("check.elsewhere_wanyuan", subject=subj, other=_t(other)),
                                   f"{subj} = {_t(other)}万元", [other], span=(us, ue), found=self.doc.text[us:ue])
                    continue
                # the value stated more often is right; else blame the later statement
                wrong = r if len(values.get(r.value, [])) <= len(values.get(base.value, [])) else base
                right = base if wrong is r else r
                if wrong.index in self.blamed or right.index in self.blamed:
                    continue
                self.blame("N208", wrong, right.mention.text.strip(),
                           msg("check.inconsistent", subject=subj, other=_t(right)),
                           msg("rel.same_as_line", subject=subj, value=_t(right), line=_line(self.doc.text, right.start)), [right])

    def stale_years(self) -> None:
        """“2023年…支出X万元” in a 2024 text: the year before this year's amount is stale."""
        year = self.doc.year
        if not year:
            return
        text = self.doc.text
        seen_current: dict[str, list[Reading]] = {}
        for r in self.R:
            if r.kind == "money" and r.measure == ACT and r.subject and r.year in (None, year):
                seen_current.setdefault(r.subject, []).append(r)
        for r in self.R:
            if r.kind != "money" or r.measure != ACT or r.year != year - 1 or r.narrative or not r.subject:
                continue
            sent = self.doc.sentences[r.sentence]
            # the year must open the clause: "2016年“三公”经费…支出2.42万元"
            import re as _re
            head = text[sent.start:r.mention.start]
            ym = None
            for ym in _re.finditer(r"(\d{4}|\d{2})\s*年", head):
                pass
            if ym is None:
                continue
            before_year = fold(head[: ym.start()])
            if any(w in before_year[-8:] for w in vocabulary()["上年基数词"]):
                continue
            rest = fold(text[r.mention.end:sent.end])
            # evidence: the sentence compares it with that same year, or the amount is
            # this year's figure of the same subject elsewhere
            compared_same = bool(_re.search(rf"(比|较|与){year - 1}年", rest)) or "比上年" in rest or "较上年" in rest
            # "2015年“三公”经费…2.00万元，同比上升32%" leading its section in a 2016 text
            lead = not any(self.R[j].kind == "money" for s2 in self.doc.sentences[:r.sentence]
                           if s2.section == sent.section for j in s2.readings)
            compared_same = compared_same or ("同比" in rest and lead)
            equal_elsewhere = any(x is not r and abs(x.value - r.value) <= x.half + r.half
                                  for x in seen_current.get(r.subject, []))
            if not (compared_same or equal_elsewhere):
                continue
            a = sent.start + ym.start()
            b = a + len(ym.group(1))
            self.blame("N209", r, str(year), msg("check.year_of_accounts", year=year),
                       msg("rel.year_rule", year=year), [], span=(a, b), found=text[a:b], fix=str(year))


def flip_word(word: str) -> str:
    """The direction word of the opposite sign (增加 → 减少, 增长 → 下降 …)."""
    w = "".join(word.split())
    for a, b in _opposites():
        if w.startswith(a):
            return b + w[len(a):]
    return w


@cache
def _opposites() -> tuple[tuple[str, str], ...]:
    """(word, its opposite) from the direction word groups of rules/wording.yaml, longest first."""
    out = {}
    for group in load_rule_file(rules_dir() / "wording.yaml")["方向词"].values():
        out.setdefault(group["正"], group["负"])
        out.setdefault(group["负"], group["正"])
    return tuple(sorted(out.items(), key=lambda kv: -len(kv[0])))


def _code_free(label: str, code: str | None) -> str:
    """A 科目 line's words without its code and level markers."""
    if code:
        label = label.replace(code, "")
    return re.sub(r"[()\[\]:：\-—（）]|类|款|项|科目编码", "", label)


def _zero_words() -> list[tuple[str, int]]:
    return [(fold(w), 0) for w in vocabulary()["方向"]["零"]]


def _word(doc: Document, r: Reading) -> str:
    if r is None or not r.sign_word:
        return ""
    a, b = r.sign_word
    return "".join(doc.text[a:b].split())


def _line(text: str, pos: int) -> int:
    return line_col(text, pos)[0]  # indexed on large texts (counting from the start is quadratic)


def relate(doc: Document, skip: set[int] | None = None) -> Relations:
    return Relations(doc, skip).run()
