"""The claim reader: what each number in a 情况说明 says, read from the words around it.

For every money amount and percentage: its *subject* (which figure: 本年收入合计, a 科目 by
code, a 三公 item …), its *measure* (决算数 ACT, 上年数 PY, 预算数 BUD0/BUDF/BUD, 变动额 CHG,
变动率 RATE, 占比 SHARE, 完成率 COMPL), its year, and the readings it is tied to (the amount a
change or a share is about, the whole of a share, the total a part belongs to). Nothing here
depends on the position of a sentence in a template. The words live in rules/claims.yaml.

``read(text, mentions)`` returns a :class:`Reading` per number; :mod:`narrator.relations`
checks them against each other.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from narrator.core.caches import per_document
from narrator.check.extract import Mention
from narrator.core.numbers import quantum
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file

_ZERO = Decimal(0)
MONEY_FACTOR = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}

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
    return re.compile("[" + re.escape(load_rule_file(rules_dir() / "繁简.yaml")["繁"]) + "]")


def simplified(text: str) -> str:
    """``text`` with traditional characters as simplified ones, one for one (spans unchanged)."""
    if not _trad_chars().search(text):
        return text
    return text.translate(_t2s())


# full-width punctuation folded for matching; quotes and blanks dropped
_FOLD = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "、": "、",
                       "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")"})
_DROP = re.compile(r"[\s\u3000“”\"'‘’「」『』《》]|</?u>|\$[^$]{0,40}\$")
_DROP_ANY = re.compile(r"[\s\u3000“”\"'‘’「」『』《》<$]")


@per_document
@lru_cache(maxsize=1 << 14)
def fold(s: str) -> str:
    """A phrase as matched: full-width punctuation as ASCII, no blanks or quotes.

    The text is made simplified once, before reading (``simplified``); the rules are written so.
    """
    s = s.translate(_FOLD)
    return _DROP.sub("", s) if _DROP_ANY.search(s) else s


@cache
def _words(key: str) -> tuple[str, ...]:
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
    return re.compile("|".join(re.escape(w) for w, _ in _directions()))


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
        if label.endswith(form) and _UNIT_NAME_END.search(label[: -len(form)]):
            return _aliases()[form]
    return None


@cache
def _total_forms() -> tuple[str, ...]:
    totals = set(vocabulary()["全文唯一"])
    forms = [f for f, canon in _aliases().items() if canon in totals and len(f) >= 4]
    return tuple(sorted(forms, key=len, reverse=True))


_UNIT_NAME_END = re.compile(r"(局|院|政府|中心|委员会|委|办公室|办|部|站|所|学校|小学|中学|幼儿园|医院|卫生院|镇|乡|街道|队|会|处|馆|社|室|厅|署)$")


# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
_SENT_END = set("。；;！？!?\n")
_HARD_END = set("。！？!?\n")          # end a sentence even inside an unclosed parenthesis
_CLAUSE_END = set("，,：:")
_OPEN, _CLOSE = set("(（[【〔"), set(")）]】〕")
_HEADING = re.compile(r"[一二三四五六七八九十]{1,3}\s*[、.．]")
_HEADING_GLUED = re.compile(r"(?<=[元%。\d])(?=[一二三四五六七八九十]{1,2}、)")
_SUB_INDEX = re.compile(r"^(?:\(?[一二三四五六七八九十]{1,3}\)|\d{1,2}[、.．](?!\d)|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}、|第[一二三四五六七八九十]+部分)")
_YEAR_HEAD = re.compile(r"^(?:截至|截止)?(?:(20\d{2})(?!\d)|(\d{2})(?=年))(?:年(?:度)?)?(?:\d{1,2}月(?:\d{1,2}日)?)?")
_ORG_YEAR = re.compile(r"^[\u4e00-\u9fff]{1,20}?(?:局|院|政府|中心|委员会|办公室|部|站|所|学校|小学|中学|幼儿园|医院|卫生院|镇|乡|街道)(20\d{2})年度?")
_GLUED_YEAR = re.compile(r"(?:情况说明|情况|说明|如下)[:,]?(?:\(?[一二三四五六七八九十]{1,3}\)|\d{1,2}[、.])?(20\d{2})(?!\d)年?度?")
_CODE = re.compile(r"(?:科目编码|编码|科目代码)?[:：]?(?<!\d)(2\d{2}(?:\d{2}){0,2})(?!\d)")
_CODE_PAREN = re.compile(r"\((?:科目编码|编码|科目代码)?[:：]?2\d{2}(?:\d{2}){0,2}\)")
_LEVEL = re.compile(r"\((?:类|款|项|项级科目|类级科目|款级科目)\)")
_FILLER_HEAD = re.compile(r"^(?:其中含|其中:|其中,|其中|包括|含|本部门|本单位|我单位|我院|本年度|全年|单位|全部|合计|共计|总计)")


_TITLE_YEAR = re.compile(r"(20\d{2})\s*年度?[^\n。，,；;]{0,40}?(?:部门|单位)?决算")


def _doc_year(text: str) -> int | None:
    head = text[:600]
    title = _TITLE_YEAR.search(text[:300])
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


_NONBLANK = re.compile(r"\S")
_SPLIT_EVENTS = re.compile(r"[()（）\[\]【】〔〕。；;！？!?\n]")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentences split at 。；！？ and line ends, never at ；inside parentheses (a line end, or
    240 characters, closes an unclosed one)."""
    out = []
    start, depth = 0, 0
    opened = -1
    glued = [m.start() for m in _HEADING_GLUED.finditer(text)]
    gi = 0
    for m in _SPLIT_EVENTS.finditer(text):
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
    if start < len(text):
        out.append((start, len(text)))
    return [(a, b) for a, b in out if _NONBLANK.search(text, a, b)]


