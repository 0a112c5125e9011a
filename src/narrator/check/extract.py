"""Every number in human-written Chinese prose, with its unit, qualifier and meaning.

``extract(text)`` returns one :class:`Mention` per number, in order. Each mention's span points
into the ORIGINAL text: the text is never modified, only a normalised copy is matched (see
:func:`normalize`), and every normalised position maps back to an original offset.

All vocabulary (units, qualifiers, threshold words, stop phrases, heading shapes) lives in
``rules/extract.yaml`` and is compiled into a handful of regular expressions once, at import.
This module holds the mechanism only:

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
previous character can end a prefix (cached on its window), and a number's classification is
memoised on what it depends on (the prefix found, the characters after it that the suffix rules
can read, the class of its value; see ``_PLANS``): templated prose repeats these in every
document. Mentions are built without the frozen dataclass's per-field ``object.__setattr__``
(see ``_MentionBuilder``). About 2.2 ms for a synthetic document of ~450 numbers on one core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal
from functools import lru_cache
from itertools import chain

from ruamel.yaml import YAML

from narrator.core.caches import per_document
from narrator.core.cn_numerals import read_cn_small
from narrator.core.limits import MAX_TEXT_NUMBER_CHARS
from narrator.core.resources import rules_dir

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
        src = _MONEY_FACTOR.get(self.unit)
        dst = _MONEY_FACTOR.get(unit)
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


# ---------------------------------------------------------------------------------------------
# rules

def _load_rules() -> dict:
    from narrator.core.yamlio import parse_yaml_fast

    text = (rules_dir() / "extract.yaml").read_text(encoding="utf-8")
    fast = parse_yaml_fast(text)       # libyaml: the same values (tests/core/test_rule_files_fast.py)
    if fast is not None:
        return fast
    yaml = YAML(typ="safe", pure=True)
    return yaml.load(text)


_R = _load_rules()


def _alt(words) -> str:
    """Regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _spaced(word: str) -> str:
    """Regex for a literal word whose characters may be separated by spaces (PDF noise)."""
    return "[ ]?".join(re.escape(c) for c in word)


# --- normalisation -------------------------------------------------------------------------
_TRANS: dict[int, str] = {
    cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)
    if chr(cp) not in _R["normalize"]["fullwidth_keep"]
}
_TRANS.update({ord(k): v for k, v in _R["normalize"]["translate"].items()})
assert all(len(v) == 1 for v in _TRANS.values()), "normalisation must be one-to-one"
_TRANS_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _TRANS) + "]")
_TRANS_CHAR = {chr(k): v for k, v in _TRANS.items()}
# normalize() replaces one character at a time: no replacement may itself be replaced
assert not set(_TRANS_CHAR.values()) & set(_TRANS_CHAR), "normalisation must not chain"
_REMOVE = re.compile(_R["normalize"]["remove_re"])
_REMOVE_GATE = re.compile("[" + re.escape(_R["normalize"]["remove_chars"]) + "]")

# --- units --------------------------------------------------------------------------------
_UNIT_OF_FORM: dict[str, tuple[str, str]] = {}   # written form (no spaces) -> (unit, kind)
_unit_parts: list[tuple[str, str]] = []           # (form, regex)
_cn_unit_parts: list[tuple[str, str]] = []
for _u in _R["units"]:
    for _form in _u["forms"]:
        _UNIT_OF_FORM[_form] = (_u["unit"], _u["kind"])
        _pat = _spaced(_form)
        if _u.get("not_before_re"):
            _pat += f"(?!{_u['not_before_re']})"
        _unit_parts.append((_form, _pat))
        if _u.get("cn"):
            _cn_unit_parts.append((_form, _pat))
_unit_parts.sort(key=lambda p: len(p[0]), reverse=True)
_cn_unit_parts.sort(key=lambda p: len(p[0]), reverse=True)
_UNITS_RE = "|".join(p for _, p in _unit_parts)
_CN_UNITS_RE = "|".join(p for _, p in _cn_unit_parts)

