"""The claim reader's words and what a reading is.

Owns the vocabulary of rules/claims.yaml (measures, directions, subjects' other names,
comparators), traditional→simplified and folding, the sentence and clause bounds the reader
works in, a label's subject, measure, year and 科目 code (``clean_label``), and the
``Reading``/``Sentence``/``Document`` records ``claims.read`` fills in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from narrator.check.extract import Mention
from narrator.core.caches import per_document
from narrator.core.diskcache import compiled_patterns
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file

ZERO = Decimal(0)

ACT, PY, BUD0, BUDF, BUD, CHG, RATE, SHARE, COMPL = (
    "决算数", "上年数", "年初预算数", "全年预算数", "预算数", "变动额", "变动率", "占比", "完成率")
AMOUNT_MEASURES = (ACT, PY, BUD0, BUDF, BUD)
BUDGETS = (BUD0, BUDF, BUD)


@cache
def vocabulary() -> dict:
    return load_rule_file(rules_dir() / "claims.yaml")


@cache
def _t2s() -> dict[int, int]:
    d = load_rule_file(rules_dir() / "繁简.yaml")
    return str.maketrans(d["繁"], d["简"])


@cache
def _trad_chars() -> re.Pattern:
    return compiled_patterns("patterns", ["[" + re.escape(load_rule_file(rules_dir() / "繁简.yaml")["繁"]) + "]"])[0]


@cache
def _t2s_chars() -> dict[str, str]:
    return {chr(k): chr(v) for k, v in _t2s().items()}


def simplified(text: str) -> str:
    """``text`` with traditional characters as simplified ones, one for one (spans unchanged)."""
    pattern = _trad_chars()
    if not pattern.search(text):
        return text
    found = pattern.findall(text)
    if len(found) * 64 > len(text):          # a text in traditional characters: all at once
        return text.translate(_t2s())
    # a few in a simplified text (a table's heading): only those (translate looks every
    # character up: ~2 ms for a 30 k-character disclosure)
    table = _t2s_chars()
    return pattern.sub(lambda m: table[m.group()], text)


# full-width punctuation folded for matching; quotes and blanks dropped
_FOLD = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "、": "、",
                       "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")"})
_DROP, _DROP_ANY = compiled_patterns("patterns", [r"[\s\u3000“”\"'‘’「」『』《》]|</?u>|\$[^$]{0,40}\$",
                                                 r"[\s\u3000“”\"'‘’「」『』《》<$]"])


@per_document
@lru_cache(maxsize=1 << 14)
def fold(s: str) -> str:
    """A phrase as matched: full-width punctuation as ASCII, no blanks or quotes.

    The text is made simplified once, before reading (``simplified``); the rules are written so.
    """
    s = s.translate(_FOLD)
    return _DROP.sub("", s) if _DROP_ANY.search(s) else s


@cache
def words(key: str) -> tuple[str, ...]:
    v = vocabulary()[key]
    return tuple(sorted({fold(w) for w in v}, key=len, reverse=True))


@cache
def _directions() -> tuple[tuple[str, int], ...]:
    out = []
    for key, sign in (("正", 1), ("负", -1), ("零", 0)):
        out += [(fold(w), sign) for w in vocabulary()["方向"][key]]
    return tuple(sorted(out, key=lambda t: -len(t[0])))


@cache
def _direction_re() -> re.Pattern:
    return compiled_patterns("patterns", ["|".join(re.escape(w) for w, _ in _directions())])[0]


@cache
def _direction_sign() -> dict[str, int]:
    return dict(_directions())


@cache
def _measure_words() -> tuple[tuple[str, str], ...]:
    m = {"年初预算": BUD0, "全年预算": BUDF, "预算": BUD, "决算": ACT}
    out = [(fold(w), m[k]) for k, ws in vocabulary()["口径"].items() for w in ws]
    return tuple(sorted(out, key=lambda t: -len(t[0])))


@cache
def _aliases() -> dict[str, str]:
    out = {}
    for canon, forms in vocabulary()["主体"].items():
        out[fold(canon)] = canon
        for f in forms:
            out.setdefault(fold(f), canon)
    return out


def subject_of(label: str) -> str | None:
    """The canonical subject a cleaned label names, or None.

    A label that is a unit's name followed by a total ("马家镇卫生院本年支出合计") names that
    total; any other label must be one of the forms of rules/claims.yaml.
    """
    canon = _aliases().get(label)
    if canon is not None or len(label) < 6:
        return canon
    for form in _total_forms():
        if label.endswith(form) and _label_patterns().unit_name_end.search(label[: -len(form)]):
            return _aliases()[form]
    return None


@cache
def _total_forms() -> tuple[str, ...]:
    totals = set(vocabulary()["全文唯一"])
    forms = [f for f, canon in _aliases().items() if canon in totals and len(f) >= 4]
    return tuple(sorted(forms, key=len, reverse=True))





@dataclass(eq=False, slots=True)
class Reading:
    mention: Mention
    index: int
    kind: str                   # "money" | "percent"
    value: Decimal              # money in the document's unit (万元 mostly); percent in %
    half: Decimal               # half a unit of the last printed digit, same scale
    unit: str                   # the unit as written ("万元", "元", "%"; "" for a bare amount)
    measure: str | None = None  # one of the measure names above, None when not read
    sign: int | None = None     # a change's or a rate's direction (+1 / −1 / 0), from its word
    sign_word: tuple[int, int] | None = None   # span of that direction word
    label: str = ""             # the subject as written, folded
    subject: str | None = None  # canonical subject ("本年收入合计", "科目201", or the label)
    code: str | None = None
    year: int | None = None
    sentence: int = 0
    section: int = 0
    depth: int = 0              # inside how many parentheses
    paren: int = -1             # start of the innermost parenthesis (−1 outside)
    part_of: int | None = None  # index of the amount this one is a part of (其中 / parentheses)
    anchor: int | None = None   # CHG/RATE/SHARE/COMPL: the amount it is about
    base: int | None = None     # RATE/CHG: the printed base (PY or budget) reading
    change: int | None = None   # RATE: its change amount
    whole: int | None = None    # SHARE: the whole's reading
    whole_name: str = ""        # SHARE: the whole as named after 占
    budget: int | None = None   # COMPL: the budget reading
    vs_budget: bool = False     # CHG/RATE against the budget, not the prior year
    ambiguous: bool = False     # PY that may be a change with its word missing
    narrative: bool = False     # in a section of prose (职责, 工作总结): not checked

    @property
    def start(self) -> int:
        return self.mention.start

    def interval(self) -> tuple[Decimal, Decimal]:
        return self.value - self.half, self.value + self.half


@dataclass
class Sentence:
    start: int
    end: int
    section: int
    readings: list[int] = field(default_factory=list)
    index: int = 0


@dataclass
class Document:
    text: str                   # simplified text (same length as the original)
    readings: list[Reading]
    sentences: list[Sentence]
    year: int | None
    unit: str                   # the money unit most amounts are written in
    sections: list[tuple[int, str]]   # (start, title)
    list_heads: set[int] = field(default_factory=set)   # amounts a 其中 list hangs from


_SENT_END = set("。；;！？!?\n")
_HARD_END = set("。！？!?\n")          # end a sentence even inside an unclosed parenthesis
_CLAUSE_END = set("，,：:")
_OPEN, _CLOSE = set("(（[【〔"), set(")）]】〕")
HEADING, _HEADING_GLUED, SUB_INDEX = compiled_patterns("patterns", [
    r"[一二三四五六七八九十]{1,3}\s*[、.．]",
    r"(?<=[元%。\d])(?=[一二三四五六七八九十]{1,2}、)",
    r"^(?:\(?[一二三四五六七八九十]{1,3}\)|\d{1,2}[、.．](?!\d)|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]+部分)"])


def label_words(key: str) -> tuple[str, ...]:
    """The words of ``标签.<key>`` in rules/claims.yaml, in their order."""
    return tuple(vocabulary()["标签"][key])


def label_any(key: str) -> str:
    """``label_words(key)`` as one regex alternation (the first written is tried first)."""
    return "(?:" + "|".join(map(re.escape, label_words(key))) + ")"


@dataclass(frozen=True)
class _LabelPatterns:
    """clean_label's patterns, each built from a word list of 标签 in rules/claims.yaml."""
    year_head: re.Pattern       # 截至2024年12月31日
    org_year: re.Pattern        # 区人社局2023年度
    glued_year: re.Pattern      # …情况说明2016年
    code: re.Pattern            # 科目编码：2080101
    code_paren: re.Pattern      # (科目编码：2080101)
    code_prefix: str            # the optional words before a code, as a regex
    level: re.Pattern           # (项)
    filler_head: re.Pattern     # 其中 / 本单位 / 合计 …
    unit_name_end: re.Pattern   # 马家镇卫生院
    title_year: re.Pattern      # 2024年度部门决算