def _clause_start(text: str, lo: int, pos: int) -> tuple[int, int, int]:
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
    words = sorted(set(_words("虚词")) | {w for w, _ in _measure_words()}, key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")$")


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
    code = None
    m = None
    for m in _CODE.finditer(s):
        pass
    if m is not None:
        code = m.group(1)
    s = _CODE_PAREN.sub("", s)
    s = _LEVEL.sub("", s)
    year = None
    # a heading glued to its first sentence ("…支出决算情况2016年“三公”经费…支出"): the
    # label starts after the heading's last word and the year that follows it
    if s and _GLUED_YEAR.search(s):
        hm = list(_GLUED_YEAR.finditer(s))[-1]
        s = s[hm.end():]
        year = int(hm.group(1))
    # "区人社局2023年度机关运行经费支出": the unit's name, then the year
    um = _ORG_YEAR.match(s)
    if um:
        s = s[um.end():]
        year = int(um.group(1))
    changed = True
    while changed and s:
        changed = False
        mm = _SUB_INDEX.match(s)
        if mm:
            s = s[mm.end():]
            changed = True
        mm = _YEAR_HEAD.match(s)
        if mm:
            y = int(mm.group(1) or mm.group(2))
            year = y + 2000 if y < 100 else y
            s = s[mm.end():]
            changed = True
        mm = _FILLER_HEAD.match(s)
        if mm:
            s = s[mm.end():]
            changed = True
        if s[:1] in ":,、.-":
            s = s[1:]
            changed = True
    if code:
        s = re.sub(r"(?:科目编码|编码|科目代码)?[:：]?" + code, "", s)
    s, measure = _strip_tail(s.strip("-—,:"))
    return s, code, year, measure


def _last_direction(s: str) -> tuple[str, int, int] | None:
    """The last direction word in ``s`` (folded), its sign and its offset."""
    last = None
    for m in _direction_re().finditer(s):
        last = (m.group(), _direction_sign()[m.group()], m.start())
    return last


def _has_any(s: str, key: str) -> str | None:
    for w in _words(key):
        if w in s:
            return w
    return None


def _ends_any(s: str, key: str) -> str | None:
    for w in _words(key):
        if s.endswith(w):
            return w
    return None