_MULT: dict[str, Decimal] = {k: Decimal(int(v)) for k, v in _R["multipliers"].items()}
_MONEY_FACTOR: dict[str, Decimal] = {k: Decimal(int(v)) for k, v in _R["money_units"].items()}
_MULT_RE = _alt(_MULT)
_Q = _R["qualifiers"]
_INFIX_RE = _alt(_Q["infix"])
_T = _R["thresholds"]
_INCL_SUFFIX = frozenset(_T["inclusive_suffix"])
_L = _R["lines"]
_C = _R["chinese"]

# --- after a number: [余/多] [万/亿/千] [余/多] [unit] --------------------------------------
_WS = "[ \\t]*"
# Between a number and its unit: at most two spaces (a tab or a run of spaces separates table
# columns); a line break (or one blank line) only before the units of "newline_units_re".
_SP = "[ ]{0,2}"
_NL = r"(?:[ ]*\r?\n){1,2}[ ]*"
_SUFFIX = re.compile(
    rf"(?:{_NL}(?=(?:{_R['newline_units_re']}))|{_SP})"
    rf"(?:(?P<q1>{_INFIX_RE}){_SP})?"
    rf"(?:(?P<mult>{_MULT_RE})(?:{_NL}(?=元)|{_SP}))?"
    rf"(?:(?P<q2>{_INFIX_RE}){_SP})?"
    rf"(?P<unit>{_UNITS_RE})?"
)
# after the unit: [(含)] [以上/左右/…]
_AFTER = re.compile(
    rf"{_SP}(?P<incl>{_T['inclusive_re']})?{_SP}(?P<qs>{_alt(_Q['suffix'])})?"
)
_CLOSE_PAREN = re.compile(rf"{_WS}\){_WS}")

# --- before a number (searched in a short window ending at the number) -------------------------
_PREFIX_WINDOW = 12
_PREFIX = re.compile(
    rf"(?:(?P<di>第)|(?P<cmp>{_T['prefix_re']})|(?P<up>{_T['unit_price_re']})"
    rf"|(?P<sl>{_R['score_label_re']})|(?P<incl>\({_WS}含)|(?P<q>{_Q['prefix_re']})"
    rf"|(?P<lab>{_R['label_prefix_re']})|(?P<par>\())[ \t]*\Z"
)
# every character that can end a prefix match is a literal character of its pattern
_PREFIX_CHARS = frozenset(_PREFIX.pattern) - frozenset(" \t")
_PREFIX_CHARS_OR_BLANK = _PREFIX_CHARS | frozenset(" \t")


def _lookbehind_reach(pattern: str) -> int | None:
    """How many characters before its start position a search for ``pattern`` may look at.

    Its widest look-behind (at least 1, for \\b and multi-line ^). None when the pattern
    cannot be analysed (the parser is CPython's private re._parser).
    """
    try:
        from re import _constants as K, _parser as P
        items = P.parse(pattern)
    except Exception:  # pragma: no cover - another Python
        return None
    reach = 1
    stack = [items]
    while stack:
        for op, av in stack.pop():
            if op is K.ASSERT or op is K.ASSERT_NOT:
                direction, sub = av
                if direction < 0:
                    reach = max(reach, sub.getwidth()[1])
                stack.append(sub)
            elif op is K.SUBPATTERN:
                stack.append(av[-1])
            elif op is K.BRANCH:
                stack.extend(av[1])
            elif op in (K.MAX_REPEAT, K.MIN_REPEAT, getattr(K, "POSSESSIVE_REPEAT", K.MAX_REPEAT)):
                stack.append(av[2])
            elif op is getattr(K, "ATOMIC_GROUP", None):
                stack.append(av)
            elif op is K.GROUPREF_EXISTS:
                stack.extend(x for x in av[1:] if x is not None)
    return reach


