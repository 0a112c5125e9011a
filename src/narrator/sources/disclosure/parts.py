"""The parts of a disclosure (目录, 部门概况, the tables, the 情况说明, 名词解释, 附件) and
the numbered sections inside them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from narrator.core.cn_numerals import read_cn_small
from narrator.sources.disclosure.layouts import Line, _find_titles, compact, split_lines, vocabulary


# --------------------------------------------------------------------------- parts

@dataclass
class Section:
    """A numbered section of the 情况说明 (一、收入支出决算总体情况说明 …)."""

    title: str
    start: int    # offset of the heading line
    end: int      # offset where the next section (or the narrative) ends


@dataclass
class Parts:
    """Where the tables (第二部分) and the 情况说明 (第三部分) are in the text."""

    text: str
    body_start: int = 0                           # offset after the table of contents
    tables: tuple[int, int] | None = None         # [start, end) of the tables part
    narrative: tuple[int, int] | None = None      # [start, end) of the 情况说明, heading included
    sections: list[Section] = field(default_factory=list)
    # the part headings of the whole text (_part_headings), for the readers that split it further
    heads: list | None = field(default=None, repr=False, compare=False)

    @property
    def has_tables(self) -> bool:
        """Whether any of the nine tables' titles was found in the body."""
        return self.tables is not None

    @property
    def tables_text(self) -> str:
        return self.text[self.tables[0]:self.tables[1]] if self.tables else ""

    @property
    def narrative_text(self) -> str:
        return self.text[self.narrative[0]:self.narrative[1]] if self.narrative else ""


def _part_number(c: str) -> int | None:
    """The number of a part heading (第三部分 → 3), by rules/disclosure.yaml 部分.任一部分."""
    m = re.match(vocabulary()["部分"]["任一部分"], c)
    if not m:
        return None
    s = m.group(1)
    return int(s) if s.isdigit() else read_cn_small(s)


def part_headings(parts: Parts, lines: list[Line]) -> list[tuple[Line, str, int]]:
    """The part headings of the text ``parts`` was split from (``lines``: its lines)."""
    return parts.heads if parts.heads is not None else _part_headings(lines)


def _part_headings(lines: list[Line]) -> list[tuple[Line, str, int]]:
    pat = re.compile(vocabulary()["部分"]["任一部分"])
    out = []
    for ln in lines:
        c = compact(ln.text)
        if len(c) <= 40 and pat.match(c):
            n = _part_number(c)
            if n is not None:
                out.append((ln, c, n))
    return out


def split_disclosure(text: str) -> Parts:
    """Find the tables part and the 情况说明 part of a disclosure.

    The table of contents near the top lists the same headings; the body begins where the
    part numbering starts over, and each part is its heading's last occurrence.
    """
    voc = vocabulary()["部分"]
    lines = split_lines(text)
    heads = _part_headings(lines)
    body_start = 0
    seen_max = 0
    for ln, _c, n in heads:
        if n <= seen_max:
            body_start = ln.offset
            break
        seen_max = n
    body_heads = [h for h in heads if h[0].offset >= body_start]
    parts = Parts(text=text, body_start=body_start, heads=heads)

    narr_pat = re.compile(voc["情况说明"])
    narr = [h for h in body_heads if narr_pat.match(h[1])]
    narr_line = narr[-1][0] if narr else None
    if narr_line is None:
        for ln in lines:
            if ln.offset >= body_start and re.match(voc["情况说明首节"], compact(ln.text)):
                narr_line = ln
    if narr_line is not None:
        end = len(text)
        for ln, _c, _n in body_heads:
            if ln.offset > narr_line.offset:
                end = ln.offset
                break
        parts.narrative = (narr_line.offset, end)
        parts.sections = _sections(lines, narr_line, end, voc["节"])

    # the tables: from the 第二部分 heading (if the body has one) or the first table title
    # to the end of the last table (the next part heading)
    titles = _find_titles(lines, body_start, len(text), parts.narrative)
    if titles:
        first = min(ln.offset for ln in titles.values())
        last = max(ln.offset for ln in titles.values())
        tab_pat = re.compile(voc["决算表"])
        heads = [h[0].offset for h in body_heads if tab_pat.match(h[1]) and h[0].offset < first]
        start = heads[-1] if heads else first
        parts.tables = (start, _part_end(body_heads, parts, last, len(text)))
    return parts


def _part_end(body_heads, parts: Parts, after: int, default: int) -> int:
    """Where the part containing offset ``after`` ends: the next part heading."""
    ends = [ln.offset for ln, _c, _n in body_heads if ln.offset > after]
    if parts.narrative and parts.narrative[0] > after:
        ends.append(parts.narrative[0])
    return min(ends, default=default)


def _sections(lines: list[Line], head: Line, end: int, pattern: str) -> list[Section]:
    pat = re.compile(pattern)
    found: list[tuple[int, str]] = []
    for ln in lines:
        if ln.offset <= head.offset or ln.offset >= end:
            continue
        c = compact(ln.text)
        if not pat.match(c):
            continue
        i = c.find("说明")
        if len(c) <= 40:
            found.append((ln.offset, c))
        elif 0 <= i < 40:
            found.append((ln.offset, c[:i + 2]))
    out = []
    for k, (off, title) in enumerate(found):
        out.append(Section(title, off, found[k + 1][0] if k + 1 < len(found) else end))
    return out
