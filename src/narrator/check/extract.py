"""Every number in human-written Chinese prose, with its unit, qualifier and meaning.

``extract(text)`` returns one :class:`Mention` per number, in order. Each mention's span points
into the ORIGINAL text: the text is never modified, only a normalised copy is matched (see
:func:`normalize`), and every normalised position maps back to an original offset.

All vocabulary (units, qualifiers, threshold words, stop phrases, heading shapes) lives in
``rules/extract.yaml`` and is compiled into a handful of regular expressions once, at import.
The mechanism only; the grammar of a number (the compiled rules, ``normalize``, the
master pattern, numeral parsing) is in ``number_grammar``, the classification here:

1. ``normalize``: full-width ASCII -> ASCII (except the Chinese comma), 〇 -> 0, odd spaces ->
   space; markup such as ``<u>…</u>`` and zero-width characters are removed.
2. One master regex finds candidate tokens left to right: dates, list numbering (ordinals),
   page numbers, ranges, Chinese numerals followed by a counter, and Arabic numbers with PDF
   noise (``10855. 22``, ``1, 699. 45``, ``14, 344, 12``, ``467.\\n89``).
3. Each number is classified by two anchored regexes: one for the words right before it
   (qualifier, comparison sign, 单价, 得分, 第, an opening parenthesis) and one for what follows
   (infix qualifier 余/多, multiplier 万/亿/千, unit, ``(含)以上``, suffix qualifier).

Rules chosen (documented here because the checker depends on them):

* Years. Every year (``2024年``, ``2023 年度``, ``二〇二四年``) has kind ``"year"`` and unit ``"年"``,
  so it is never compared as money. It is a claim (``claim=True``) because the year a figure
  belongs to can be wrong, EXCEPT when its line is a heading or title: a line with no
  sentence punctuation (。，,；;！？!?:), no money or percent figure, at most
  ``heading_max_len`` characters, that starts like a heading (第三部分, 一、, (二), 1.) or ends
  like a title (…说明, …情况, …表, …公开): ``第三部分 区人社局 2024 年度 部门决算情况说明``,
  ``2024年度项目绩效自评表``. A wrapped prose line (``…2024 年度“三公”经费…比 2023 年度减``)
  stays a claim. A year in document-number brackets (``〔2024〕``) is a label. A number before
  年 that is not an integer in 1900..2100 is a duration: kind ``"count"``, unit ``"年"``.
* Dates (``2024年12月31日``, ``2025.4.22``, ``4月22日``, ``2024年12月``) are ONE mention of kind
  ``"date"``, unit ``"日期"``: the span runs from the first digit to the last digit, the unit span
  is a trailing 日/月 if any, and the value is yyyymmdd (yyyymm, mmdd when parts are missing).
  A lone month ``12月`` is a date with value 12.
* Thresholds (``claim=False``, kind ``"threshold"``, unit kept): a number after a comparison
  sign or word (≥ ≤ > < 不低于 不超过 …), after 单价, followed by ``(含)以上/以下``, a percent
  written ``(含 80%)``, and both ends of a range (``100-80%``, ``1-2 次``, ``3至5人``; the
  first end takes the second end's unit when it has none, with an empty unit span).
  A range of two years followed by 年 (``2023-2025年``) gives two years instead.
* Labels (``claim=False``, kind ``"label"``): weights in parentheses (``（20分）``,
  ``(5 分*执行率)``), numbers after 第, numbers glued to Latin letters (``5G``, ``A11``),
  ``N号``, ``〔2024〕`` and page numbers (``— 26 —``).
* Ordinals (``claim=False``, kind ``"ordinal"``, value = the list number): ``1.`` ``2、``
  ``3)`` ``(4)`` ``一、`` at a line start (after optional indentation and a bullet such as
  ``- ``), ``1.``/``2、``/``一、`` right after ：；。, and ``(一)``/``（十三）`` anywhere. A
  line-start ``3. 4 万余人`` is a decimal (digits after the point), ``1. 2024年度…`` an ordinal.
* Counts: kind ``"count"`` covers every non-money quantity with a unit (counters, durations,
  multiples, measures). Multipliers are applied (``3. 4 万余人`` -> 34000) while ``places``
  keeps the decimals as written (1). For money the multiplier is part of the unit instead
  (``35 亿余元`` -> 35, ``亿元``); a bare ``万``/``亿`` is money when its clause mentions money.
* Scores: ``96.6分``; and a unit-less number right after 得分/评分/总分 (``再评得分96.51``) is a
  score with unit ``"分"`` and an empty unit span.
* Qualifiers: the first of prefix (约 近 超 超过 逾 不足 不到 将近 …), infix (余 多) and
  suffix (以上 左右 …) found, in that order.
* Units follow the number after at most two spaces on the same line (a tab or a run of
  spaces separates table columns); money, percent, 人次 and 年 may also follow one line break
  or one blank line (``458.7\n万元``).
* Chinese numerals count only before a counter or unit (``三十四人次``, ``一个项目``), never
  inside words (一般, 一级, 第一, 一次性, 统一, 之一, 进一步, 三公 …: see ``chinese`` in the
  rules). Known limit: a Chinese comma (，) is never a thousands separator, and "1，234" is two
  numbers.

Speed: the master regex is gated by one character class at each position (a match can only
start at a character that begins one of its alternatives), the prefix regex only runs when the
previous character can end a prefix (cached on its window). Mentions are built without the
frozen dataclass's per-field ``object.__setattr__`` (see ``_MentionBuilder``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal

from narrator.check.number_grammar import (_AFTER, _CLOSE_PAREN, _CN_DIGIT, _DIGIT_RUN, _EXACT, _INCL_SUFFIX,
                                           _LETTERS, _MASTER, MONEY_FACTOR, _MULT, _PREFIX, _PREFIX_CHARS,
                                           _PREFIX_CHARS_OR_BLANK, _PREFIX_REACH, _PREFIX_WINDOW, _Q, _R,
                                           _SUFFIX, _T, _UNIT_OF_FORM, _clean, _is_heading, _money_context,
                                           _normalize, _overlaps_stop_phrase, _parse_arabic, _parse_chinese,
                                           _prefix_of, normalize)
from narrator.core.limits import MAX_TEXT_NUMBER_CHARS

__all__ = ["Mention", "extract", "normalize", "KINDS", "CLAIM_KINDS"]

KINDS = ("amount", "percent", "points", "count", "score", "year", "date", "bare",
         "ordinal", "threshold", "label")
#: kinds whose mentions can be claims (the others are always ``claim=False``)
CLAIM_KINDS = ("amount", "percent", "points", "count", "score", "year", "date", "bare")


@dataclass(frozen=True, slots=True)
class Mention:
    """One number in the text, with its span in the original text."""

    start: int          # 0-based offset of the number's first char (the sign, if negative)
    end: int            # exclusive end of the number's last digit (not the unit, not tags)
    text: str           # original text[start:end], noise included ("10855. 22")
    value: Decimal      # the number, noise repaired; counts with 万/亿 multiplied out
    places: int         # decimals as written
    unit: str           # canonical unit ("万元", "%", "个百分点", "人次", "年", "日期", "" …)
    kind: str           # one of KINDS
    qualifier: str | None  # 约 近 超 余 多 以上 左右 … or None
    unit_start: int     # span of the unit in the original text (== end when there is none)
    unit_end: int
    claim: bool         # False for thresholds, labels, ordinals and heading years

    def scaled(self, unit: str) -> Decimal:
        """The value expressed in ``unit``.

        Money converts exactly between 元/千元/万元/亿元; any other kind only "converts" to
        its own unit. Raises ValueError otherwise.
        """
        if unit == self.unit:
            return self.value
        src = MONEY_FACTOR.get(self.unit)
        dst = MONEY_FACTOR.get(unit)
        if src is None or dst is None:
            raise ValueError(f"cannot express {self.value} {self.unit or '(no unit)'} in {unit!r}")
        return _clean(_EXACT.divide(_EXACT.multiply(self.value, src), dst))


@dataclass(slots=True)
class _MentionBuilder:
    """Same fields and slot layout as Mention, without the frozen ``__setattr__``.

    A frozen dataclass sets each field through ``object.__setattr__`` (about 2 µs per
    instance); extract() builds this twin instead and then turns it into a Mention by
    assigning ``__class__`` (allowed because the slot layouts are identical).
    """

    start: int
    end: int
    text: str
    value: Decimal
    places: int
    unit: str
    kind: str
    qualifier: str | None
    unit_start: int
    unit_end: int
    claim: bool


assert _MentionBuilder.__slots__ == Mention.__slots__


def _mention(*fields) -> Mention:
    m = _MentionBuilder(*fields)
    m.__class__ = Mention
    return m


_MULT_KINDS = frozenset(("amount", "count", "bare"))


# ---------------------------------------------------------------------------------------------
# extraction

class _Ctx:
    """The texts of one extract() call and the mention builder."""

    __slots__ = ("text", "norm", "offs", "out", "moved", "base")

    def __init__(self, text: str, a: int = 0, b: int | None = None):
        # the normalised text of text[a:b]; ``base`` = a turns its offsets into the text's
        self.text = text
        self.base = a
        self.norm, self.offs = _normalize(text[a:b] if a or b is not None else text)
        self.moved = not isinstance(self.offs, range)   # False: offsets map to themselves
        self.out: list[Mention] = []

    def emit(self, ns: int, ne: int, value: Decimal, places: int, unit: str, kind: str,
             qualifier: str | None, us: int, ue: int, claim: bool) -> None:
        base = self.base
        if self.moved:
            offs = self.offs
            start = offs[ns] + base
            end = offs[ne - 1] + 1 + base
            if ue > us:
                ustart, uend = offs[us] + base, offs[ue - 1] + 1 + base
            else:
                ustart = uend = end
        else:
            start, end = ns + base, ne + base
            if ue > us:
                ustart, uend = us + base, ue + base
            else:
                ustart = uend = end
        # _mention, inlined (it runs for every number)
        m = _MentionBuilder(start, end, self.text[start:end], value, places, unit, kind, qualifier,
                            ustart, uend, claim)
        m.__class__ = Mention
        self.out.append(m)

    # --- a number with a unit after it -------------------------------------------------------
    def number(self, ns: int, ne: int, value: Decimal, places: int, *, chinese: bool = False,
               emit: bool = True):
        """Classify the number at [ns, ne) from its surroundings and emit it.

        Returns (unit, kind, us, ue, value) so that ranges can reuse the unit.
        """
        norm = self.norm
        # --- before: only searched when the previous non-blank character can end a prefix
        pg = qualifier = None
        k = ns - 1
        if k >= 0 and norm[k] in _PREFIX_CHARS_OR_BLANK:
            while k >= 0 and norm[k] in " \t":
                k -= 1
        if k >= 0 and norm[k] in _PREFIX_CHARS:
            lo = max(0, k + 1 - _PREFIX_WINDOW)
            if _PREFIX_REACH is None:
                pre = _PREFIX.search(norm, lo, ns)
                if pre is not None:
                    pg = pre.lastgroup
                    if pg == "q":
                        qualifier = pre.group("q")
            else:
                a = max(0, lo - _PREFIX_REACH)
                pg, q = _prefix_of(norm[a:ns], lo - a)
                if pg == "q":
                    qualifier = q
        unit, kind, qualifier, us, ue, claim, value = self._classify(ns, ne, value, places, chinese, pg, qualifier)
        if kind is None:
            return None
        if emit:
            self.emit(ns, ne, value, places, unit, kind, qualifier, us, ue, claim)
        return unit, kind, us, ue, value

    def _classify(self, ns: int, ne: int, value: Decimal, places: int, chinese: bool,
                  pg: str | None, qualifier: str | None):
        """Unit, kind, qualifier, unit span and claim of the number at [ns, ne), given the word
        before it (``pg``: name of the _PREFIX group, ``qualifier``).

        Returns (unit, kind, qualifier, us, ue, claim, value), ``value`` multiplied by a 万/亿
        that is no money unit; ``kind`` is None for a Chinese numeral that is no number.
        """
        norm = self.norm
        # --- after: [余/多] [万/亿/千] [余/多] [unit]
        suf = _SUFFIX.match(norm, ne)
        q1, mult, q2, form = suf.group("q1", "mult", "q2", "unit")
        if pg == "par" and form is None and mult is None:
            close = _CLOSE_PAREN.match(norm, ne)       # "（ 0 ）台（套）"
            if close is not None:
                alt = _SUFFIX.match(norm, close.end())
                if alt.group("unit") is not None:
                    suf = alt
                    q1, mult, q2, form = suf.group("q1", "mult", "q2", "unit")
        if form is not None:
            unit, kind = _UNIT_OF_FORM[form if " " not in form else form.replace(" ", "")]
        else:
            unit, kind = "", "bare"
        if mult == "千" and form is None:
            mult = None
        if mult is not None and kind not in _MULT_KINDS:
            form, unit, kind = None, "", "bare"             # "5万%": keep 万, ignore the rest
        if mult is not None:
            us = suf.start("mult")
            ue = suf.end("unit") if form is not None else suf.end("mult")
        elif form is not None:
            us, ue = suf.span("unit")
        else:
            us = ue = ne
        if qualifier is None and (q1 or q2):
            qualifier = q1 or q2
            if qualifier == "多" and mult is None and form is None:
                qualifier = None

        claim = True
        # --- kind from unit
        if kind == "amount":
            unit = (mult or "") + "元"
        elif mult is not None:
            if kind == "bare" and _money_context(norm, ns):
                kind, unit = "amount", mult + "元"
            else:
                value = _clean(_EXACT.multiply(value, _MULT[mult]))
        if kind == "year":
            if not (places == 0 and 1900 <= value <= 2100):
                if "\n" in norm[ne:us]:                      # "2. 5\n年度绩效目标": no unit
                    unit, kind, us, ue = "", "bare", ne, ne
                else:
                    kind = "count"                           # 3年: a duration
            elif pg != "di" and _is_heading(norm, ns, ne):
                claim = False
        elif kind == "date":                                 # a lone month: 12月
            if places == 0 and 1 <= value <= 12:
                unit = "日期"
            else:
                kind, unit, us, ue = "bare", "", ne, ne
        elif kind == "label":
            claim = False
        elif kind == "bare":
            if pg == "sl":
                kind, unit = "score", "分"                   # 再评得分96.51
            elif chinese:
                return "", None, None, ne, ne, False, value   # no number

        # --- after the unit: (含)以上, 以上, 左右
        if ue > ne:
            after = _AFTER.match(norm, ue)
            incl, qs = after.group("incl", "qs")
            if qs is not None:
                if incl is not None and qs in _INCL_SUFFIX:
                    kind, claim = "threshold", False         # 单价100万元(含)以上
                elif qualifier is None:
                    qualifier = qs

        # --- before
        if pg is not None:
            if pg == "cmp" or pg == "up":
                kind, claim = "threshold", False             # ≥95%, 单价
            elif pg == "incl":
                if kind == "percent":
                    kind, claim = "threshold", False         # (含 80%)
            elif pg == "par":
                if kind == "score":
                    kind, claim = "label", False             # (20 分)
            elif pg == "di" or pg == "lab":
                kind, claim = "label", False                 # 第 1 季度, 图 1
        if not chinese and ((ns > 0 and norm[ns - 1] in _LETTERS)
                            or (ne < len(norm) and norm[ne] in _LETTERS)):
            kind, claim = "label", False                     # 5G, A11
        return unit, kind, qualifier, us, ue, claim, value

    # --- handlers per master alternative ----------------------------------------------------
    def k_num(self, m: re.Match) -> None:
        ns, ne = m.span("n")
        if ne - ns > MAX_TEXT_NUMBER_CHARS or (m.group("rb") is not None and len(m.group("rb")) > MAX_TEXT_NUMBER_CHARS):
            return  # a pasted ID or garbage, not an amount: no arithmetic on a million digits
        if m.group("rb") is not None:
            self.range(m)
            return
        ns, ne = m.span("n")
        value, places = _parse_arabic(self.norm[ns:ne])
        if m.group("sg"):
            ns -= 1
            value = -value
        if not value:
            value = abs(value)                       # -0 -> 0
        bracketed = (ns > 0 and self.norm[ns - 1] in "〔[【" and ne < len(self.norm)
                     and self.norm[ne] in "〕]】")
        if bracketed and places == 0 and 1900 <= value <= 2100:
            self.emit(ns, ne, value, 0, "年", "label", None, ne, ne, False)   # 〔2024〕
            return
        self.number(ns, ne, value, places)

    def k_cn(self, m: re.Match) -> None:
        ns, ne = m.span("cn")
        if ne - ns > MAX_TEXT_NUMBER_CHARS:
            return
        norm = self.norm
        run = norm[ns:ne]
        if len(run) > 1 and run[-1] in "万亿":       # 三千万元 -> 三千 + 万元
            run = run[:-1]
            ne -= 1
        parsed = _parse_chinese(run)
        if parsed is None:
            return
        if _overlaps_stop_phrase(norm, ns, ne + 3):
            return
        self.number(ns, ne, parsed[0], parsed[1], chinese=True)

    def k_cyear(self, m: re.Match) -> None:
        ns, ne = m.span("cy")
        value = Decimal("".join(str(_CN_DIGIT[c]) for c in m.group("cy")))
        self.number(ns, ne, value, 0, chinese=True)

    def k_cpct(self, m: re.Match) -> None:
        ns, ne = m.span("cp")
        s = m.group("cp")
        parsed = _parse_arabic(s) if s[0].isdigit() else _parse_chinese(s)
        if parsed is None:
            return
        self.emit(ns, ne, parsed[0], parsed[1], "%", "percent", None, m.start(), ns, True)

    def k_date(self, m: re.Match) -> None:
        s = m.group()
        parts = [(g.start(), g.end(), int(g.group())) for g in _DIGIT_RUN.finditer(s)]
        base = m.start()
        if s.endswith("日") or s.endswith("月"):
            us, ue = m.end() - 1, m.end()
        else:
            us = ue = base + parts[-1][1]
        nums = [p[2] for p in parts]
        if len(nums) == 3:
            value = nums[0] * 10000 + nums[1] * 100 + nums[2]
        else:
            value = nums[0] * 100 + nums[1]
        self.emit(base + parts[0][0], base + parts[-1][1], Decimal(value), 0, "日期", "date",
                  None, us, ue, True)

    def _ordinal(self, m: re.Match, name: str, chinese: bool) -> None:
        ns, ne = m.span(name)
        if chinese:
            parsed = _parse_chinese(m.group(name))
            if parsed is None:
                return
            value = parsed[0]
        else:
            value = Decimal(int(m.group(name)))
        self.emit(ns, ne, value, 0, "", "ordinal", None, ne, ne, False)

    def k_lord(self, m: re.Match) -> None:
        if m.group("lo") is not None:
            self._ordinal(m, "lo", False)
        elif m.group("lc") is not None:
            self._ordinal(m, "lc", True)
        else:
            self._ordinal(m, "lp", False)

    def k_iord(self, m: re.Match) -> None:
        if m.group("io") is not None:
            self._ordinal(m, "io", False)
        else:
            self._ordinal(m, "ic", True)

    def k_pord(self, m: re.Match) -> None:
        self._ordinal(m, "pc", True)

    def k_page(self, m: re.Match) -> None:
        ns, ne = m.span("pg")
        self.emit(ns, ne, Decimal(int(m.group("pg"))), 0, "", "label", None, ne, ne, False)

    def range(self, m: re.Match) -> None:
        """Two numbers joined by - ~ 至 到: both are thresholds (or both years)."""
        norm = self.norm
        (as_, ae), (bs, be) = m.span("n"), m.span("rb")
        va, pa = _parse_arabic(norm[as_:ae])
        if m.group("sg"):
            as_ -= 1
            va = -va
        vb, pb = _parse_arabic(norm[bs:be])
        unit, kind, us, ue, vb = self.number(bs, be, vb, pb, emit=False)
        years = (kind == "year" and pa == 0 and 1900 <= va <= 2100)
        if years:                                          # 2023-2025年
            claim = not _is_heading(norm, as_, be)
            self.emit(as_, ae, va, 0, "年", "year", None, ae, ae, claim)
            self.emit(bs, be, vb, 0, "年", "year", None, us, ue, claim)
            return
        if m.group("rau"):
            ua_s = m.end("rau") - 1
            a_unit, a_us, a_ue = "%", ua_s, ua_s + 1
        else:
            a_unit, a_us, a_ue = unit, ae, ae              # "1-2 次": the first end shares 次
        self.emit(as_, ae, va, pa, a_unit, "threshold", None, a_us, a_ue, False)
        self.emit(bs, be, vb, pb, unit, "threshold", None, us, ue, False)


_HANDLERS = {name: getattr(_Ctx, name) for name in dir(_Ctx) if name.startswith("k_")}
_AROUND = 600


def extract(text: str, span: tuple[int, int] | None = None) -> list[Mention]:
    """Every number in ``text``, in order of start (see the module docstring for the rules);
    with ``span`` = (lo, hi), only the numbers that start inside it, read with the whole text
    around them (a disclosure's 情况说明 among its tables)."""
    handlers = _HANDLERS
    if span is None:
        ctx = _Ctx(text)
        for m in _MASTER.finditer(ctx.norm):
            handlers[m.lastgroup](ctx, m)
        return ctx.out
    # "the whole text around them": whole lines from _AROUND characters before the span to
    # _AROUND after it, far more than any rule looks (a prefix, a money context, a unit, a
    # tag the normaliser removes) - not the ~25 k characters of tables beside a 情况说明
    a = text.rfind("\n", 0, max(0, span[0] - _AROUND)) + 1
    b = text.find("\n", min(len(text), span[1] + _AROUND))
    b = len(text) if b < 0 else b + 1
    ctx = _Ctx(text, a, b)
    offs = ctx.offs
    lo, hi = span[0] - a, span[1] - a
    if ctx.moved:
        lo, hi = bisect_left(offs, lo), bisect_left(offs, hi)
    for m in _MASTER.finditer(ctx.norm, lo):
        if m.start() >= hi:
            break
        handlers[m.lastgroup](ctx, m)
    return ctx.out