# The words before a number are searched in a short window; the same window (with the few
# characters a look-behind may see before it) recurs in document after document, so the
# search is cached on that piece of text (tests/test_checkrest_fast2.py: same as the search
# in the whole text).
_PREFIX_REACH = _lookbehind_reach(_PREFIX.pattern)


@per_document
@lru_cache(maxsize=1 << 13)
def _prefix_of(window: str, pos: int) -> tuple[str | None, str | None]:
    """(name of the matching prefix group, the qualifier if that group is "q") or (None, None)."""
    pre = _PREFIX.search(window, pos)
    if pre is None:
        return None, None
    return pre.lastgroup, pre.group("q")

# The memo of number(): (prefix group, prefix qualifier, the characters after the number that
# the suffix rules may read, a Latin letter right before it, value class, Chinese numeral) ->
# the classification. The suffix regexes (_SUFFIX, _CLOSE_PAREN, _AFTER) have no anchor and
# their multi-character look-aheads follow blanks only: they never read past a character they
# cannot match (one outside _SUFFIX_CHARS: any digit, most of Chinese), whose look-aheads read
# one character. Without a blank (which they may skip), they read at most _READ_MAX
# characters: a unit form is at most 4, with 余/多 and 万/亿/千 and one character of look-ahead
# at most 8; after "( 0 )" one more; then (含) and 及以上 at most 6. So the key is the run of
# characters they can match up to _READ_MAX, and the character after it; when that one is a
# blank they could skip, the number is classified afresh.
_SUFFIX_WORDS = [f for u in _R["units"] for f in u["forms"]] + list(_MULT) + _Q["infix"] + _Q["suffix"]
# At least the 14 counted above; derived from the longest words of the rules (twice their total,
# plus the punctuation: 24 today) so that a longer unit or qualifier an officer adds cannot
# outrun the key. A longer key only shares the memo less.
_READ_MAX = max(14, 2 * sum(max(map(len, ws), default=0)
                            for ws in ([f for u in _R["units"] for f in u["forms"]], list(_MULT),
                                       _Q["infix"], _Q["suffix"])) + 6)
_SUFFIX_WORDS += [u.get("not_before_re", "") for u in _R["units"]]
_SUFFIX_WORDS += [_R["newline_units_re"], _T["inclusive_re"]]
assert not any(c.isdigit() for w in _SUFFIX_WORDS for c in w), "a suffix word or pattern with a digit"
# every literal character of the patterns (and some regex syntax: a harmless superset) but digits
_SUFFIX_CHARS = (frozenset(_SUFFIX.pattern + _CLOSE_PAREN.pattern + _AFTER.pattern)
                 - frozenset("0123456789 \t\r\n"))
_AFTER_RUN = re.compile("[" + "".join(re.escape(c) for c in sorted(_SUFFIX_CHARS)) + "]"
                        + f"{{0,{_READ_MAX}}}.?", re.S)
_MEMO = True           # False: every number through _classify (the tests' reference)
_PLANS: dict[tuple, tuple] = per_document({}, "extract._PLANS")
_PLANS_MAX = 1 << 15   # a bound on memory; further contexts are classified afresh
_MULT_KINDS = frozenset(("amount", "count", "bare"))
_MONEY_CTX = re.compile(_R["money_context_re"])
_CLAUSE_BREAK = re.compile(r"[。;；!?！？\n]")
_SENT_PUNCT = re.compile(_L["sentence_punct_re"])
_FIGURE_IN_LINE = re.compile(_L["figure_in_line_re"])
_HEADING_MAX = int(_L["heading_max_len"])
_HEADING_START = re.compile(_L["heading_start_re"])
_HEADING_END = re.compile(_L["heading_end_re"])
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# --- Chinese numerals ---------------------------------------------------------------------
_CN_DIGIT: dict[str, int] = {k: int(v) for k, v in _C["digits"].items()}
_CN_START = re.escape(_C["start"])
_CN_BODY = re.escape(_C["body"])
_CN_FRAC = "点[" + re.escape("".join(_CN_DIGIT)) + "]+"
_CN_ORD = "[一二三四五六七八九十]{1,3}"
_STOP = re.compile(_alt(_C["stop_phrases"]))

