"""Ties between the readings of a document: each change, rate, share and completion rate to
the amounts it is about (across sentences, list heads and 其中 breakdowns).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from narrator.check.claim_words import (ACT, BUDGETS, CHG, COMPL, PY, RATE, SHARE, Document, Reading, clean_label, fold,
                                        has_any, subject_of, word_span, words)


def attach_across_sentences(doc: Document) -> None:
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
    overall = has_any(before, "总体词")
    candidates = [x for x in rs[:k] if x.kind == "money" and x.measure == ACT]
    printed_base = next((x for x in reversed(rs[:k]) if x.kind == "money" and x.measure in (PY,) + BUDGETS), None)
    anchor = None
    if overall:
        at = word_span(text, sent.start, r.mention.start, overall)
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
        refuse, named, own = (_named_rate(doc, sent_i, r) if anchor is None and not candidates and r.measure == RATE
                              else (False, None, ""))
        if refuse:
            anchor = None
        elif named is not None:
            # "与2016年相比，公务接待费支出增长26.51%": the last amount of the subject it names in
            # this section, as named or under a 口径 (“财政拨款|因公出国（境）费” in a 三公 section)
            found = [i for key, i in last_act_by_subject.items() if key == named or key.endswith("|" + named)]
            anchor = doc.readings[max(found)] if found else None
            if anchor is not None and anchor.section != r.section:
                anchor = None
        elif anchor is None and not candidates:
            # "比2015年下降29.25%" opening a sentence: the last amount of the sentence before
            head = fold(text[sent.start:r.mention.start])
            at = [head.find(w) for w in words("比较词") if w in head]
            if at and min(at) <= 6:
                prev = [x for x in _prev_sentence_readings(doc, sent_i) if x.kind == "money"]
                outer = [x for x in prev if x.measure == ACT and x.depth == 0 and x.part_of is None]
                if outer and not any(x.measure in (CHG, PY) for x in prev if x.start > outer[-1].start):
                    anchor = outer[-1]
                    if own and own not in (anchor.label or ""):
                        anchor = None       # “与上年相比，差旅费增长…” is not about the amount before
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


def _named_rate(doc: Document, sent_i: int, r: Reading) -> tuple[bool, str | None, str]:
    """What a rate in a sentence of its own names after its comparison (“与2016年相比，公务接待费
    支出增长26.51%”): (refused: compared with another year than the last, its subject, its words)."""
    if r.sign_word is None or r.vs_budget:
        return False, None, ""
    sent = doc.sentences[sent_i]
    head = fold(doc.text[sent.start:r.sign_word[0]])
    cmp = [head.find(w) for w in words("比较词") if w in head]
    if not cmp or min(cmp) > 6:
        return False, None, ""
    years = [int(y) for y in re.findall(r"(20\d{2})年", head)]
    if any(doc.year is None or y != doc.year - 1 for y in years):
        return True, None, ""
    # the words after the comparison's clause: “，公务接待费支出”; of a list, its last item
    closed = [head.rfind(w) + len(w) - 1 for w in words("比较句尾") if w in head]
    cut = max([head.rfind(","), head.rfind("、")] + closed)
    own = head[cut + 1:].strip()
    if not own or any(ch.isdigit() for ch in own):
        return False, None, ""
    label, code, _year, measure = clean_label(own)
    if not label or code or measure is not None:
        return False, None, ""
    return False, subject_of(label), label


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
    head_words = words("部分词") + words("列表引导")
    # within the sentence: the first amount followed by 其中
    for x in rs:
        if x is part:
            break
        if x.kind == "money" and x.measure == ACT and x.depth == 0:
            after = fold(text[x.mention.unit_end:x.mention.unit_end + 16]).lstrip("万元亿,:")
            if after.startswith(head_words):
                return x
    # a lead sentence ending with 主要用于以下方面 / 其中 before a list, in this section
    lead = words("列表引导")
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