# ---------------------------------------------------------------------------------------
def read(text: str, mentions: list[Mention]) -> Document:
    """Read every money amount and percentage of ``text`` (already simplified)."""
    year = _doc_year(text)
    money_units: dict[str, int] = {}
    for m in mentions:
        if m.kind == "amount" and m.unit in MONEY_FACTOR:
            money_units[m.unit] = money_units.get(m.unit, 0) + 1
    # the unit most amounts are written in; 万元 on a tie
    unit = max(money_units, key=lambda u: (money_units[u], u == "万元")) if money_units else "万元"
    spans = _sentences(text)
    sentences: list[Sentence] = []
    sections: list[tuple[int, str]] = []
    narrative_words = _words("叙述小节")
    section, narrative = 0, False
    blank = " \t\u3000"
    for a, b in spans:
        h = a
        while h < b and text[h] in blank:
            h += 1
        if _HEADING.match(text, h, b):
            title = fold(re.split(r"[。；;\n]", text[h:b], 1)[0])[:40]
            sections.append((a, title))
            section = len(sections)
            narrative = any(w in title for w in narrative_words)
        sentences.append(Sentence(a, b, -section if narrative else section, index=len(sentences)))
    readings: list[Reading] = []
    si = 0
    for m in mentions:
        if not m.claim:
            continue
        money = (m.kind == "amount" and m.unit in MONEY_FACTOR) or (m.kind == "bare" and m.places > 0)
        if not (money or m.kind == "percent"):
            continue
        while si < len(sentences) - 1 and sentences[si].end <= m.start:
            si += 1
        sent = sentences[si] if sentences else Sentence(0, len(text), 0)
        if money:
            u = m.unit if m.unit in MONEY_FACTOR else unit
            half = quantum(m.places) / 2 if (m.places or m.value != 0) else _ZERO
            if u == unit:
                value = m.value
            else:
                factor = MONEY_FACTOR[u] / MONEY_FACTOR[unit]
                value, half = m.value * factor, half * factor
            r = Reading(m, len(readings), "money", value, half, m.unit)
        else:
            half = quantum(m.places) / 2
            r = Reading(m, len(readings), "percent", m.value, half, "%")
        r.sentence = si
        r.section = sent.section
        r.narrative = sent.section < 0
        readings.append(r)
        sent.readings.append(r.index)
    doc = Document(text, readings, sentences, year, unit, sections)
    carry = None
    for sent in sentences:
        carry = _read_sentence(doc, sent, carry)
    _attach_across_sentences(doc)
    return doc


def _read_sentence(doc: Document, sent: Sentence, carry: Reading | None) -> Reading | None:
    """Read one sentence; returns the amount a 其中 list hangs from when the list goes on
    into the next sentence (after ；, or a next sentence that opens with 其中)."""
    text = doc.text
    rs = [doc.readings[i] for i in sent.readings]
    prev_end = sent.start
    opening = fold(text[sent.start:sent.start + 8])
    part_head: Reading | None = None       # the amount a 其中 list hangs from
    if carry is not None and carry.section == sent.section:
        j = sent.start - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        after_semicolon = j >= 0 and text[j] in "；;"
        if opening.startswith(_words("部分词")) or (after_semicolon and carry.index in doc.list_heads
                                                   and not _SUB_INDEX.match(opening)):
            part_head = carry
    for k, r in enumerate(rs):
        m = r.mention
        cs, depth, paren = _clause_start(text, sent.start, m.start)
        r.depth, r.paren = depth, paren
        lo = max(cs, prev_end)
        near = fold(text[lo:m.start])                   # words since the last number
        clause = fold(text[cs:m.start])                 # the whole clause before the number
        prev_end = m.unit_end if m.unit_end > m.end else m.end
        if r.kind == "percent":
            _read_percent(doc, sent, rs, k, r, near, clause)
        else:
            _read_money(doc, sent, rs, k, r, near, clause, cs)
        # parts: inside a parenthesis after an amount, or after 其中 in the sentence
        if r.kind == "money" and r.measure == ACT:
            if depth > 0 and paren >= 0:
                owner = next((x for x in reversed(rs[:k]) if x.kind == "money" and x.measure == ACT
                              and x.depth == depth - 1 and x.mention.end <= paren), None)
                if owner is not None and not fold(text[owner.mention.end:paren]).strip(")万元亿,"):
                    r.part_of = owner.index
            elif part_head is not None and _has_any(fold(text[part_head.mention.end:m.start]), "部分词"):
                r.part_of = part_head.index
            # codes nest: a 项 under the 款 listed before it, not beside it
            if r.part_of is not None and r.code:
                head = doc.readings[r.part_of]
                if head.code and not r.code.startswith(head.code):
                    r.part_of = None
                else:
                    for x in reversed(rs[:k]):
                        if x.part_of == r.part_of and x.code and r.code != x.code and r.code.startswith(x.code):
                            r.part_of = x.index
                            break
            if depth == 0:
                after = fold(text[m.unit_end:m.unit_end + 12]).lstrip("万元亿,:")
                if after.startswith(_words("部分词")):
                    part_head = r
    if part_head is not None:
        doc.list_heads.add(part_head.index)
        return part_head
    # a sentence's own total, for a next sentence that opens with 其中
    own = [r for r in rs if r.kind == "money" and r.measure == ACT and r.depth == 0 and r.part_of is None]
    return own[-1] if own else None


