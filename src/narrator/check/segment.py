"""The structure of a human-written 情况说明: headings, sections, sentences.

Works on text extracted from PDFs, where lines break inside sentences and pages break
inside paragraphs: a sentence ends at 。！？, at a blank line only when the text before it
ends a clause, and before a line that starts a heading or a numbered item.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from narrator.check.claim_words import vocabulary
from narrator.core.diskcache import compiled_patterns

CN_DIGITS = "一二三四五六七八九十"
_END = "。！？!?"
_CLAUSE_END = "。！？!?；;：:"
# 一、 / 十三、   (section)      （一） / (一)   (subsection)     1. / 1、 / 1．(item); then a
# part's heading, a sentence's end, a heading run into its first sentence, a clause's mark.
# The compiled programs come from the cache folder (core/diskcache.compiled_patterns).
HEADING, SUBHEADING, ITEM, PART, _END_RE, _HEAD_WITH_BODY, _CLAUSE_PUNCT = compiled_patterns("patterns", [
    r"^[ \t\u3000\-•·]*([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.*)$",
    r"^[ \t\u3000\-•·]*[（(]\s*([一二三四五六七八九十]{1,3})\s*[)）]\s*(.*)$",
    r"^[ \t\u3000\-•·]*(\d{1,2})\s*[.．、](?!\d)\s*(.*)$",
    r"^\s*第[一二三四五六七八九十]+部分",
    f"[{_END}]",
    r"(\S{2,38}?(?:说明|情况|管理|事项))[ \t\u3000]+\S",
    r"[，。,；;：:]",
])


@dataclass(slots=True)
class HSentence:
    index: int
    start: int
    end: int
    text: str
    section: int          # index into sections (-1 before the first heading)
    line_start: bool      # begins a line (a heading or an item starts here)


@dataclass(slots=True)
class HSection:
    index: int
    number: str           # 一 … 十三
    title: str            # heading text without the number
    start: int
    end: int
    heading_end: int
    sentences: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Structure:
    sections: list[HSection]
    sentences: list[HSentence]
    items: list[tuple[int, int, int, str]]   # (start, end, number, kind) numbered list markers


def cn_to_int(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN_DIGITS.index(s[1]) + 1
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (CN_DIGITS.index(tens) + 1) * 10 + (CN_DIGITS.index(ones) + 1 if ones else 0)
    return CN_DIGITS.index(s) + 1


def _cn_or_zero(s: str) -> int:
    try:
        return cn_to_int(s)
    except ValueError:
        return 0


def _lines(text: str, lo: int = 0, hi: int | None = None):
    pos = lo
    for line in (text[lo:hi] if lo or hi is not None else text).split("\n"):
        yield pos, line
        pos += len(line) + 1




def structure(text: str, lo: int = 0, hi: int | None = None) -> Structure:
    """The headings, sections, sentences and numbered items of ``text``; with ``lo`` and ``hi``
    (line starts: a disclosure's 情况说明), of that part only, in offsets of ``text``."""
    hi = len(text) if hi is None else hi
    sections: list[HSection] = []
    items: list[tuple[int, int, int, str]] = []
    boundaries: set[int] = set()        # offsets where a new sentence must start
    line_starts: set[int] = set()
    prev_content_end_char = "。"
    added = vocabulary()["新增段落标记"]
    for pos, line in _lines(text, lo, hi):
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        at = pos + lead
        m = HEADING.match(line)
        is_heading = bool(m) and len(stripped) <= 40 and not stripped.endswith(("。", "；", ";"))
        head_end = pos + len(line)
        if m and not is_heading:
            # "七、…情况说明 本部门当年无…。": a heading with its body on the same line
            g = _HEAD_WITH_BODY.match(m.group(2))
            if g and not _CLAUSE_PUNCT.search(g.group(1)):
                is_heading = True
                head_end = pos + line.index(g.group(1)) + len(g.group(1))
        if PART.match(line):
            boundaries.add(at)
            line_starts.add(at)
            if sections:
                sections[-1].end = pos
            sections.append(HSection(len(sections), "部分", stripped, at, at, pos + len(line)))
            boundaries.add(pos + len(line))
        elif stripped.startswith(added) and len(stripped) <= 40 + len(added) \
                and not stripped.endswith(("。", "；", ";")):
            # the title of a section narrator's draft added (generate --like): unnumbered
            if sections:
                sections[-1].end = pos
            sections.append(HSection(len(sections), "", stripped[len(added):].strip(), at, at, pos + len(line)))
            boundaries.add(at)
            boundaries.add(pos + len(line))
            line_starts.add(at)
        elif is_heading:
            if sections:
                sections[-1].end = pos
            title = text[at:head_end].strip()
            title = title[title.index(m.group(1)) + len(m.group(1)):].lstrip("、.． ")
            sections.append(HSection(len(sections), m.group(1), title, at, at, head_end))
            boundaries.add(at)
            boundaries.add(head_end)
            line_starts.add(at)
            items.append((at, at + len(m.group(1)), _cn_or_zero(m.group(1)), "section"))
        elif (sm := SUBHEADING.match(line)):
            boundaries.add(at)
            line_starts.add(at)
            s = pos + line.index(sm.group(1), lead)
            items.append((s, s + len(sm.group(1)), _cn_or_zero(sm.group(1)), "sub"))
            if len(stripped) <= 40 and not stripped.endswith("。"):
                boundaries.add(pos + len(line))  # a title line
        elif (im := ITEM.match(line)):
            boundaries.add(at)
            line_starts.add(at)
            s = pos + line.index(im.group(1), 0)
            items.append((s, s + len(im.group(1)), int(im.group(1)), "item"))
        elif prev_content_end_char in "：:；;" or (prev_content_end_char in _CLAUSE_END and _blank_before(text, pos, lo)):
            boundaries.add(at)
            line_starts.add(at)
        prev_content_end_char = stripped[-1]
    if sections:
        sections[-1].end = hi
    # sentences: cut at 。！？ and at boundaries (a line that begins a sentence ends the one before it)
    boundaries.update(m.end() for m in _END_RE.finditer(text, lo, hi))
    boundaries.add(lo)
    boundaries.add(hi)
    cuts = sorted(boundaries)
    sentences: list[HSentence] = []
    sec_i = -1
    sec_starts = [s.start for s in sections]
    next_sec = sec_starts[0] if sec_starts else hi + 1   # where section sec_i + 1 starts
    a = lo
    for b in cuts[1:]:
        seg = text[a:b]
        body = seg.strip()
        if not body:
            a = b
            continue
        # trim whitespace at both ends (spans stay in the original text)
        a2 = a + (len(seg) - len(seg.lstrip()))
        a = b
        while next_sec <= a2:
            sec_i += 1
            next_sec = sec_starts[sec_i + 1] if sec_i + 1 < len(sec_starts) else hi + 1
        sent = HSentence(len(sentences), a2, a2 + len(body), body, sec_i, a2 in line_starts)
        sentences.append(sent)
        if sec_i >= 0:
            sections[sec_i].sentences.append(sent.index)
    return Structure(sections, sentences, items)


def _blank_before(text: str, pos: int, lo: int = 0) -> bool:
    """Is the line starting at ``pos`` preceded by a blank line (after ``lo``)?"""
    # walked back from ``pos`` (was: text[:pos] matched against r"\n[ \t\u3000]*\n[ \t\u3000]*$",
    # a copy and a scan of the whole text before every line): blanks, a newline, blanks, a newline
    k = pos
    for _ in range(2):
        while k > lo and text[k - 1] in " \t\u3000":
            k -= 1
        if k == lo or text[k - 1] != "\n":
            return False
        k -= 1
    return True


def list_skips(text: str, st: Structure) -> list[tuple[int, int, int, int]]:
    """Numbered items that skip or repeat: (start, end, found, expected).

    Item numbers restart at 1 after any section or subsection heading.
    """
    out = []
    expect: dict[str, int] = {}
    for start, end, n, kind in st.items:
        if kind == "section":
            expect = {"section": n + 1}
            continue
        if kind == "sub":
            want = expect.get("sub")
            if want is not None and n != want and n != 1:
                out.append((start, end, n, want))
            expect["sub"] = n + 1
            expect.pop("item", None)
            continue
        want = expect.get("item")
        if n == 1 or want is None:
            expect["item"] = n + 1
            if want is not None and n == 1 and want > 1:
                pass  # a new list
            continue
        if n != want:
            out.append((start, end, n, want))
        expect["item"] = n + 1
    return out