# --- the master pattern ---------------------------------------------------------------------
# An Arabic number with PDF noise. Alternatives, in order:
#   14, 344, 12  -> thousands groups whose last ", dd" group is a misread decimal point
#   1, 699. 45 / 11,121.20 / 180 -> optional thousands groups, then a clean decimal part or a
#   noisy one (a few spaces, or a line break or blank line, after the point; not when
#   what follows is a year or list numbering, as in "1. 2024年度…" or "…共 5.\n2. …").
_NUM = (
    r"(?:[0-9]{1,3}(?:,[ ]?[0-9]{3})+,[ ]?[0-9]{2}(?![0-9.])"
    r"|(?:[0-9]{1,3}(?:,[ ]?[0-9]{3})+(?![0-9])|[0-9]+)"
    r"(?:\.[0-9]+|\.(?:[ \t]{1,3}|(?:[ \t]*\r?\n){1,2}[ \t]*)[0-9]+(?![0-9])(?![ \t]*年)"
    r"(?![ \t]*[.、)](?![0-9])))?)"
)
_MONTH = r"(?:1[0-2]|0?[1-9])"
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])"
_YEAR = r"(?:19|20)[0-9]{2}"
_BULLET = _L["bullet_re"]
_ORD_AFTER = re.escape(_L["ordinal_after"])
# "2. 2080102-一般行政管理事务": an item number before a 科目编码, not the decimal 2.2080102
_CODE_AFTER = r"2(?:[0-9]{2}|[0-9]{4}|[0-9]{6})(?![0-9.])[ \t]*(?:-|[\u4e00-\u9fff](?<![万亿元千]))"