def _read_percent(doc, sent, rs, k, r, near, clause) -> None:
    share = None
    at = near.rfind("占")
    if at >= 0 and not near[at + 1:at + 2] in ("用", "地", "有"):
        share = at
    elif _has_any(near, "占比词"):
        share = len(near)
    if share is not None and not _has_any(near[share:], "完成率词"):
        r.measure = SHARE
        name = near[share + 1:] if share < len(near) else ""
        if r.mention.qualifier and name.endswith(r.mention.qualifier):
            name = name[: -len(r.mention.qualifier)]       # "占本年收入不足78%"
        name = re.sub(r"(的比重|的比例|比重|比例|的)$", "", re.sub(r"(为|是|:)$", "", name))
        name = re.sub(r"^(比|的比重|比重)$", "", name)
        r.whole_name = name
        return
    if _has_any(near, "完成率词"):
        r.measure = COMPL
        return
    d = _last_direction(near)
    if d is not None:
        word, sign, at = d
        if sign == 0 and not near.endswith(word):
            return
        r.measure = RATE
        r.sign = sign
        r.vs_budget = _vs_budget(clause)
        r.sign_word = _word_span(doc.text, sent.start, r.mention.start, word)
        return


def _vs_budget(clause: str) -> bool:
    cmp = _has_any(clause, "比较词")
    if not cmp:
        return False
    after = clause[clause.find(cmp):]
    return bool(_has_any(after, "预算基数词")) and "上年" not in after and not re.search(r"\d{4}年决算", after)


def _word_span(text: str, lo: int, end: int, word: str) -> tuple[int, int] | None:
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


