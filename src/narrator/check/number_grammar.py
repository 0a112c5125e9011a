"""The grammar of a number in Chinese prose, compiled from rules/extract.yaml.

Owns the loaded rules, ``normalize`` (full-width ASCII -> ASCII, 〇 -> 0, odd spaces ->
space, markup removed, every position mapped back), the unit, qualifier and threshold
patterns before and after a number, the master pattern that finds candidate numbers, and
the parsing of Arabic and Chinese numerals. ``extract`` classifies what it finds.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from functools import lru_cache
from itertools import chain

from narrator.core.caches import per_document
from narrator.core.diskcache import compiled_patterns
from narrator.core.cn_numerals import read_cn_small
from narrator.core.resources import rules_dir

# --- rules --------------------------------------------------------------------------------

def _load_rules() -> dict:
    from narrator.core.yamlio import load_rule_file

    return load_rule_file(rules_dir() / "extract.yaml")     # parsed once per version, kept on disk


_R = _load_rules()


def _alt(words) -> str:
    """Regex alternation of literal words, longest first (then in code-point order: the same
    pattern in every process, as the cache of compiled patterns needs)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


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
_TRANS_CHAR = {chr(k): v for k, v in _TRANS.items()}
# normalize() replaces one character at a time: no replacement may itself be replaced
assert not set(_TRANS_CHAR.values()) & set(_TRANS_CHAR), "normalisation must not chain"
_TRANS_RE, _REMOVE, _REMOVE_GATE = compiled_patterns("patterns", [
    "[" + "".join(re.escape(chr(c)) for c in _TRANS) + "]", _R["normalize"]["remove_re"],
    "[" + re.escape(_R["normalize"]["remove_chars"]) + "]"])

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
MONEY_FACTOR: dict[str, Decimal] = {k: Decimal(int(v)) for k, v in _R["money_units"].items()}
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
_SUFFIX_RE = (
    rf"(?:{_NL}(?=(?:{_R['newline_units_re']}))|{_SP})"
    rf"(?:(?P<q1>{_INFIX_RE}){_SP})?"
    rf"(?:(?P<mult>{_MULT_RE})(?:{_NL}(?=元)|{_SP}))?"
    rf"(?:(?P<q2>{_INFIX_RE}){_SP})?"
    rf"(?P<unit>{_UNITS_RE})?"
)
# after the unit: [(含)] [以上/左右/…]
_AFTER_RE = (
    rf"{_SP}(?P<incl>{_T['inclusive_re']})?{_SP}(?P<qs>{_alt(_Q['suffix'])})?"
)
_CLOSE_PAREN = re.compile(rf"{_WS}\){_WS}")

# --- before a number (searched in a short window ending at the number) -------------------------
_PREFIX_WINDOW = 12
_PREFIX_RE = (
    rf"(?:(?P<di>第)|(?P<cmp>{_T['prefix_re']})|(?P<up>{_T['unit_price_re']})"
    rf"|(?P<sl>{_R['score_label_re']})|(?P<incl>\({_WS}含)|(?P<q>{_Q['prefix_re']})"
    rf"|(?P<lab>{_R['label_prefix_re']})|(?P<par>\())[ \t]*\Z"
)
# every character that can end a prefix match is a literal character of its pattern
_PREFIX_CHARS = frozenset(_PREFIX_RE) - frozenset(" \t")
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
_PREFIX_REACH = _lookbehind_reach(_PREFIX_RE)


@per_document
@lru_cache(maxsize=1 << 13)
def _prefix_of(window: str, pos: int) -> tuple[str | None, str | None]:
    """(name of the matching prefix group, the qualifier if that group is "q") or (None, None)."""
    pre = _PREFIX.search(window, pos)
    if pre is None:
        return None, None
    return pre.lastgroup, pre.group("q")

_MONEY_CTX, _CLAUSE_BREAK, _SENT_PUNCT, _FIGURE_IN_LINE, _HEADING_START, _HEADING_END = compiled_patterns("patterns", [
    _R["money_context_re"], r"[。;；!?！？\n]", _L["sentence_punct_re"], _L["figure_in_line_re"],
    _L["heading_start_re"], _L["heading_end_re"]])
_HEADING_MAX = int(_L["heading_max_len"])
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# --- Chinese numerals ---------------------------------------------------------------------
_CN_DIGIT: dict[str, int] = {k: int(v) for k, v in _C["digits"].items()}
_CN_START = re.escape(_C["start"])
_CN_BODY = re.escape(_C["body"])
_CN_FRAC = "点[" + re.escape("".join(_CN_DIGIT)) + "]+"
_CN_ORD = "[一二三四五六七八九十]{1,3}"
_STOP, = compiled_patterns("patterns", [_alt(_C["stop_phrases"])])

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
_MASTER_RE = _GATE + "(?:" + "|".join(_ALTS) + ")"
# the four largest patterns (~25 ms a process to compile) from the cache folder
_SUFFIX, _AFTER, _PREFIX, _MASTER = compiled_patterns(
    "patterns", [_SUFFIX_RE, _AFTER_RE, _PREFIX_RE, _MASTER_RE])

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