_ALTS = [
    # page number line: "— 26 —"
    rf"(?P<k_page>(?m:^)[ \t]*[—–-]+[ \t]*(?P<pg>[0-9]{{1,4}})[ \t]*[—–-]+[ \t]*(?m:$))",
    # dates
    rf"(?P<k_date>(?=[0-9])(?<![0-9])(?:{_YEAR}{_WS}年{_WS}{_MONTH}{_WS}月(?:{_WS}{_DAY}{_WS}日)?"
    rf"|{_YEAR}[./-]{_MONTH}[./-]{_DAY}(?![0-9])|{_MONTH}{_WS}月{_WS}{_DAY}{_WS}日))",
    # list numbering at a line start, after optional indentation and bullet
    rf"(?P<k_lord>(?m:^)[ \t]*(?:{_BULLET}[ \t]+)?(?:"
    rf"(?P<lo>[0-9]{{1,2}})[ \t]*(?:[、)]|\.(?!\s*[0-9])|\.(?={_WS}{_YEAR}{_WS}年)|\.(?={_WS}{_CODE_AFTER}))"
    rf"|(?P<lc>{_CN_ORD})[ \t]*[、.]"
    rf"|\({_WS}(?P<lp>[1-9][0-9]?){_WS}\)))",
    # list numbering inside a line, right after ：；。
    rf"(?P<k_iord>(?<=[{_ORD_AFTER}])[ \t]*(?:(?P<io>[0-9]{{1,3}})[ \t]*(?:、|\.(?![ \t]*[0-9]))"
    rf"|(?P<ic>{_CN_ORD})[ \t]*、))",
    # (一) anywhere
    rf"(?P<k_pord>\({_WS}(?P<pc>{_CN_ORD}){_WS}\))",
    # 二〇二四年
    rf"(?P<k_cyear>(?=[一二])(?<![{_CN_BODY}0-9])(?P<cy>[一二][{re.escape(''.join(_CN_DIGIT))}]{{3}})(?={_WS}年))",
    # 百分之三十
    rf"(?P<k_cpct>百分之(?P<cp>[{_CN_START}][{_CN_BODY}]*(?:{_CN_FRAC})?|[0-9]+(?:\.[0-9]+)?))",
    # Chinese numeral followed by a counter: 三十四人次, 一个项目
    rf"(?P<k_cn>(?=[{_CN_START}])(?<![{re.escape(_C['not_after'])}{_CN_BODY}0-9])"
    rf"(?P<cn>[{_CN_START}][{_CN_BODY}]*(?:{_CN_FRAC})?)"
    rf"(?={_SP}(?:{_INFIX_RE})?{_SP}(?:{_CN_UNITS_RE})))",
    # Arabic number, optionally negative, optionally the first end of a range (100-80%, 1-2 次)
    rf"(?P<k_num>(?=[-0-9])(?P<sg>(?<![0-9A-Za-z%)])-)?(?<![0-9])(?P<n>{_NUM})"
    rf"(?:(?P<rau>[ ]*%)?[ ]*(?:{_T['range_sep_re']})[ ]*(?P<rb>{_NUM}))?)",
]
# Gate: a match can only start at a character that can begin one of the alternatives: a
# digit, ( - 百 or a Chinese numeral; or a blank, a dash or a bullet, which begin only the
# alternatives anchored at a line start or after ：；。 (k_page, k_lord, k_iord). Checked
# first at every position (one character class: much cheaper than a branch of look-arounds),
# it keeps the scan fast; so do the look-aheads at the head of some alternatives, which fail
# them at the first character. tests/test_extract_fast3.py: same matches as the former gate
# (a line start, right after ：；。, or a character that can begin a number).
_GATE = rf"(?=[0-9(\-百{_CN_START} \t—–]|{_BULLET})"
_MASTER = re.compile(_GATE + "(?:" + "|".join(_ALTS) + ")")

_STRIP_NOISE = str.maketrans("", "", " \t\r\n")
_DIGIT_RUN = re.compile("[0-9]+")


# ---------------------------------------------------------------------------------------------
# helpers

# Exact arithmetic for scaling (the default context rounds to 28 digits).
_EXACT = Context(prec=1000)


def _clean(value: Decimal) -> Decimal:
    """Drop a fractional part of zeros produced by scaling (34000.0 -> 34000)."""
    if value.as_tuple().exponent < 0 and value == value.to_integral_value():
        try:
            return value.quantize(Decimal(1), context=_EXACT)
        except ArithmeticError:   # more than 1000 digits: leave as is
            pass
    return value


def _parse_arabic(s: str) -> tuple[Decimal, int]:
    """Value and decimals of a matched Arabic number ("1, 699. 45", "14, 344, 12")."""
    if s.isdigit():
        return Decimal(s), 0
    head, _, tail = s.partition(".")
    if tail.isdigit() and head.isdigit():             # 37754.31: no noise
        return Decimal(s), len(tail)
    t = s.translate(_STRIP_NOISE)
    if "," in t:
        head, _, tail = t.rpartition(",")
        if len(tail) == 2 and "." not in t:  # "14,344,12": the last comma is a decimal point
            t = head.replace(",", "") + "." + tail
        else:
            t = t.replace(",", "")
    places = len(t) - t.index(".") - 1 if "." in t else 0
    return Decimal(t), places