def _read_money(doc, sent, rs, k, r, near, clause, clause_start) -> None:
    d = _last_direction(near)
    cmp = _has_any(clause, "比较词")
    if d is not None and d[1] != 0 and near.endswith(d[0]):
        r.measure = CHG
        r.sign = d[1]
        r.vs_budget = _vs_budget(clause)
        r.sign_word = _word_span(doc.text, sent.start, r.mention.start, d[0])
        own = near[: near.rfind(d[0])]
        cut = [own.find(w) for w in _words("比较词") if w in own]
        if cut:
            own = own[: min(cut)]
        r.label, r.code, r.year, _ = clean_label(own)
        return
    if cmp and not _vs_budget(clause):
        at = clause.find(cmp)
        after = clause[at + len(cmp):]
        if "相比" in after or cmp == "相比" and after == "" or cmp == "同比":
            # "与2016年相比21.79万元，增加14.01%": the comparison is closed, this is the change
            if after.endswith("相比") or cmp in ("同比",) or after == "":
                r.measure = CHG
                r.sign = None
                return
        if re.fullmatch(r"(上年|去年|上年度|\d{2,4}年?度?)(决算数|决算|同期|的)?.{0,12}", after):
            r.measure = PY
            r.label, r.code, r.year, _ = clean_label(re.sub(r"^(上年|去年|上年度|\d{2,4}年?度?)(决算数|决算|同期|的)?", "", after))
            r.subject = subject_of(r.label) if r.label else None
            # "较2015决算数9.62万元，较2015决算数上升37.30%": with no change word after it,
            # the amount may be the change itself
            nxt = rs[k + 1] if k + 1 < len(rs) else None
            r.ambiguous = nxt is None or nxt.kind == "percent"
            yr = re.match(r"(\d{2,4})年?", after)
            if yr:
                y = int(yr.group(1))
                r.year = y + 2000 if y < 100 else y
            elif doc.year:
                r.year = doc.year - 1
            return
    label, code, year, measure = clean_label(near if len(near) < len(clause) else clause)
    r.label, r.code, r.year = label, code, year
    r.measure = measure or ACT
    if not label and not code and measure is not None:
        # "支出决算为1688.19万元，年初预算为1783.76万元": the subject named before in the
        # sentence, or by the item heading before it ("1. …行政运行（项）（科目编码2080101）。")
        named = next((x for x in reversed(rs[:k]) if x.kind == "money" and (x.label or x.code)), None)
        if named is None:
            named = _heading_subject(doc, sent, sent.index)
        if named is not None:
            r.label, r.code = named.label, named.code
            r.subject = named.subject
            return
    if code:
        econ = next((w for w in _words("经济分类") if w in label), None)
        r.subject = "科目" + code + (f"/{econ}" if econ else "")
    else:
        r.subject = subject_of(label) or (label if len(label) >= 2 else None)
        if r.subject in vocabulary()["主体"]:
            # "一般公共预算收入总计…，本年支出…": this part of the money only
            lead = fold(doc.text[sent.start:clause_start])
            scope = next((w for w in _words("口径限定") if w in lead), None)
            if scope and scope not in r.subject and scope not in label:
                r.subject = f"{scope}|{r.subject}"


@dataclass
class _Named:
    label: str
    code: str | None
    subject: str | None


def _heading_subject(doc: Document, sent: Sentence, i: int) -> _Named | None:
    """The subject an item heading without numbers names ("1. …（项）（科目编码2080101）。")."""
    if i == 0:
        return None
    prev = doc.sentences[i - 1]
    if prev.readings or prev.section != sent.section or prev.end - prev.start > 120:
        return None
    label, code, _year, _m = clean_label(doc.text[prev.start:prev.end].rstrip("。 \n"))
    if not label and not code:
        return None
    if code:
        econ = next((w for w in _words("经济分类") if w in label), None)
        subject = "科目" + code + (f"/{econ}" if econ else "")
    else:
        subject = subject_of(label) or label
    return _Named(label, code, subject)


def _attach_across_sentences(doc: Document) -> None:
    """Tie each change, rate, share and completion rate to the amounts it is about."""
    R = doc.readings
    last_act_by_subject: dict[str, int] = {}
    for sent_i, sent in enumerate(doc.sentences):
        rs = [R[i] for i in sent.readings]
        for k, r in enumerate(rs):
            if r.kind == "money" and r.measure == ACT and r.subject:
                pass
            if r.measure in (CHG, RATE):
                _attach_change(doc, sent_i, rs, k, r, last_act_by_subject)
            elif r.measure == SHARE:
                _attach_share(doc, sent_i, rs, k, r, last_act_by_subject)
            elif r.measure == COMPL:
                _attach_completion(doc, sent_i, rs, k, r)
            if r.kind == "money" and r.measure == ACT and r.subject and r.depth == 0:
                last_act_by_subject[r.subject] = r.index
            elif r.kind == "money" and r.measure == ACT and r.subject and r.subject not in last_act_by_subject:
                last_act_by_subject[r.subject] = r.index


def _prev_sentence_readings(doc: Document, sent_i: int) -> list[Reading]:
    if sent_i == 0:
        return []
    p = doc.sentences[sent_i - 1]
    if p.section != doc.sentences[sent_i].section:
        return []
    return [doc.readings[i] for i in p.readings]