@cache
def _label_patterns() -> _LabelPatterns:
    prefix = label_any("编码前缀") + "?[:：]?"
    (year_head, org_year, glued_year, code, code_paren, level, filler_head, unit_name_end,
     title_year) = compiled_patterns("patterns", [
        "^" + label_any("截至词") + r"?(?:(20\d{2})(?!\d)|(\d{2})(?=年))(?:年(?:度)?)?(?:\d{1,2}月(?:\d{1,2}日)?)?",
        r"^[\u4e00-\u9fff]{1,20}?" + label_any("年度前的单位名称结尾") + r"(20\d{2})年度?",
        label_any("年度前的引语") + r"[:,]?(?:\(?[一二三四五六七八九十]{1,3}\)|\d{1,2}[、.])?(20\d{2})(?!\d)年?度?",
        prefix + r"(?<!\d)(2\d{2}(?:\d{2}){0,2})(?!\d)",
        r"\(" + prefix + r"2\d{2}(?:\d{2}){0,2}\)",
        r"\(" + label_any("科目级次") + r"\)",
        "^" + label_any("句首填充"),
        label_any("单位名称结尾") + "$",
        r"(20\d{2})\s*年度?[^\n。，,；;]{0,40}?" + label_any("决算书编制者") + "?决算"])
    return _LabelPatterns(year_head=year_head, org_year=org_year, glued_year=glued_year, code=code,
                          code_paren=code_paren, code_prefix=prefix, level=level, filler_head=filler_head,
                          unit_name_end=unit_name_end, title_year=title_year)




