"""The claim reader: what each number in a 情况说明 says, read from the words around it.

For every money amount and percentage: its *subject* (which figure: 本年收入合计, a 科目 by
code, a 三公 item …), its *measure* (决算数 ACT, 上年数 PY, 预算数 BUD0/BUDF/BUD, 变动额 CHG,
变动率 RATE, 占比 SHARE, 完成率 COMPL), its year, and the readings it is tied to (the amount a
change or a share is about, the whole of a share, the total a part belongs to). Nothing here
depends on the position of a sentence in a template. The words live in rules/claims.yaml.

``read(text, mentions)`` returns a :class:`Reading` per number; :mod:`narrator.relations`
checks them against each other. The words and records live in ``claim_words``; the ties
between readings of different sentences in ``claim_links``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from narrator.check.claim_links import attach_across_sentences
from narrator.check.claim_words import (ACT, AMOUNT_MEASURES, BUD, BUD0, BUDF, BUDGETS, CHG, COMPL, HEADING, PY,
                                        RATE, SHARE, SUB_INDEX, ZERO, Document, Reading, Sentence, clause_start,
                                        clean_label, doc_year, fold, has_any, label_any, label_words,
                                        last_direction, sentence_bounds, simplified, subject_of, vocabulary,
                                        word_span, words)
from narrator.check.extract import Mention
from narrator.check.number_grammar import MONEY_FACTOR     # the money units of rules/extract.yaml
from narrator.core.diskcache import compiled_patterns
from narrator.core.numbers import quantum

__all__ = ["read", "ACT", "AMOUNT_MEASURES", "BUD", "BUD0", "BUDF", "BUDGETS", "CHG", "COMPL", "MONEY_FACTOR",
           "PY", "RATE", "SHARE", "Document", "Reading", "Sentence", "clean_label", "fold", "simplified",
           "subject_of", "vocabulary"]


def read(text: str, mentions: list[Mention], region: tuple[int, int] | None = None) -> Document:
    """Read every money amount and percentage of ``text`` (already simplified).

    With ``region`` (a disclosure's 情况说明; ``mentions`` all inside it), only the sentences
    around it are walked (``reading_span``): the same readings as over the whole text."""
    year = doc_year(text)
    money_units: dict[str, int] = {}
    for m in mentions:
        if m.kind == "amount" and m.unit in MONEY_FACTOR:
            money_units[m.unit] = money_units.get(m.unit, 0) + 1
    # the unit most amounts are written in; 万元 on a tie
    unit = max(money_units, key=lambda u: (money_units[u], u == "万元")) if money_units else "万元"
    spans = sentence_bounds(text, *reading_span(text, region)) if region is not None else sentence_bounds(text)
    sentences: list[Sentence] = []
    sections: list[tuple[int, str]] = []
    narrative_words = words("叙述小节")
    added = vocabulary()["新增段落标记"]
    section, narrative = 0, False
    blank = " \t\u3000"
    for a, b in spans:
        h = a
        while h < b and text[h] in blank:
            h += 1
        marked = text.startswith(added, h, b)     # a section narrator's draft added (generate --like)
        if marked:
            h += len(added)
        if marked or HEADING.match(text, h, b):
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
            half = quantum(m.places) / 2 if (m.places or m.value != 0) else ZERO
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
    attach_across_sentences(doc)
    return doc


_LINE_HEADING, _LINE_NONBLANK = compiled_patterns("patterns", [
    r"(?m)^[ \t\u3000]*[一二三四五六七八九十]{1,3}[^\S\n]*[、.．]", r"(?m)^[^\n]*\S[^\n]*(?:\n|\Z)"])


def reading_span(text: str, region: tuple[int, int]) -> tuple[int, int]:
    """The part of ``text`` whose sentences hold everything the readings of ``region`` depend on.

    It starts at the last line before the region that opens with a heading (the sentence that
    starts the section the region's first sentences are in: what comes before it is another
    section, and a reading looks back only within its own section), or at 0; it ends with the
    first non-blank line after the region (a sentence right after it may look back at the
    region's last one). Both ends are line starts, where sentences start whatever came before.
    """
    lo, hi = region
    lo = text.rfind("\n", 0, lo) + 1           # the start of the region's first line
    start = 0
    for m in _LINE_HEADING.finditer(text):
        if m.start() > lo:
            break
        start = m.start()
    if hi < len(text) and (hi == 0 or text[hi - 1] != "\n"):
        nl = text.find("\n", hi)
        hi = len(text) if nl < 0 else nl + 1
    m = _LINE_NONBLANK.search(text, hi)
    end = len(text) if m is None else m.end()
    return start, end


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
        if opening.startswith(words("部分词")) or (after_semicolon and carry.index in doc.list_heads
                                                   and not SUB_INDEX.match(opening)):
            part_head = carry
    for k, r in enumerate(rs):
        m = r.mention
        cs, depth, paren = clause_start(text, sent.start, m.start)
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
            elif part_head is not None and has_any(fold(text[part_head.mention.end:m.start]), "部分词"):
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
                if after.startswith(words("部分词")):
                    part_head = r
    if part_head is not None:
        doc.list_heads.add(part_head.index)
        return part_head
    # a sentence's own total, for a next sentence that opens with 其中
    own = [r for r in rs if r.kind == "money" and r.measure == ACT and r.depth == 0 and r.part_of is None]
    return own[-1] if own else None


@cache
def _share_name_copula() -> re.Pattern:
    return compiled_patterns("patterns", [label_any("占比名称前的系词") + "$"])[0]


@cache
def _share_name_tail() -> re.Pattern:
    return compiled_patterns("patterns", [label_any("占比名称尾") + "$"])[0]


def _read_percent(doc, sent, rs, k, r, near, clause) -> None:
    share = None
    at = near.rfind("占")
    if at >= 0 and near[at + 1:at + 2] not in label_words("不是占比的占"):
        share = at
    elif has_any(near, "占比词"):
        share = len(near)
    if share is not None and not has_any(near[share:], "完成率词"):
        r.measure = SHARE
        name = near[share + 1:] if share < len(near) else ""
        if r.mention.qualifier and name.endswith(r.mention.qualifier):
            name = name[: -len(r.mention.qualifier)]       # "占本年收入不足78%"
        name = _share_name_tail().sub("", _share_name_copula().sub("", name))
        name = "" if name in label_words("不是占比名称") else name
        r.whole_name = name
        return
    if has_any(near, "完成率词"):
        r.measure = COMPL
        return
    d = last_direction(near)
    if d is not None:
        word, sign, at = d
        if sign == 0 and not near.endswith(word):
            return
        r.measure = RATE
        r.sign = sign
        r.vs_budget = _vs_budget(clause)
        r.sign_word = word_span(doc.text, sent.start, r.mention.start, word)
        return


def _vs_budget(clause: str) -> bool:
    cmp = has_any(clause, "比较词")
    if not cmp:
        return False
    after = clause[clause.find(cmp):]
    return bool(has_any(after, "预算基数词")) and "上年" not in after and not re.search(r"\d{4}年决算", after)


def _read_money(doc, sent, rs, k, r, near, clause, clause_start) -> None:
    d = last_direction(near)
    cmp = has_any(clause, "比较词")
    if d is not None and d[1] != 0 and near.endswith(d[0]):
        r.measure = CHG
        r.sign = d[1]
        r.vs_budget = _vs_budget(clause)
        r.sign_word = word_span(doc.text, sent.start, r.mention.start, d[0])
        own = near[: near.rfind(d[0])]
        cut = [own.find(w) for w in words("比较词") if w in own]
        if cut:
            own = own[: min(cut)]
        r.label, r.code, r.year, _ = clean_label(own)
        return
    if cmp and not _vs_budget(clause):
        at = clause.find(cmp)
        after = clause[at + len(cmp):]
        closers = words("比较句尾")
        if any(w in after for w in closers) or cmp in closers and after == "" or cmp == "同比":
            # "与2016年相比21.79万元，增加14.01%": the comparison is closed, this is the change
            if after.endswith(closers) or cmp == "同比" or after == "":
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
        econ = next((w for w in words("经济分类") if w in label), None)
        r.subject = "科目" + code + (f"/{econ}" if econ else "")
    else:
        r.subject = subject_of(label) or _after_year(r, label) or (label if len(label) >= 2 else None)
        if r.subject in vocabulary()["主体"]:
            # "一般公共预算收入总计…，本年支出…": this part of the money only
            lead = fold(doc.text[sent.start:clause_start])
            scope = next((w for w in words("口径限定") if w in lead), None)
            if scope and scope not in r.subject and scope not in label:
                r.subject = f"{scope}|{r.subject}"


_YEAR_IN_LABEL = re.compile(r"(20\d{2})年度?")


def _after_year(r: Reading, label: str) -> str | None:
    """“其他重要事项说明(一)机关运行经费2017年度机关运行经费支出”, “政府采购情况本部门2017年度
    政府采购支出总额”: a heading glued to the sentence; the subject is named after the year."""
    years = list(_YEAR_IN_LABEL.finditer(label))
    if not years:
        return None
    subject = subject_of(label[years[-1].end():])
    if subject is not None:
        r.label, r.year = label[years[-1].end():], int(years[-1].group(1))
    return subject


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
        econ = next((w for w in words("经济分类") if w in label), None)
        subject = "科目" + code + (f"/{econ}" if econ else "")
    else:
        subject = subject_of(label) or label
    return _Named(label, code, subject)