def _attach_change(doc, sent_i, rs, k, r, last_act_by_subject) -> None:
    text = doc.text
    sent = doc.sentences[sent_i]
    # the change's own subject, when the clause names one ("其中，财政补助收入减少660.26万元")
    own_subject = None
    if r.label and r.measure == CHG:
        own_subject = ("科目" + r.code) if r.code else subject_of(r.label) or (r.label if len(r.label) >= 2 else None)
    before = fold(text[sent.start:r.mention.start])
    overall = _has_any(before, "总体词")
    candidates = [x for x in rs[:k] if x.kind == "money" and x.measure == ACT]
    printed_base = next((x for x in reversed(rs[:k]) if x.kind == "money" and x.measure in (PY,) + BUDGETS), None)
    anchor = None
    if overall:
        at = _word_span(text, sent.start, r.mention.start, overall)
        cut = at[0] if at else r.mention.start
        outer = [x for x in candidates if x.depth == 0 and x.mention.end <= cut]
        anchor = outer[-1] if outer else None
    elif not candidates and printed_base is not None and printed_base.subject:
        # "相比2016年的总收入6871.82减少243.10万元": the base names the subject
        i = last_act_by_subject.get(printed_base.subject)
        anchor = doc.readings[i] if i is not None else None
    elif own_subject is not None and not any(x.subject == own_subject for x in candidates):
        # "…收入合计减少1224.74万元，下降7.87%，2024年度收入合计为14344.12万元": later in the
        # sentence, else the last statement of that subject
        later = next((x for x in rs[k + 1:] if x.kind == "money" and x.measure == ACT
                      and x.subject == own_subject and x.depth == 0), None)
        i = last_act_by_subject.get(own_subject)
        anchor = later if later is not None else doc.readings[i] if i is not None else None
        if anchor is None:
            r.anchor = None
            return
    else:
        same = [x for x in candidates if x.depth == r.depth and (r.depth == 0 or x.paren == r.paren)]
        if not same and r.depth > 0:
            same = [x for x in candidates if x.depth == r.depth - 1]
        anchor = same[-1] if same else None
        if anchor is not None:
            # the change must follow its amount with nothing of another subject between
            for x in rs[anchor.index - rs[0].index + 1:k] if rs else []:
                if x.kind == "money" and x.measure == ACT and x.depth == r.depth and x is not anchor:
                    anchor = None
                    break
        if anchor is None and r.measure == RATE:
            # "…总计各减少1224.74万元，下降7.87%": the rate of the change before it
            chg = next((x for x in reversed(rs[:k]) if x.measure in (CHG, RATE)), None)
            if chg is not None and chg.measure == CHG and chg.anchor is not None:
                anchor = doc.readings[chg.anchor]
        if anchor is None and not candidates:
            # "比2015年下降29.25%" opening a sentence: the last amount of the sentence before
            head = fold(text[sent.start:r.mention.start])
            at = [head.find(w) for w in _words("比较词") if w in head]
            if at and min(at) <= 6:
                prev = [x for x in _prev_sentence_readings(doc, sent_i) if x.kind == "money"]
                outer = [x for x in prev if x.measure == ACT and x.depth == 0 and x.part_of is None]
                if outer and not any(x.measure in (CHG, PY) for x in prev if x.start > outer[-1].start):
                    anchor = outer[-1]
    if anchor is None:
        return
    r.anchor = anchor.index
    if r.measure == CHG and r.sign is None:
        nxt = next((x for x in rs[k + 1:] if x.measure == RATE), None)
        if nxt is not None:
            r.sign = nxt.sign
    # the printed base between the anchor and this number: 比2014年决算数5386.23万元
    lo = anchor.index
    wanted = BUDGETS if r.vs_budget else (PY,)
    for x in doc.readings[lo + 1:r.index]:
        if x.kind == "money" and x.measure in wanted and x.sentence in (anchor.sentence, r.sentence):
            r.base = x.index
    if r.base is None and r.vs_budget:
        # the budget stated before the actual ("年初预算为X…决算为Y…比年初预算减少Z")
        for x in reversed(doc.readings[max(0, lo - 4):lo]):
            if x.kind == "money" and x.measure in BUDGETS and x.sentence >= anchor.sentence - 1:
                r.base = x.index
                break
    if r.measure == RATE:
        first = lo + 1 if lo < r.index else sent.readings[0]
        for x in reversed(doc.readings[first:r.index]):
            if x.measure == RATE:
                break
            if x.measure == CHG and x.anchor == anchor.index:
                r.change = x.index
                break