def doc_year(text: str) -> int | None:
    head = text[:600]
    title = _label_patterns().title_year.search(text[:300])
    if title:
        return int(title.group(1))
    years = re.findall(r"(20\d{2})\s*年", head)
    if not years:
        years = re.findall(r"(20\d{2})\s*年", text[:4000])
    if not years:
        return None
    counts: dict[str, int] = {}
    for y in years:
        counts[y] = counts.get(y, 0) + 1
    # the title's year: the first one, unless another is far more frequent in the opening
    return int(max(counts, key=lambda y: (counts[y], -years.index(y))))


_NONBLANK, _SPLIT_EVENTS = compiled_patterns("patterns", [r"\S", r"[()（）\[\]【】〔〕。；;！？!?\n]"])


def sentence_bounds(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Sentences split at 。；！？ and line ends, never at ；inside parentheses (a line end, or
    240 characters, closes an unclosed one).

    With ``lo`` and ``hi`` at line starts (or the ends of the text), the sentences of
    ``text[lo:hi]``, in offsets of ``text``: the same as those of the whole text between them
    (every line end closes a sentence and a parenthesis)."""
    hi = len(text) if hi is None else hi
    out = []
    start, depth = lo, 0
    opened = -1
    glued = [m.start() for m in _HEADING_GLUED.finditer(text, lo, hi)]
    gi = 0
    for m in _SPLIT_EVENTS.finditer(text, lo, hi):
        i = m.start()
        while gi < len(glued) and glued[gi] <= i:
            g = glued[gi]
            gi += 1
            if g > start:
                out.append((start, g))
                start = g
        ch = text[i]
        if depth and i - opened > 240:
            depth = 0
        if ch in _OPEN:
            depth += 1
            opened = i
            continue
        if ch in _CLOSE:
            depth = max(0, depth - 1)
            continue
        if ch == "\n":
            depth = 0
        if depth == 0 or ch in _HARD_END:
            depth = 0 if ch in _HARD_END else depth
            if i + 1 > start:
                out.append((start, i + 1))
            start = i + 1
    while gi < len(glued):
        g = glued[gi]
        gi += 1
        if g > start:
            out.append((start, g))
            start = g
    if start < hi:
        out.append((start, hi))
    return [(a, b) for a, b in out if _NONBLANK.search(text, a, b)]


def clause_start(text: str, lo: int, pos: int) -> tuple[int, int, int]:
    """Where the clause holding ``pos`` starts, its parenthesis depth and that parenthesis' start.

    Walks back from ``pos`` to the sentence start ``lo``: a clause ends at ，：、 at the same
    depth; an unmatched opening parenthesis starts the clause (the number is inside it).
    Worked out on the words alone (cached: sentences repeat from document to document).
    """
    cs, depth, paren = _clause_start_in(text[lo:pos])
    return lo + cs, depth, (lo + paren if paren >= 0 else -1)


@per_document
@lru_cache(maxsize=1 << 13)
def _clause_start_in(words: str) -> tuple[int, int, int]:
    text, lo, pos = words, 0, len(words)
    depth = 0
    i = pos - 1
    while i >= lo:
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                # inside this parenthesis: depth of pos = 1 + depth of i
                d, p = _depth_at(text, lo, i)
                return i + 1, d + 1, i
            depth -= 1
        elif ch in _CLAUSE_END and depth == 0:
            d, p = _depth_at(text, lo, i)
            return i + 1, d, p
        i -= 1
    return lo, 0, -1


def _depth_at(text: str, lo: int, pos: int) -> tuple[int, int]:
    stack = []
    for i in range(lo, pos):
        ch = text[i]
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            stack.pop()
    return len(stack), (stack[-1] if stack else -1)


@cache
def _tail_re() -> re.Pattern:
    ws = sorted(set(words("虚词")) | {w for w, _ in _measure_words()}, key=len, reverse=True)
    return compiled_patterns("patterns", ["(?:" + "|".join(map(re.escape, ws)) + ")$"])[0]


@cache
def _measure_of() -> dict[str, str]:
    return dict(_measure_words())


def _strip_tail(s: str) -> tuple[str, str | None]:
    """Remove fillers and measure words at the end of a label; return (label, measure)."""
    measure = None
    pattern = _tail_re()
    measures = _measure_of()
    while s:
        m = pattern.search(s)
        if m is None or (m.start() == 0 and m.group() not in measures):
            break
        w = m.group()
        measure = measure or measures.get(w)
        s = s[: m.start()]
    return s.rstrip(":,的-—"), measure


@per_document
@lru_cache(maxsize=1 << 13)
def clean_label(raw: str) -> tuple[str, str | None, int | None, str | None]:
    """A clause's words before a number as (label, code, year, measure word)."""
    s = fold(raw)
    P = _label_patterns()
    code = None
    m = None
    for m in P.code.finditer(s):
        pass
    if m is not None:
        code = m.group(1)
    s = P.code_paren.sub("", s)
    s = P.level.sub("", s)
    year = None
    # a heading glued to its first sentence ("…支出决算情况2016年“三公”经费…支出"): the
    # label starts after the heading's last word and the year that follows it
    if s and P.glued_year.search(s):
        hm = list(P.glued_year.finditer(s))[-1]
        s = s[hm.end():]
        year = int(hm.group(1))
    # "区人社局2023年度机关运行经费支出": the unit's name, then the year
    um = P.org_year.match(s)
    if um:
        s = s[um.end():]
        year = int(um.group(1))
    changed = True
    while changed and s:
        changed = False
        mm = SUB_INDEX.match(s)
        if mm:
            s = s[mm.end():]
            changed = True
        mm = P.year_head.match(s)
        if mm:
            y = int(mm.group(1) or mm.group(2))
            year = y + 2000 if y < 100 else y
            s = s[mm.end():]
            changed = True
        mm = P.filler_head.match(s)
        if mm:
            s = s[mm.end():]
            changed = True
        if s[:1] in ":,、.-":
            s = s[1:]
            changed = True
    if code:
        s = re.sub(P.code_prefix + code, "", s)
    s, measure = _strip_tail(s.strip("-—,:"))
    return s, code, year, measure


def last_direction(s: str) -> tuple[str, int, int] | None:
    """The last direction word in ``s`` (folded), its sign and its offset."""
    last = None
    for m in _direction_re().finditer(s):
        last = (m.group(), _direction_sign()[m.group()], m.start())
    return last


def has_any(s: str, key: str) -> str | None:
    for w in words(key):
        if w in s:
            return w
    return None



def word_span(text: str, lo: int, end: int, word: str) -> tuple[int, int] | None:
    """The span of the last occurrence of folded ``word`` before ``end`` in the original text."""
    window = text[max(lo, end - 40):end]
    # match the word's characters with blanks allowed between them
    pat = r"\s*".join(map(re.escape, word))
    last = None
    for m in re.finditer(pat, window):
        last = m
    if last is None:
        return None
    base = max(lo, end - 40)
    return base + last.start(), base + last.end()