@per_document
@lru_cache(maxsize=1024)
def _parse_chinese(s: str) -> tuple[Decimal, int] | None:
    """Value and decimals of a Chinese numeral (三十四, 一千二百, 两万, 三点五, 二0二四)."""
    s = s.replace("〇", "0")
    whole, _, frac = s.partition("点")
    if whole and all(c in _CN_DIGIT for c in whole) and len(whole) > 1:
        n = int("".join(str(_CN_DIGIT[c]) for c in whole))     # read digit by digit
    elif (small := read_cn_small(whole)) is not None:  # 十二, 一百零五 …: without cn2an
        n = small
    else:
        import cn2an  # imported on first use: it takes 100–400 ms to import and set up

        try:
            n = cn2an.cn2an(whole.replace("0", "零"), "normal")
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        if not isinstance(n, int):
            return None
    if frac:
        try:
            digits = "".join(str(_CN_DIGIT[c]) for c in frac)
        except KeyError:
            return None
        return Decimal(f"{n}.{digits}"), len(digits)
    return Decimal(n), 0


def _is_heading(norm: str, ns: int, ne: int) -> bool:
    """Whether the line around [ns, ne) is a heading or title (see module docstring)."""
    ls = norm.rfind("\n", 0, ns) + 1
    le = norm.find("\n", ne)
    if le < 0:
        le = len(norm)
    line = norm[ls:le].strip(" \t\r-•*")
    return (len(line) <= _HEADING_MAX and _SENT_PUNCT.search(line) is None
            and _FIGURE_IN_LINE.search(line) is None
            and (_HEADING_START.match(line) is not None or _HEADING_END.search(line) is not None))


def _money_context(norm: str, ns: int) -> bool:
    lo = max(0, ns - 40)
    last = lo
    for m in _CLAUSE_BREAK.finditer(norm, lo, ns):
        last = m.end()
    return _MONEY_CTX.search(norm, last, ns) is not None


def _overlaps_stop_phrase(norm: str, ns: int, ne: int) -> bool:
    for m in _STOP.finditer(norm, max(0, ns - 6), min(len(norm), ne + 6)):
        if m.start() < ne and m.end() > ns:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# normalisation

def normalize(text: str) -> tuple[str, list[int]]:
    """Normalised text for matching, and the original offset of every normalised character.

    Full-width ASCII becomes ASCII (the Chinese comma ，stays), 〇 becomes 0, odd spaces become
    a space, and markup/zero-width noise (``<u>``, ``</u>``, U+200B …) is removed. Every other
    character keeps its place, so ``text[offsets[i]]`` is the source of ``normalised[i]``.
    """
    t, offs = _normalize(text)
    return t, offs if isinstance(offs, list) else list(offs)


def _normalize(text: str) -> tuple[str, range | list[int]]:
    """``normalize``, with the offsets as a range when nothing was removed (the usual case)."""
    # one-to-one replacements: each character found once, then one str.replace per distinct
    # character (a few: （）：；) - cheaper than a callback per occurrence or str.translate
    t = text
    for ch in set(_TRANS_RE.findall(text)):
        t = t.replace(ch, _TRANS_CHAR[ch])
    if _REMOVE_GATE.search(t) is None or _REMOVE.search(t) is None:
        return t, range(len(t))
    parts: list[str] = []
    ranges: list[range] = []
    last = 0
    for m in _REMOVE.finditer(t):
        parts.append(t[last:m.start()])
        ranges.append(range(last, m.start()))
        last = m.end()
    parts.append(t[last:])
    ranges.append(range(last, len(t)))
    return "".join(parts), list(chain.from_iterable(ranges))


# ---------------------------------------------------------------------------------------------
# extraction