def _attach_share(doc, sent_i, rs, k, r, last_act_by_subject) -> None:
    text = doc.text
    # the part: the amount right before the share, in the same clause group
    part = None
    for x in reversed(rs[:k]):
        if x.kind == "money":
            if x.measure == ACT:
                part = x
            break
        if x.measure == SHARE:
            break
    if part is None:
        return
    between = text[part.mention.end:r.mention.start]
    if any(p in between for p in "。；;"):
        return
    r.anchor = part.index
    name = r.whole_name
    whole = None
    if name and len(name) >= 2:
        canon = subject_of(name)
        key = canon or name
        i = last_act_by_subject.get(key)
        if i is not None and i != part.index:
            whole = doc.readings[i]
        if whole is None:
            # a whole named in full earlier ("授予中小企业合同金额")
            whole = _last_act_named(doc, name, part.index)
        if whole is None:
            return
    else:
        whole = _list_head(doc, sent_i, rs, part)
    if whole is not None and whole.index != part.index:
        r.whole = whole.index


def _last_act_named(doc: Document, name: str, before: int) -> Reading | None:
    """The last amount before reading ``before`` whose label is or ends with ``name`` (len ≥ 2).

    Looked up in an index of the label suffixes of the document's amounts, built once per
    document: a scan back over every earlier reading for each share made check quadratic
    (16,000 short sentences with a share each: minutes)."""
    index = doc.__dict__.get("_act_label_suffixes")
    if index is None:
        index = {}
        for x in doc.readings:
            if x.kind == "money" and x.measure == ACT and x.label:
                lab = x.label
                for j in range(len(lab) - 1):  # suffixes of two characters or more
                    index.setdefault(lab[j:], []).append(x.index)
        doc.__dict__["_act_label_suffixes"] = index
    found = index.get(name)
    if not found:
        return None
    k = bisect_left(found, before)
    return doc.readings[found[k - 1]] if k else None


def _list_head(doc, sent_i, rs, part) -> Reading | None:
    """The whole of an unnamed share: the amount a 其中 list or a 主要用于 lead hangs from."""
    if part.part_of is not None:
        return doc.readings[part.part_of]
    text = doc.text
    head_words = _words("部分词") + _words("列表引导")
    # within the sentence: the first amount followed by 其中
    for x in rs:
        if x is part:
            break
        if x.kind == "money" and x.measure == ACT and x.depth == 0:
            after = fold(text[x.mention.unit_end:x.mention.unit_end + 16]).lstrip("万元亿,:")
            if after.startswith(head_words):
                return x
    # a lead sentence ending with 主要用于以下方面 / 其中 before a list, in this section
    lead = _words("列表引导")
    for j in range(sent_i - 1, max(-1, sent_i - 25), -1):
        s = doc.sentences[j]
        if s.section != doc.sentences[sent_i].section:
            break
        rr = [doc.readings[i] for i in s.readings if doc.readings[i].kind == "money"]
        tail = fold(text[s.start:s.end]).rstrip("。:,")
        if rr and rr[-1].measure == ACT and rr[-1].depth == 0 and (
                tail.endswith(lead) or fold(text[s.start:s.end]).rstrip("。").endswith(":")):
            return rr[-1]
    return None


def _attach_completion(doc, sent_i, rs, k, r) -> None:
    pool = _prev_sentence_readings(doc, sent_i) + rs[:k]
    act = bud = None
    for x in reversed(pool):
        if x.kind == "percent":
            if x.measure == COMPL:
                break
            continue
        if x.depth > r.depth or x.part_of is not None:
            continue                    # "（其中基本支出…）" inside the sentence
        if act is None and x.measure == ACT:
            act = x
        elif act is not None and x.measure in BUDGETS:
            bud = x
            break
        elif act is None and x.measure in BUDGETS:
            # "决算数…预算数…完成预算的" in the other order
            bud = x
        elif bud is not None and x.measure == ACT and act is None:
            act = x
            break
    if act is None or bud is None:
        return
    r.anchor, r.budget = act.index, bud.index