class _Ctx:
    """The texts of one extract() call and the mention builder."""

    __slots__ = ("text", "norm", "offs", "out", "moved")

    def __init__(self, text: str):
        self.text = text
        self.norm, self.offs = _normalize(text)
        self.moved = not isinstance(self.offs, range)   # False: offsets map to themselves
        self.out: list[Mention] = []

    def emit(self, ns: int, ne: int, value: Decimal, places: int, unit: str, kind: str,
             qualifier: str | None, us: int, ue: int, claim: bool) -> None:
        if self.moved:
            offs = self.offs
            start = offs[ns]
            end = offs[ne - 1] + 1
            if ue > us:
                ustart, uend = offs[us], offs[ue - 1] + 1
            else:
                ustart = uend = end
        else:
            start, end = ns, ne
            if ue > us:
                ustart, uend = us, ue
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

        The classification is remembered (``_PLANS``) for the same words before it, the same
        characters after it and the same class of value: templated prose repeats them in every
        document. ``_classify`` is the rule itself and the reference the memo is tested against.
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
        after = _AFTER_RUN.match(norm, ne).group()
        if _MEMO and (not after or after[-1] not in " \t\r\n" or len(after) > _READ_MAX):
            # the value only matters through these two ranges (years, months)
            vclass = (0 if places or not 1 <= value <= 2100 else
                      1 if value <= 12 else 2 if value >= 1900 else 0)
            key = (pg, qualifier, after, ns > 0 and norm[ns - 1] in _LETTERS, vclass, chinese)
            plan = _PLANS.get(key)
            if plan is None:
                unit, kind, qualifier, us, ue, claim, value, factor, far = self._classify(
                    ns, ne, value, places, chinese, pg, qualifier)
                if far != "money" and len(_PLANS) < _PLANS_MAX:
                    # a year whose claim came from the heading test: test again each time
                    _PLANS[key] = (unit, kind, qualifier, us - ne, ue - ne,
                                   None if far and kind == "year" else claim, factor)
            else:
                unit, kind, qualifier, us, ue, claim, factor = plan
                us += ne
                ue += ne
                if factor is not None:
                    value = _clean(_EXACT.multiply(value, factor))
                if claim is None:
                    claim = not _is_heading(norm, ns, ne)
        else:
            unit, kind, qualifier, us, ue, claim, value, _, _ = self._classify(
                ns, ne, value, places, chinese, pg, qualifier)
        if kind is None:
            return None
        if emit:
            self.emit(ns, ne, value, places, unit, kind, qualifier, us, ue, claim)
        return unit, kind, us, ue, value

    def _classify(self, ns: int, ne: int, value: Decimal, places: int, chinese: bool,
                  pg: str | None, qualifier: str | None):
        """Unit, kind, qualifier, unit span and claim of the number at [ns, ne), given the word
        before it (``pg``: name of the _PREFIX group, ``qualifier``).

        Returns (unit, kind, qualifier, us, ue, claim, value, factor, far): ``factor`` is the
        multiplier applied to ``value`` (or None), ``far`` tells that text before the number
        ("money": the money context) or the whole line ("heading": the heading test of a year,
        which gives its claim while its kind stays "year") was consulted. ``kind`` is None for a
        Chinese numeral that is no number. After the number it reads no further than the
        first character the suffix rules cannot match, and at most ``_READ_MAX`` characters
        when none of them is blank (see ``_AFTER_RUN``).
        """
        norm = self.norm
        factor = None
        far = False
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
            if kind == "bare":
                far = "money"
            if kind == "bare" and _money_context(norm, ns):
                kind, unit = "amount", mult + "元"
            else:
                factor = _MULT[mult]
                value = _clean(_EXACT.multiply(value, factor))
        if kind == "year":
            if not (places == 0 and 1900 <= value <= 2100):
                if "\n" in norm[ne:us]:                      # "2. 5\n年度绩效目标": no unit
                    unit, kind, us, ue = "", "bare", ne, ne
                else:
                    kind = "count"                           # 3年: a duration
            elif pg != "di":
                far = "heading"
                if _is_heading(norm, ns, ne):
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
                return "", None, None, ne, ne, False, value, factor, far   # no number

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
        return unit, kind, qualifier, us, ue, claim, value, factor, far

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


def extract(text: str) -> list[Mention]:
    """Every number in ``text``, in order of start (see the module docstring for the rules)."""
    ctx = _Ctx(text)
    handlers = _HANDLERS
    for m in _MASTER.finditer(ctx.norm):
        handlers[m.lastgroup](ctx, m)
    return ctx.out
