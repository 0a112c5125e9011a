"""Reading a published 部门决算 disclosure: its parts, its nine tables, and the figures in them.

The input is the decoded text of the disclosure (see :mod:`narrator.documents`): tables come
either as tab-separated rows (PDF table extraction, Word tables, the seed layout) or as
space-aligned columns (``pdftotext -layout`` style, Shanghai's template). The parser finds
each table by its official title, its columns by their official header names and its rows
by their labels or 科目编码, and builds a figures tree in the format of
``rules/figures-schema.yaml``.

Text extracted from PDFs is noisy. Where the table's own arithmetic (row sums, column sums,
the totals of other tables) decides what a damaged cell must say, the cell is repaired and
the repair is reported as an info finding ``D001 extraction-repair``. Where the arithmetic
cannot decide, the printed value is kept and a visibly damaged cell is reported as a warning
``D002 unrepaired-cell``. Nothing is guessed silently. All vocabulary (titles, header names,
glyph repairs, the sums) lives in ``rules/disclosure.yaml``.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache
from typing import Iterable

from narrator.core.findings import Finding, line_col
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file

__all__ = ["Parts", "Section", "split_disclosure", "parse_tables", "parse_performance", "read_amount", "Amount"]


# --------------------------------------------------------------------------- vocabulary

@cache
def vocabulary() -> dict:
    """The reading vocabulary: rules/disclosure.yaml."""
    return load_rule_file(rules_dir() / "disclosure.yaml")


@cache
def _schema() -> dict:
    return load_rule_file(rules_dir() / "figures-schema.yaml")["根"]["子项"]


@cache
def _class_names() -> dict[str, str]:
    """功能分类 类 code → official name."""
    return dict(load_rule_file(rules_dir() / "科目.yaml")["功能分类类名"])


@cache
def _econ_names() -> dict[str, str]:
    return {str(k): v for k, v in vocabulary()["经济分类科目"].items()}


@cache
def _glyphs() -> tuple[tuple[str, str], ...]:
    pairs = [(norm(k), norm(v)) for k, v in vocabulary()["字形"].items()]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


# --------------------------------------------------------------------------- normalisation

_DROP = re.compile(r"[\s\u3000\"'“”‘’「」『』《》〈〉·•・:：,，.。;；!！?？、\-—–_~～*…|/\\]+")


def norm(text: str) -> str:
    """A label as compared: NFKC (full/half width alike), blanks, quotes and punctuation dropped."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text)))


def compact(text: str) -> str:
    """A line as matched by the part/title patterns: NFKC, blanks and quotes dropped."""
    t = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u3000\"'“”‘’]+", "", t)


def fix_glyphs(label: str) -> str:
    """Apply the glyph-repair map to a normalised label."""
    for bad, good in _glyphs():
        if bad in label:
            label = label.replace(bad, good)
    return label


_ORDINAL = re.compile(
    r"^(?:[-–—•·*]\s*)*"
    r"(?:(?:[一二三四五六七八九十]{1,3}|\d{1,2})\s*[、.．]|[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）])?\s*")


def strip_ordinal(label: str) -> str:
    """Drop a leading ordinal ("一、", "- 、", "5、", "(三)") from a row label."""
    return _ORDINAL.sub("", label, count=1)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Match:
    name: str          # canonical name
    score: float       # 1.0 exact
    fixed: bool        # needed the glyph map or similarity


def match_name(label: str, names: dict[str, str], threshold: float = 0.75,
               margin: float = 0.05) -> Match | None:
    """Match a printed label to one of ``names`` (normalised form → canonical).

    Exact after normalisation first, then after the glyph map, then by similarity (the best
    must reach ``threshold`` and beat the runner-up by ``margin``).
    """
    n = norm(strip_ordinal(label))
    if not n:
        return None
    if n in names:
        return Match(names[n], 1.0, False)
    g = fix_glyphs(n)
    if g in names:
        return Match(names[g], 1.0, True)
    scored = sorted(((similarity(g, k), c) for k, c in names.items()), reverse=True)
    if not scored or scored[0][0] < threshold:
        return None
    best, canon = scored[0]
    for s, c in scored[1:]:
        if c != canon:
            if best - s < margin:
                return None
            break
    return Match(canon, best, True)


def _lookup(names: Iterable[str], aliases: dict[str, str] | None = None) -> dict[str, str]:
    out = {norm(n): n for n in names}
    for a, c in (aliases or {}).items():
        out.setdefault(norm(a), c)
    return out


# --------------------------------------------------------------------------- lines and cells

@dataclass
class Line:
    no: int        # 1-based line number
    offset: int    # offset of the line's first character in the text
    raw: str       # the line without its line break

    @property
    def text(self) -> str:
        return self.raw.replace("\x0c", "")


def split_lines(text: str) -> list[Line]:
    out = []
    pos = 0
    for i, seg in enumerate(text.split("\n")):
        raw = seg[:-1] if seg.endswith("\r") else seg
        out.append(Line(i + 1, pos, raw))
        pos += len(seg) + 1
    return out


@dataclass
class Cell:
    text: str
    start: float   # tab layout: the cell's index; space layout: its first character column
    end: float
    offset: int    # offset of the cell's first character in the text

    @property
    def center(self) -> float:
        return (self.start + self.end) / 2


def tab_cells(line: Line) -> list[Cell]:
    out, pos = [], 0
    for i, seg in enumerate(line.raw.split("\t")):
        s = seg.replace("\x0c", " ")
        lead = len(s) - len(s.lstrip())
        out.append(Cell(s.strip(), i, i + 1, line.offset + pos + lead))
        pos += len(seg) + 1
    return out


_SPACE_CELL = re.compile(r"[^\s\u3000]+(?:[ \u3000][^\s\u3000]+)*")


def space_cells(line: Line) -> list[Cell]:
    raw = line.raw
    base = 0
    while raw.startswith("\x0c"):   # pdftotext's page break: not a column
        raw = raw[1:]
        base += 1
    raw = raw.replace("\x0c", " ")
    return [Cell(m.group(), m.start(), m.end(), line.offset + base + m.start())
            for m in _SPACE_CELL.finditer(raw)]


# --------------------------------------------------------------------------- amounts

_CLEAN = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_COMMA = re.compile(r"-?\d{1,3}(?:,\d{3})*,\d{2}")
_BLANK = {"", "-", "--", "—", "——", "–", "/"}


@dataclass(frozen=True)
class Amount:
    """A printed amount. ``kind``: clean, blank, or comma (a comma where the point belongs)."""

    raw: str
    kind: str
    value: Decimal | None
    decimals: int


def read_amount(text: str) -> Amount | None:
    """Read a printed amount ("11,121.20", "10, 855. 22", "14, 344, 12"); None if not one."""
    t = unicodedata.normalize("NFKC", text).replace("−", "-").strip()
    t = re.sub(r"\s*([,.])\s*", r"\1", t)          # extraction spaces: "10, 855. 22"
    t = re.sub(r"^-\s+", "-", t)
    if re.search(r"\s", t):
        return None
    if t in _BLANK:
        return Amount(text, "blank", None, 0)
    if _CLEAN.fullmatch(t):
        dec = len(t.split(".", 1)[1]) if "." in t else 0
        return Amount(text, "clean", Decimal(t.replace(",", "")), dec)
    if _COMMA.fullmatch(t):
        head, tail = t.rsplit(",", 1)
        return Amount(text, "comma", Decimal(head.replace(",", "") + "." + tail), 2)
    return None


def _is_int_text(text: str) -> bool:
    return bool(re.fullmatch(r"\d{1,4}", text.strip()))


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


_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _part_number(c: str) -> int | None:
    m = re.match(r"第([一二三四五六七八九十0-9]{1,2})部分", c)
    if not m:
        return None
    s = m.group(1)
    if s.isdigit():
        return int(s)
    if len(s) == 2 and s[0] == "十":
        return 10 + _CN_NUM.get(s[1], 0)
    return _CN_NUM.get(s)


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
    parts = Parts(text=text, body_start=body_start)

    narr_pat = re.compile(voc["情况说明"])
    narr = [h for h in body_heads if narr_pat.match(h[1])]
    narr_line = narr[-1][0] if narr else None
    if narr_line is None:
        for ln in lines:
            if ln.offset >= body_start and re.match(r"^[一1][、.．]收入支出决算总体情况说明", compact(ln.text)):
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


# --------------------------------------------------------------------------- table titles and blocks

@cache
def _title_variants() -> list[tuple[str, str]]:
    out = []
    for t in vocabulary()["表"]:
        for title in t["标题"]:
            out.append((norm(title), t["键"]))
    return sorted(out, key=lambda p: -len(p[0]))


@cache
def _table_specs() -> dict[str, dict]:
    return {t["键"]: t for t in vocabulary()["表"]}


def title_of(line_text: str) -> str | None:
    """The table key whose official title this line is, or None."""
    s = norm(strip_ordinal(compact(line_text)))
    if not s or len(s) > 60 or not s.endswith("表"):
        return None
    for v, key in _title_variants():
        if s == v:
            return key
    for v, key in _title_variants():
        if s.endswith(v) and re.search(r"\d{4}年度?(部门)?$", s[: -len(v)]):
            return key
    if len(s) <= 30:
        fixed = fix_glyphs(s)
        best = max(((similarity(fixed, v), key) for v, key in _title_variants()), default=(0, None))
        if best[0] >= 0.9:
            return best[1]
    return None


def _find_titles(lines: list[Line], lo: int, hi: int,
                 skip: tuple[int, int] | None = None) -> dict[str, Line]:
    """Each table's title line: its last occurrence in [lo, hi), outside ``skip``."""
    found: dict[str, Line] = {}
    for ln in lines:
        if skip and skip[0] <= ln.offset < skip[1]:
            continue
        if lo <= ln.offset < hi:
            key = title_of(ln.text)
            if key:
                found[key] = ln
    return found


@dataclass
class Block:
    key: str
    kind: str
    title: Line
    lines: list[Line]
    tabbed: bool

    def cells(self, line: Line) -> list[Cell]:
        return tab_cells(line) if self.tabbed else space_cells(line)


def _make_blocks(lines: list[Line], titles: dict[str, Line], stops: list[int]) -> list[Block]:
    """Each table's lines: from its title to the next title or part heading (``stops``)."""
    order = sorted(titles.items(), key=lambda kv: kv[1].offset)
    blocks = []
    specs = _table_specs()
    bounds = sorted(set(stops) | {ln.offset for _k, ln in order})
    for key, tl in order:
        stop = min((o for o in bounds if o > tl.offset), default=lines[-1].offset + len(lines[-1].raw) + 1)
        body = [ln for ln in lines if tl.offset < ln.offset < stop]
        nonempty = [ln for ln in body if ln.text.strip()]
        tabbed = sum("\t" in ln.raw for ln in nonempty) * 2 >= max(1, len(nonempty))
        blocks.append(Block(key, specs[key]["类型"], tl, body, tabbed))
    return blocks


def _is_note(text: str) -> bool:
    c = compact(text)
    return any(re.search(p, c) for p in vocabulary()["表注"])


def _no_data_note(b: Block) -> Line | None:
    """The line saying the table has no data ("本表无数据", "本部门无政府性基金收支"), if any."""
    pats = [re.compile(p) for p in vocabulary()["无数据"]]
    for ln in b.lines:
        c = compact(ln.text)
        if len(c) <= 80 and any(p.search(c) for p in pats) and not re.search(r"\d[\d,]*\.\d", c):
            return ln
    return None


def _is_unit_line(text: str) -> bool:
    c = compact(text)
    return bool(re.fullmatch(r"(金额)?单位[:：](万元|元|亿元|千元)", c))


# --------------------------------------------------------------------------- header columns

@dataclass
class Column:
    """A column of a table as its header describes it."""

    start: float
    end: float
    labels: list[str]                                   # its own header labels, top to bottom
    groups: list[str] = field(default_factory=list)     # labels spanning it and its neighbours

    @property
    def center(self) -> float:
        return (self.start + self.end) / 2


def _overlap(a, b) -> float:
    return min(a.end, b.end) - max(a.start, b.start)


def header_columns(block: Block, header: list[Line]) -> list[Column]:
    """The columns a table's header lines describe.

    Tab layout: one column per cell index. Space layout: fragments that overlap vertically
    form a column (a label wrapped over lines); a fragment above two or more fragments of
    one lower line is a group label (本年支出 over 小计/基本支出/项目支出).
    """
    if block.tabbed:
        rows = [tab_cells(ln) for ln in header]
        n = max((len(r) for r in rows), default=0)
        return [Column(i, i + 1, [r[i].text for r in rows if i < len(r) and r[i].text]) for i in range(n)]
    frags = [(li, c) for li, ln in enumerate(header) for c in space_cells(ln)]
    group: set[int] = set()
    for k, (li, c) in enumerate(frags):
        for lj in sorted({l for l, _ in frags if l > li}):
            if sum(1 for l, d in frags if l == lj and _overlap(c, d) > 0) >= 2:
                group.add(k)
                break
    parent = list(range(len(frags)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (li, a) in enumerate(frags):
        if i in group:
            continue
        for j in range(i + 1, len(frags)):
            lj, b = frags[j]
            if j in group or lj == li:
                continue
            ov = _overlap(a, b)
            if ov > 0 and ov >= 0.3 * min(a.end - a.start, b.end - b.start):
                parent[find(i)] = find(j)
    clusters: dict[int, list[tuple[int, Cell]]] = {}
    for k, fr in enumerate(frags):
        if k not in group:
            clusters.setdefault(find(k), []).append(fr)
    cols = []
    for members in clusters.values():
        members.sort(key=lambda m: (m[0], m[1].start))
        cols.append(Column(min(m[1].start for m in members), max(m[1].end for m in members),
                           [m[1].text for m in members]))
    cols.sort(key=lambda c: c.start)
    for k in sorted(group, key=lambda k: frags[k][0]):
        g = frags[k][1]
        for col in cols:
            if _overlap(col, g) > 0:
                col.groups.append(g.text)
    return cols


def _column_match(col: Column, names: dict[str, str], threshold: float = 0.7):
    """Best (name, score, depth) for a column from its labels, stacked labels and groups."""
    labs = col.labels
    cands = [(lab, i) for i, lab in enumerate(labs)]
    for i in range(len(labs)):
        for j in range(i + 2, len(labs) + 1):
            cands.append(("".join(labs[i:j]), j - 1))
    cands += [(g, -1) for g in col.groups]
    best = None
    for text, depth in cands:
        m = match_name(text, names, threshold, margin=0.0)
        if m and (best is None or (m.score, depth) > (best[1], best[2])):
            best = (m.name, m.score, depth)
    return best


def assign_columns(cols: list[Column], names: dict[str, str], dup: Iterable[str] = ()) -> dict[int, str]:
    """Give columns their official names; each name once unless listed in ``dup``."""
    dup = set(dup)
    cands = []
    for i, col in enumerate(cols):
        m = _column_match(col, names)
        if m:
            cands.append((m[1], m[2], -i, m[0]))
    cands.sort(reverse=True)
    out: dict[int, str] = {}
    used: set[str] = set()
    for _score, _depth, negi, name in cands:
        if name in used and name not in dup:
            continue
        out[-negi] = name
        used.add(name)
    return out


def _place(cell: Cell, cols: dict[int, Column], tabbed: bool) -> int | None:
    """The column (index into ``cols``) a data cell sits under."""
    if not cols:
        return None
    if tabbed:
        for i, col in cols.items():
            if col.start == cell.start:
                return i
        return None
    best = max(cols.items(), key=lambda kv: _overlap(kv[1], cell))
    if _overlap(best[1], cell) > 0:
        return best[0]
    near = min(cols.items(), key=lambda kv: abs(kv[1].center - cell.center))
    if abs(near[1].center - cell.center) <= 12:
        return near[0]
    return None


# --------------------------------------------------------------------------- parsed cells

@dataclass
class Slot:
    """One figure of one table: where it is printed, what it says, what it is taken to be."""

    path: tuple
    amount: Amount | None      # None: the cell is blank
    cell: Cell | None          # the printed cell (None when blank)
    anchor: int                # offset to report: the cell, else its row label
    fixed_row: bool            # a row of a fixed-row table (总表, 财政拨款总表, 三公)
    status: str = "clean"      # clean blank comma truncated repaired filled dropped kept misread
    value: Decimal | None = None
    known: bool = True
    evidence: list = field(default_factory=list)


@dataclass
class Row:
    code: str | None
    name: str
    name_cell: Cell | None
    line: Line
    anchor: int


@dataclass
class _Ctx:
    text: str
    source: str
    slots: dict[tuple, Slot] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)     # 科目表 rows by table key
    columns: dict[str, list[str]] = field(default_factory=dict)  # 科目表 columns present
    findings: list[Finding] = field(default_factory=list)
    present: set[str] = field(default_factory=set)

    def finding(self, code: str, severity: str, message: str, offset: int | None, *,
                found: str | None = None, expected: str | None = None, formula: str | None = None,
                end: int | None = None) -> None:
        line = col = None
        if offset is not None:
            line, col = line_col(self.text, offset)
        name = {"D001": "extraction-repair", "D002": "unrepaired-cell", "D003": "table-not-found"}[code]
        self.findings.append(Finding(code, name, severity, message, file=self.source, line=line,
                                     column=col, start=offset, end=end, found=found,
                                     expected=expected, formula=formula))

    def add(self, path: tuple, cell: Cell | None, anchor: int, fixed_row: bool) -> None:
        if path in self.slots:
            return
        amount = read_amount(cell.text) if cell is not None else None
        if amount is not None and amount.kind == "blank":
            amount, cell = None, None
        s = Slot(path, amount, cell, cell.offset if cell is not None else anchor, fixed_row)
        if amount is None:
            s.status, s.value = "blank", None
        else:
            s.status, s.value = ("comma" if amount.kind == "comma" else "clean"), amount.value
        self.slots[path] = s

    def label_repair(self, raw: str, m: Match, offset: int, what: str) -> None:
        if m.fixed:
            self.finding("D001", "info", f"{what} label {raw.strip()!r} read as the official name "
                         f"{m.name} (extraction noise; matched by similarity)", offset,
                         found=raw.strip(), expected=m.name, end=offset + len(raw.strip()))


def _nonempty(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.text]


def _total_label(text: str) -> Match | None:
    """合计/总计 in a row label, tolerating a garbled first glyph (숨计)."""
    n = norm(text)
    names = _lookup(vocabulary()["合计行"])
    if n in names:
        return Match(names[n], 1.0, False)
    g = fix_glyphs(n)
    if g in names:
        return Match(names[g], 1.0, True)
    if len(n) == 2 and n.endswith("计") and n[0] not in "小总共统会":
        return Match("合计", 0.5, True)
    return None


_CODE = re.compile(r"(\d{3})((?:[ \u3000]*\d{2}){0,2})[ \u3000]*([^\d\s.,，。].*)?")


def _take_code(cells: list[Cell], lengths: tuple[int, ...]):
    """A row's 科目编码 from its leading cells: "2080101", "223 01 03" split over cells, "30207邮电费".

    Returns (code, index of the first cell after the code, glued name or None).
    """
    if not cells:
        return None, 0, None
    m = _CODE.fullmatch(unicodedata.normalize("NFKC", cells[0].text))
    if not m:
        return None, 0, None
    code = m.group(1) + re.sub(r"\D", "", m.group(2))
    glued = m.group(3)
    k = 1
    if glued is None:
        while len(code) < 7 and k < len(cells) and re.fullmatch(r"\d{2}", cells[k].text.strip()):
            code += cells[k].text.strip()
            k += 1
    if len(code) not in lengths:
        return None, 0, None
    return code, k, glued


# --------------------------------------------------------------------------- 科目表 (收入决算表 …)

def _subject_spec(key: str) -> tuple[list[str], dict[str, str], tuple[int, ...]]:
    spec = _schema()[key]
    cols = list(spec["列"])
    aliases = dict(spec.get("列别名") or {})
    system = spec.get("编码", "功能分类")
    lengths = tuple(load_rule_file(rules_dir() / "科目.yaml")[f"{system}编码长度"].values())
    return cols, aliases, lengths


def _meta_names() -> dict[str, str]:
    h = vocabulary()["表头"]
    out = {}
    for role in ("项目", "行次", "栏次", "科目编码", "科目名称"):
        for n in h[role]:
            out[norm(n)] = role
    return out


def _parse_subject_table(b: Block, ctx: _Ctx) -> None:
    """A 科目表: header lines, then a 合计 row and one row per 科目编码 (values under columns)."""
    cols_official, aliases, lengths = _subject_spec(b.key)
    value_names = _lookup(cols_official, aliases)
    all_names = dict(_meta_names())
    all_names.update(value_names)
    start = None
    for i, ln in enumerate(b.lines):
        cells = _nonempty(b.cells(ln))
        if not cells:
            continue
        if _is_note(ln.text) and i > 0:
            break
        code, _k, _g = _take_code(cells, lengths)
        if code:
            start = i
            break
        first_amount = next((j for j, c in enumerate(cells) if read_amount(c.text)), len(cells))
        tl = next((c for c in cells[:first_amount] if _total_label(c.text)), None)
        others = [c for c in cells if c is not tl and norm(c.text) in value_names]
        if tl is not None and (any(read_amount(c.text) and read_amount(c.text).kind != "blank"
                                   for c in cells) or not others):
            start = i
            break
    if start is None:
        return
    header = [ln for ln in b.lines[:start] if ln.text.strip() and not _is_unit_line(ln.text)]
    cols = header_columns(b, header)
    named = assign_columns(cols, all_names)
    vcols = {i: cols[i] for i, n in named.items() if n in cols_official}
    colname = {i: named[i] for i in vcols}
    present = [c for c in cols_official if c in colname.values()]
    if not present:
        ctx.finding("D002", "warning", f"{b.key}: no column header recognised; table skipped",
                    b.title.offset)
        return
    ctx.columns[b.key] = present
    rows: list[Row] = []
    kinds: list[tuple[str, Line, list[Cell], Row | None]] = []
    for ln in b.lines[start:]:
        cells = _nonempty(b.cells(ln))
        if not cells:
            kinds.append(("blank", ln, cells, None))
            continue
        if _is_note(ln.text):
            break
        if _is_column_numbers(cells) or any(norm(c.text) == "栏次" for c in cells):
            continue          # the 栏次 line, repeated after a page break
        code, k, glued = _take_code(cells, lengths)
        label_cell = None
        name, name_cell = "", None
        if code:
            rest = cells[k:]
            if glued:
                name, name_cell = glued.strip(), cells[0]
            elif rest and read_amount(rest[0].text) is None:
                name, name_cell = rest[0].text, rest[0]
                rest = rest[1:]
        else:
            first_amount = next((j for j, c in enumerate(cells) if read_amount(c.text)), len(cells))
            tl = next(((j, c) for j, c in enumerate(cells[:first_amount]) if _total_label(c.text)), None)
            if tl is None:
                has_text = first_amount == len(cells)
                kinds.append(("cont" if has_text else "other", ln, cells, None))
                if not has_text:
                    ctx.finding("D002", "warning", f"{b.key}: a row with amounts but no 科目编码 or "
                                "合计 label; its values are ignored", cells[0].offset,
                                found=ln.text.strip()[:60])
                continue
            j, label_cell = tl
            m = _total_label(label_cell.text)
            if m and m.fixed:
                ctx.label_repair(label_cell.text, m, label_cell.offset, f"{b.key}")
            rest = cells[j + 1:]
        anchor = (name_cell or label_cell or cells[0]).offset
        row = Row(code, name, name_cell, ln, anchor)
        prefix = (b.key, "科目", code) if code else (b.key, "合计")
        if code and any(r.code == code for r in rows):
            ctx.finding("D002", "warning", f"{b.key}: 科目编码 {code} appears twice; the second row "
                        "is ignored", anchor)
            continue
        placed: dict[str, Cell] = {}
        for c in rest:
            a = read_amount(c.text)
            if a is None:
                continue
            i = _place(c, vcols, b.tabbed)
            if i is None:
                if a.kind != "blank":
                    ctx.finding("D002", "warning", f"{b.key}: value {c.text!r} is under no known "
                                "column; ignored", c.offset, found=c.text)
                continue
            if colname[i] in placed:
                if a.kind != "blank":
                    ctx.finding("D002", "warning", f"{b.key}: two values under {colname[i]}; "
                                f"kept {placed[colname[i]].text!r}", c.offset, found=c.text)
                continue
            placed[colname[i]] = c
        for cn in present:
            ctx.add(prefix + (cn,), placed.get(cn), anchor, False)
        if code:
            rows.append(row)
        kinds.append(("row", ln, cells, row))
    if not b.tabbed:
        _join_wrapped_names(kinds)
    ctx.rows[b.key] = rows


def _join_wrapped_names(kinds: list[tuple[str, Line, list[Cell], Row | None]]) -> None:
    """Space layout: a 科目名称 wrapped over the lines above and below its code's line."""
    claimed: set[int] = set()
    for i, (kind, _ln, cells, row) in enumerate(kinds):
        if kind != "row" or row is None or row.code is None:
            continue
        code_end = cells[0].end
        above = below = None
        if i > 0 and kinds[i - 1][0] == "cont" and i - 1 not in claimed \
                and kinds[i - 1][2][0].start >= code_end - 1:
            above = i - 1
        if i + 1 < len(kinds) and kinds[i + 1][0] == "cont" and kinds[i + 1][2][0].start >= code_end - 1:
            below = i + 1
        parts = []
        if above is not None and (not row.name or below is not None):
            parts.append("".join(c.text for c in kinds[above][2]))
            claimed.add(above)
        else:
            above = None
        parts.append(row.name)
        if below is not None and (not row.name or above is not None):
            parts.append("".join(c.text for c in kinds[below][2]))
            claimed.add(below)
        row.name = "".join(p for p in parts if p)


# --------------------------------------------------------------------------- 总表 and 财政拨款总表

def _header_end(b: Block, row_names: list[dict[str, str]]) -> int:
    """Index of the first data line of a fixed-row table (after its header lines)."""
    meta = _meta_names()
    meta.update({norm(n): "决算数" for n in vocabulary()["表头"]["决算数"]})
    last_kw = -1
    lines = b.lines
    for i, ln in enumerate(lines[:12]):
        cells = _nonempty(b.cells(ln))
        if any(norm(c.text) in meta for c in cells):
            last_kw = i
    i = last_kw + 1
    while i < len(lines):
        cells = _nonempty(b.cells(lines[i]))
        if not cells:
            i += 1
            continue
        if any(read_amount(c.text) and read_amount(c.text).kind != "blank" and not _is_int_text(c.text)
               for c in cells):
            break
        if any(match_name(c.text, names) for c in cells for names in row_names):
            break
        i += 1
    return i if last_kw >= 0 else 0


def _parse_two_halves(b: Block, ctx: _Ctx) -> None:
    """收入支出决算总表 / 财政拨款收入支出决算总表: 收入 rows on the left, 支出 rows on the right."""
    sch = _schema()[b.key]["子项"]
    classes = list(_class_names().values())
    inc_spec = sch["收入"]["子项"]
    exp_spec = sch["支出"].get("子项", {})
    left = _lookup(inc_spec.keys(), {a: k for k, v in inc_spec.items() if isinstance(v, dict)
                                      for a in v.get("别名", [])})
    right = _lookup(classes + list(exp_spec.keys()),
                    {a: k for k, v in exp_spec.items() if isinstance(v, dict) for a in v.get("别名", [])})
    fiscal = b.kind == "财政拨款总表"
    funds = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]
    h = vocabulary()["表头"]
    role_names = {norm(n): "项目" for n in h["项目"]}
    role_names.update({norm(n): "行次" for n in h["行次"]})
    role_names.update({norm(n): "决算数" for n in h["决算数"]})
    if fiscal:
        role_names.update(_lookup(funds + ["小计"], {"合计": "小计"}))
    start = _header_end(b, [left, right])
    header = [ln for ln in b.lines[:start] if ln.text.strip() and not _is_unit_line(ln.text)]
    cols = header_columns(b, header)
    named = assign_columns(cols, role_names, dup=("项目", "行次", "决算数"))
    label_cols = sorted((i for i, n in named.items() if n == "项目"), key=lambda i: cols[i].start)
    split = cols[label_cols[1]].start if len(label_cols) >= 2 else None
    rowno = {i: cols[i] for i, n in named.items() if n == "行次"}
    lvals = {i: cols[i] for i, n in named.items() if n == "决算数" and (split is None or cols[i].start < split)}
    right_value = (lambda n: n in funds or n == "小计") if fiscal else (lambda n: n == "决算数")
    rvals = {i: cols[i] for i, n in named.items()
             if right_value(n) and split is not None and cols[i].start >= split}
    rname = {i: named[i] for i in rvals}
    sub_rows = False
    done = {"L": False, "R": False}
    data = b.lines[start:]
    for idx, ln in enumerate(data):
        cells = _nonempty(b.cells(ln))
        if not cells:
            continue
        if _is_note(ln.text):
            break
        below = _nonempty(b.cells(data[idx + 1])) if idx + 1 < len(data) and not b.tabbed else []
        if any(read_amount(c.text) for c in below):
            below = []
        groups: list[list] = []   # [half, match, label cell, amounts]
        for c in cells:
            if b.tabbed and any(c.start == col.start for col in rowno.values()):
                continue
            a = read_amount(c.text)
            if a is not None:
                if not b.tabbed and _is_int_text(c.text) and rowno and \
                        _place(c, {**rowno, **lvals, **rvals}, False) in rowno:
                    continue
                if groups:
                    groups[-1][3].append(c)
                elif a.kind != "blank":
                    ctx.finding("D002", "warning", f"{b.key}: value {c.text!r} has no row label; ignored",
                                c.offset, found=c.text)
                continue
            ml, mr = match_name(c.text, left), match_name(c.text, right)
            if not ((ml and not ml.fixed) or (mr and not mr.fixed)):
                # space layout: a label wrapped onto the next line ("…管理支" / "出")
                for d in below:
                    if abs(d.start - c.start) <= 1:
                        joined = Cell(c.text + d.text, c.start, max(c.end, d.end), c.offset)
                        jl, jr = match_name(joined.text, left), match_name(joined.text, right)
                        if (jl and not jl.fixed) or (jr and not jr.fixed):
                            c, ml, mr = joined, jl, jr
                        break
            side_by_pos = None
            if split is not None:
                if b.tabbed:
                    side_by_pos = "R" if c.start >= split else "L"
                else:
                    near = min(label_cols, key=lambda i: abs(cols[i].center - c.center))
                    side_by_pos = "L" if near == label_cols[0] else "R"
            if ml and mr:
                half = side_by_pos or ("L" if ml.score >= mr.score else "R")
            elif ml or mr:
                half = "L" if ml else "R"
            else:
                groups.append([None, None, c, []])
                continue
            groups.append([half, ml if half == "L" else mr, c, []])
        for half, m, lc, amounts in groups:
            if half is None:
                if any(read_amount(a.text).kind != "blank" for a in amounts):
                    ctx.finding("D002", "warning", f"{b.key}: row label {lc.text!r} not recognised; "
                                "its values are ignored", lc.offset, found=lc.text)
                continue
            if done[half]:
                continue
            ctx.label_repair(lc.text, m, lc.offset, b.key)
            if half == "L":
                name = m.name
                if fiscal and name == "年初财政拨款结转和结余":
                    sub_rows = True
                    path = (b.key, "收入", name, "小计")
                elif fiscal and sub_rows and name in funds:
                    path = (b.key, "收入", "年初财政拨款结转和结余", name)
                else:
                    path = (b.key, "收入", name)
                cell = _single(amounts, lvals, b.tabbed, ctx, b.key)
                ctx.add(path, cell, lc.offset, True)
                if name == "总计":
                    done["L"] = True
            else:
                if fiscal:
                    placed: dict[str, Cell] = {}
                    for a in amounts:
                        i = _place(a, rvals, b.tabbed)
                        if i is not None and rname[i] not in placed:
                            placed[rname[i]] = a
                        elif read_amount(a.text).kind != "blank":
                            ctx.finding("D002", "warning", f"{b.key}: value {a.text!r} is under no known "
                                        "column; ignored", a.offset, found=a.text)
                    for cn in ["小计"] + funds:
                        if cn in rname.values():
                            ctx.add((b.key, "支出", m.name, cn), placed.get(cn), lc.offset, True)
                else:
                    cell = _single(amounts, rvals, b.tabbed, ctx, b.key)
                    ctx.add((b.key, "支出", m.name), cell, lc.offset, True)
                if m.name == "总计":
                    done["R"] = True
        if done["L"] and done["R"]:
            break


def _single(amounts: list[Cell], vcols: dict[int, Column], tabbed: bool, ctx: _Ctx, key: str) -> Cell | None:
    """The one value of a row half: the amount under the half's value column."""
    if not amounts:
        return None
    if tabbed and vcols:
        for a in amounts:
            if _place(a, vcols, True) is not None:
                return a
        return None
    if len([a for a in amounts if read_amount(a.text).kind != "blank"]) > 1:
        ctx.finding("D002", "warning", f"{key}: several values for one row; kept {amounts[0].text!r}",
                    amounts[1].offset, found=amounts[1].text)
    return amounts[0]


# --------------------------------------------------------------------------- 三公经费表

def _parse_sangong(b: Block, ctx: _Ctx) -> None:
    items_spec = _schema()[b.key]["子项"]["预算数"]["子项"]
    items = list(items_spec.keys())
    aliases = {a: k for k, v in items_spec.items() if isinstance(v, dict) for a in v.get("别名", [])}
    aliases.update(vocabulary()["表头"]["三公别名"])
    item_names = _lookup(items, aliases)
    kinds = {norm(n): "预算数" for n in vocabulary()["表头"]["预算数"]}
    kinds.update({norm(n): "决算数" for n in vocabulary()["表头"]["三公决算数"]})
    data_i = None
    for i, ln in enumerate(b.lines):
        cells = _nonempty(b.cells(ln))
        if not cells or _is_note(ln.text):
            if cells and _is_note(ln.text):
                break
            continue
        if _is_column_numbers(cells) or any(norm(c.text) == "栏次" for c in cells):
            continue
        if any(read_amount(c.text) and read_amount(c.text).kind != "blank" for c in cells):
            data_i = i
            break
    if data_i is None:
        return
    header = [ln for ln in b.lines[:data_i] if ln.text.strip() and not _is_unit_line(ln.text)
              and not _is_column_numbers(_nonempty(b.cells(ln)))]
    cols = header_columns(b, header)
    kind_of: dict[int, str] = {}
    current = None
    for i, col in enumerate(cols):
        own = [kinds[norm(x)] for x in col.labels if norm(x) in kinds]
        if own:
            current = own[-1]
            kind_of[i] = current
        elif b.tabbed and current:
            kind_of[i] = current
    item_of: dict[int, str] = {}
    for kind in ("预算数", "决算数"):
        idx = [i for i in sorted(kind_of, key=lambda i: cols[i].start) if kind_of[i] == kind]
        if len(idx) == len(items):
            item_of.update(zip(idx, items))
            continue
        for i in idx:
            m = _column_match(Column(cols[i].start, cols[i].end,
                                     [x for x in cols[i].labels if norm(x) not in kinds], cols[i].groups),
                              item_names)
            if m and (kind, m[0]) not in {(kind_of[j], item_of[j]) for j in item_of}:
                item_of[i] = m[0]
    vcols = {i: cols[i] for i in item_of}
    ln = b.lines[data_i]
    placed: dict[int, Cell] = {}
    for c in _nonempty(b.cells(ln)):
        a = read_amount(c.text)
        if a is None:
            continue
        i = _place(c, vcols, b.tabbed)
        if i is not None and i not in placed:
            placed[i] = c
    anchor = _nonempty(b.cells(ln))[0].offset
    for i in sorted(item_of, key=lambda i: cols[i].start):
        ctx.add((b.key, kind_of[i], item_of[i]), placed.get(i), anchor, True)


def _is_column_numbers(cells: list[Cell]) -> bool:
    """A 栏次 line: the column numbers 1, 2, 3 …"""
    vals = [c.text.strip() for c in cells]
    return len(vals) >= 3 and all(v.isdigit() for v in vals) and \
        [int(v) for v in vals] == list(range(int(vals[0]), int(vals[0]) + len(vals)))


# --------------------------------------------------------------------------- 基本支出明细表

_ECON = re.compile(r"(3\d{2}(?:\d{2})?)[ \u3000]*([^\d\s.,].*)?")


def _parse_detail(b: Block, ctx: _Ctx) -> None:
    """The 基本支出明细表: side-by-side groups of (经济分类科目编码, 科目名称, 决算数)."""
    totals = _lookup(["人员经费合计", "公用经费合计"])
    rows: list[Row] = []
    seen: set[str] = set()
    started = False
    for ln in b.lines:
        cells = _nonempty(b.cells(ln))
        if not cells:
            continue
        if _is_note(ln.text):
            break
        tokens: list[tuple[str, Cell, str]] = []   # (kind, cell, text)
        for c in cells:
            t = unicodedata.normalize("NFKC", c.text).strip()
            m = _ECON.fullmatch(t)
            if m:
                tokens.append(("code", c, m.group(1)))
                if m.group(2):
                    tokens.append(("text", c, m.group(2).strip()))
            elif read_amount(t) is not None:
                tokens.append(("amount", c, t))
            else:
                if tokens and tokens[-1][0] == "text" and tokens[-1][1] is not c:
                    k, c0, t0 = tokens[-1]
                    tokens[-1] = (k, c0, t0 + t)
                else:
                    tokens.append(("text", c, t))
        if not started:
            if not any(k == "code" for k, _c, _t in tokens):
                continue
            started = True
        i = 0
        while i < len(tokens):
            kind, c, t = tokens[i]
            if kind == "code":
                code, name, name_cell, val = t, "", None, None
                j = i + 1
                if j < len(tokens) and tokens[j][0] == "text":
                    name, name_cell = tokens[j][2], tokens[j][1]
                    j += 1
                if j < len(tokens) and tokens[j][0] == "amount":
                    val = tokens[j][1]
                    j += 1
                if code not in seen:
                    seen.add(code)
                    anchor = (name_cell or c).offset
                    rows.append(Row(code, name, name_cell, ln, anchor))
                    ctx.add((b.key, "科目", code, "决算数"), val, anchor, False)
                i = j
                continue
            if kind == "text":
                m = match_name(t, totals, 0.8)
                if m:
                    ctx.label_repair(t, m, c.offset, b.key)
                    val = tokens[i + 1][1] if i + 1 < len(tokens) and tokens[i + 1][0] == "amount" else None
                    ctx.add((b.key, m.name), val, c.offset, False)
                    i += 2 if val is not None else 1
                    continue
            i += 1
    if rows:
        ctx.rows[b.key] = sorted(rows, key=lambda r: (r.code[:3], r.code))
        ctx.columns[b.key] = ["决算数"]


# --------------------------------------------------------------------------- the tables' arithmetic

@dataclass(eq=False)
class Identity:
    """Σ lhs = Σ rhs over slots; ``where`` says which sum this is, for messages."""

    lhs: list[tuple]
    rhs: list[tuple]
    where: str

    def terms(self) -> list[tuple]:
        return self.lhs + self.rhs

    def residual(self, val) -> Decimal | None:
        s = Decimal(0)
        for q in self.lhs:
            v = val(q)
            if v is None:
                return None
            s += v
        for q in self.rhs:
            v = val(q)
            if v is None:
                return None
            s -= v
        return s

    def solve(self, p: tuple, val) -> Decimal | None:
        """The value of ``p`` that makes the sum hold, the other terms as they are."""
        r = self.residual(lambda q: Decimal(0) if q == p else val(q))
        if r is None:
            return None
        return -r if p in self.lhs else r

    def formula(self, slots: dict[tuple, Slot]) -> str:
        def side(terms):
            shown = [t for t in terms if slots[t].value not in (None, Decimal(0)) or len(terms) <= 3]
            return " + ".join(_label(t, self.lhs[0][0]) for t in (shown or terms[:1]))
        return f"{side(self.lhs)} = {side(self.rhs)}"

    def worked(self, p: tuple, v: Decimal, slots: dict[tuple, Slot]) -> str:
        """The sum with numbers, solved for ``p``: "13898.14 − 10855.22 = 3042.92"."""
        def num(q):
            x = slots[q].value if slots[q].known else None
            return Decimal(0) if x is None else x
        same = self.lhs if p in self.lhs else self.rhs
        other = self.rhs if p in self.lhs else self.lhs
        plus = [num(q) for q in other if num(q) != 0]
        minus = [num(q) for q in same if q != p and num(q) != 0]
        text = " + ".join(_fmt(x) for x in plus) or "0"
        for x in minus:
            text += f" − {_fmt(x)}"
        return f"{text} = {_fmt(v)}"


def _fmt(v: Decimal) -> str:
    return f"{v:f}"


def _label(path: tuple, base: str) -> str:
    pre = "" if path[0] == base else f"{path[0]} "
    if len(path) >= 4 and path[1] == "科目":
        return f"{pre}{path[2]} {path[3]}"
    if len(path) >= 3 and path[1] == "合计":
        return f"{pre}合计 {path[2]}"
    return pre + ".".join(str(x) for x in path[1:])


def _terms(side: str) -> list[tuple[str, bool]]:
    out = []
    for t in side.split("+"):
        t = t.strip()
        if t:
            out.append((t.rstrip("?"), t.endswith("?")))
    return out


def _expand(base: str | None, expr: str, ctx: _Ctx) -> list[Identity]:
    """Identities from one formula of rules/disclosure.yaml (with ``*`` and ``Σ…类``)."""
    lhs_s, rhs_s = expr.split("=", 1)
    lhs, rhs = _terms(lhs_s), _terms(rhs_s)
    classes = set(_class_names().values())

    def parts(t: str) -> tuple:
        p = tuple(t.lstrip("Σ").split("."))
        return ((base,) + p) if base else p

    stars = [parts(t) for t, _o in lhs + rhs if "*" in t and not t.startswith("Σ")]
    values = [None]
    if stars:
        pat = stars[0]
        k = pat.index("*")
        values = sorted({s[k] for s in ctx.slots if len(s) == len(pat)
                         and all(a == b or a == "*" for a, b in zip(pat, s))})
    out = []
    for v in values:
        def resolve(side):
            res = []
            for t, optional in side:
                p = tuple(v if x == "*" else x for x in parts(t))
                if t.startswith("Σ"):
                    k = p.index("类")
                    found = [s for s in ctx.slots if len(s) == len(p) and s[k] in classes
                             and all(a == b for i, (a, b) in enumerate(zip(p, s)) if i != k)]
                    if not found:
                        return None
                    res.extend(sorted(found))
                elif p in ctx.slots:
                    res.append(p)
                elif not optional:
                    return None
            return res
        lt, rt = resolve(lhs), resolve(rhs)
        if lt and rt:
            shown = expr.replace("?", "")
            out.append(Identity(lt, rt, shown if base is None else f"{base}: {shown}"))
    return out


def _build_identities(ctx: _Ctx) -> list[Identity]:
    out: list[Identity] = []
    specs = _table_specs()
    for key, exprs in vocabulary()["算式"].items():
        if key == "表间":
            for e in exprs:
                out += _expand(None, e, ctx)
            continue
        if key not in ctx.present:
            continue
        if specs[key]["类型"] == "科目表":
            present = set(ctx.columns.get(key, ()))
            prefixes = [(key, "科目", r.code) for r in ctx.rows.get(key, [])]
            if any(s[:2] == (key, "合计") for s in ctx.slots):
                prefixes.append((key, "合计"))
            for e in exprs:
                lhs_s, rhs_s = e.split("=", 1)
                lhs, rhs = _terms(lhs_s), _terms(rhs_s)
                if any(not o and t not in present for t, o in lhs + rhs):
                    continue
                for pre in prefixes:
                    lt = [pre + (t,) for t, _o in lhs if t in present]
                    rt = [pre + (t,) for t, _o in rhs if t in present]
                    name = "合计" if pre[1] == "合计" else pre[2]
                    out.append(Identity(lt, rt, f"{key}, row {name}: {e.replace('?', '')}"))
        else:
            for e in exprs:
                out += _expand(key, e, ctx)
    for key, rows in ctx.rows.items():
        if specs[key]["类型"] == "明细表":
            out += _detail_hierarchy(key, rows, ctx)
        else:
            out += _subject_hierarchy(key, rows, ctx)
    return out


def _subject_hierarchy(key: str, rows: list[Row], ctx: _Ctx) -> list[Identity]:
    """合计 = Σ 类; 类 = Σ its 款; 款 = Σ its 项 — for every column of a 科目表."""
    codes = [r.code for r in rows]
    have = set(codes)
    children: dict[str | None, list[str]] = {}
    for c in codes:
        parent = None
        for n in (5, 3):
            if len(c) > n and c[:n] in have:
                parent = c[:n]
                break
        children.setdefault(parent, []).append(c)
    out = []
    for col in ctx.columns.get(key, []):
        for parent, kids in children.items():
            if parent is None:
                top = (key, "合计", col)
                if top in ctx.slots:
                    out.append(Identity([top], [(key, "科目", k, col) for k in kids],
                                        f"{key}, column {col}: 合计 = Σ 类"))
            else:
                out.append(Identity([(key, "科目", parent, col)], [(key, "科目", k, col) for k in kids],
                                    f"{key}, column {col}: {parent} = Σ its sub-items"))
    return out


def _detail_hierarchy(key: str, rows: list[Row], ctx: _Ctx) -> list[Identity]:
    subj = load_rule_file(rules_dir() / "科目.yaml")
    codes = [r.code for r in rows]
    classes = [c for c in codes if len(c) == 3]
    kids = {c: [k for k in codes if len(k) == 5 and k.startswith(c)] for c in classes}
    p = lambda c: (key, "科目", c, "决算数")  # noqa: E731
    out = [Identity([p(c)], [p(k) for k in ks], f"{key}: {c} = Σ its 款") for c, ks in kids.items() if ks]
    for total, group in (("人员经费合计", subj["人员经费类"]), ("公用经费合计", subj["公用经费类"])):
        t = (key, total)
        mine = [c for c in classes if c in group]
        if t not in ctx.slots or not mine:
            continue
        out.append(Identity([t], [p(c) for c in mine], f"{key}: {total} = Σ 类"))
        if all(kids[c] for c in mine):
            out.append(Identity([t], [p(k) for c in mine for k in kids[c]], f"{key}: {total} = Σ 款"))
    return out


def _bounds(ctx: _Ctx) -> dict[tuple, list[tuple]]:
    """Lower bounds from rules/disclosure.yaml: path → paths it is at least."""
    out: dict[tuple, list[tuple]] = {}
    for e in vocabulary().get("下限", []):
        a, b = (tuple(x.strip().split(".")) for x in e.split(">="))
        if a in ctx.slots and b in ctx.slots:
            out.setdefault(a, []).append(b)
    return out


@cache
def _optional_paths() -> frozenset:
    """Rows of the fixed-row tables that their formulas allow to be absent (``?``)."""
    out = set()
    for key, exprs in vocabulary()["算式"].items():
        for e in exprs:
            for t, optional in _terms(e.replace("=", "+")):
                if optional and "*" not in t:
                    out.add((key,) + tuple(t.split(".")))
    return frozenset(out)


class _Solver:
    """Repairs damaged cells where the sums decide them (see the module docstring)."""

    def __init__(self, ctx: _Ctx, identities: list[Identity], places: int):
        self.ctx = ctx
        self.slots = ctx.slots
        self.ids = identities
        self.places = places
        self.by_path: dict[tuple, list[Identity]] = {}
        for idt in identities:
            for q in set(idt.terms()):
                self.by_path.setdefault(q, []).append(idt)
        self.bounds = _bounds(ctx)
        self.conflicts: dict[tuple, list] = {}

    def val(self, q: tuple) -> Decimal | None:
        s = self.slots[q]
        if not s.known:
            return None
        return Decimal(0) if s.value is None else s.value

    def run(self) -> None:
        for _ in range(100):
            if self._truncated():
                continue
            if self._stray() or self._blank() or self._misread():
                continue
            break
        self._report()

    # -- a cell printed with fewer decimals than the table uses ("3, 042. 9")
    def _truncated(self) -> bool:
        decided = {}
        self.conflicts = {}
        for p, s in self.slots.items():
            if s.known or s.status != "truncated":
                continue
            fits = []
            for idt in self.by_path.get(p, []):
                v = idt.solve(p, self.val)
                if v is not None and self._fits(s.amount, v):
                    fits.append((v, idt))
            vals = {v for v, _ in fits}
            if len(vals) == 1:
                decided[p] = (vals.pop(), fits)
            elif len(vals) > 1:
                self.conflicts[p] = fits
        for p, (v, fits) in decided.items():
            s = self.slots[p]
            s.value, s.known, s.status, s.evidence = v, True, "repaired", [i for _, i in fits]
        return bool(decided)

    def _fits(self, a: Amount, v: Decimal) -> bool:
        if v != v.quantize(Decimal(1).scaleb(-self.places)) or (v < 0) != (a.value < 0):
            return False
        return v.quantize(Decimal(1).scaleb(-a.decimals), rounding=ROUND_DOWN) == a.value

    # -- a stray value in an optional row that breaks the sum it is in (结余分配 11,011.12)
    def _stray(self) -> bool:
        for idt in self.ids:
            r = idt.residual(self.val)
            if r is None or r == 0:
                continue
            fits = []
            for q in idt.terms():
                s = self.slots[q]
                if not (s.fixed_row and s.status == "clean" and s.value) or not self._optional(q, idt):
                    continue
                if (r - s.value if q in idt.lhs else r + s.value) == 0:
                    fits.append(q)
            if len(fits) != 1:
                continue
            q = fits[0]
            if any(o is not idt and o.residual(self.val) == 0 for o in self.by_path.get(q, [])):
                continue
            s = self.slots[q]
            s.status, s.evidence, s.value = "dropped", [idt], None
            return True
        return False

    def _optional(self, q: tuple, idt: Identity) -> bool:
        """Whether ``q`` is a row the formula allows to be absent (marked ``?``)."""
        return q in _optional_paths()

    # -- a blank cell that the sums force (年初结转和结余 left blank by the extraction)
    def _blank(self) -> bool:
        for p, s in self.slots.items():
            if not (s.fixed_row and s.status == "blank"):
                continue
            live = [(idt, idt.solve(p, self.val)) for idt in self.by_path.get(p, [])
                    if idt.residual(self.val) is not None]
            if not live or any(v != live[0][1] for _, v in live) or live[0][1] <= 0:
                continue
            v = live[0][1]
            if len(live) < 2:
                floor = [self.val(b) for b in self.bounds.get(p, [])]
                if not any(f is not None and f > 0 for f in floor) or any(f is not None and v < f for f in floor):
                    continue
                idt = live[0][0]
                if any(self.slots[q].status == "blank" and q != p and
                       any((self.val(b) or 0) > 0 for b in self.bounds.get(q, []))
                       for q in idt.terms()):
                    continue
            s.value, s.status, s.evidence = v, "filled", [i for i, _ in live]
            return True
        return False

    # -- a clean-looking cell that every sum it is in contradicts in the same way (222.00)
    def _misread(self) -> bool:
        for p, s in self.slots.items():
            if s.status != "clean" or s.value is None:
                continue
            live = [idt for idt in self.by_path.get(p, []) if idt.residual(self.val) is not None]
            if len(live) < 2 or any(idt.residual(self.val) == 0 for idt in live):
                continue
            vals = {idt.solve(p, self.val) for idt in live}
            if len(vals) != 1:
                continue
            v = vals.pop()
            if not _one_digit_apart(s.value, v, self.places):
                continue
            ok = True
            for idt in live:
                for q in idt.terms():
                    if q == p:
                        continue
                    if not any(o not in live and o.residual(self.val) == 0 for o in self.by_path.get(q, [])):
                        ok = False
            if not ok:
                continue
            s.value, s.status, s.evidence = v, "misread", live
            return True
        return False

    # -- findings
    def _report(self) -> None:
        ctx = self.ctx
        for p, s in self.slots.items():
            where = _where(p)
            raw = s.cell.text if s.cell is not None else None
            end = s.anchor + len(raw) if raw else None
            if s.status == "repaired":
                v = s.value
                how = "; ".join(f"{i.where} ({i.worked(p, v, self.slots)})" for i in s.evidence)
                ctx.finding("D001", "info", f"{where}: truncated cell {raw!r} repaired to {_fmt(v)}, "
                            f"decided by {how}", s.anchor, found=raw, expected=_fmt(v),
                            formula=s.evidence[0].formula(self.slots), end=end)
            elif s.status == "misread":
                v = s.value
                how = "; ".join(f"{i.where} ({i.worked(p, v, self.slots)})" for i in s.evidence)
                ctx.finding("D001", "info", f"{where}: cell {raw!r} misread by the extraction; every "
                            f"sum it is in says {_fmt(v)}: {how}", s.anchor, found=raw,
                            expected=_fmt(v), formula=s.evidence[0].formula(self.slots), end=end)
            elif s.status == "filled":
                v = s.value
                how = "; ".join(f"{i.where} ({i.worked(p, v, self.slots)})" for i in s.evidence)
                extra = ""
                if len(s.evidence) < 2:
                    extra = " It cannot be blank: it is at least " + ", ".join(
                        f"{_label(b, p[0])} = {_fmt(self.val(b))}" for b in self.bounds.get(p, []))
                ctx.finding("D001", "info", f"{where}: blank cell filled with {_fmt(v)}, forced by {how}."
                            + extra, s.anchor, found="", expected=_fmt(v),
                            formula=s.evidence[0].formula(self.slots))
            elif s.status == "dropped":
                idt = s.evidence[0]
                r = idt.residual(self.val)
                ctx.finding("D001", "info", f"{where}: stray value {raw!r} dropped: {idt.where} holds "
                            f"without it (residual {_fmt(r)}) and fails with it", s.anchor, found=raw,
                            expected="", formula=idt.formula(self.slots), end=end)
            elif s.status == "comma":
                held = [i for i in self.by_path.get(p, []) if i.residual(self.val) == 0]
                failed = [i for i in self.by_path.get(p, []) if i.residual(self.val) not in (None, Decimal(0))]
                base = (f"{where}: {raw!r} read as {_fmt(s.value)}: the last comma is a misread decimal "
                        "point (a thousands group has three digits)")
                if held:
                    ctx.finding("D001", "info", base + "; confirmed by " + "; ".join(i.where for i in held),
                                s.anchor, found=raw, expected=_fmt(s.value), formula=held[0].formula(self.slots),
                                end=end)
                elif failed:
                    ctx.finding("D002", "warning", base + "; but " + "; ".join(i.where for i in failed)
                                + " does not hold with it — check the printed table", s.anchor, found=raw,
                                expected=_fmt(s.value), end=end)
                else:
                    ctx.finding("D001", "info", base + "; no sum is available to confirm it", s.anchor,
                                found=raw, expected=_fmt(s.value), end=end)
            elif s.status == "truncated" and not s.known:
                s.value, s.known, s.status = s.amount.value, True, "kept"
                fits = self.conflicts.get(p)
                if fits:
                    why = "the sums disagree: " + "; ".join(
                        f"{i.where} gives {_fmt(v)}" for v, i in fits)
                else:
                    why = "no sum with all its other cells known decides it"
                ctx.finding("D002", "warning", f"{where}: cell {raw!r} looks truncated ({s.amount.decimals} "
                            f"decimals where the tables print {self.places}); {why}. Kept the printed "
                            "value; nothing is guessed", s.anchor, found=raw, expected=_fmt(s.value), end=end)


def _one_digit_apart(a: Decimal, b: Decimal, places: int) -> bool:
    q = Decimal(1).scaleb(-places)
    x, y = f"{a.quantize(q):f}", f"{b.quantize(q):f}"
    return len(x) == len(y) and sum(1 for i, j in zip(x, y) if i != j) == 1


def _where(p: tuple) -> str:
    if len(p) >= 4 and p[1] == "科目":
        return f"{p[0]} {p[2]} {p[3]}"
    return " ".join(str(x) for x in p)


# --------------------------------------------------------------------------- 绩效自评表 (附件)
#
# The self-evaluation tables of the 附件: one 整体绩效自评表 and one 项目绩效自评表 per project.
# Their text layout is the worst of the document: merged cells, labels wrapped over lines, the
# 一级指标 name printed in the middle of its block of rows, a merged score cell extracted on
# one of its lines, on none, or on two. What is read:
#   - 项目名称: the cells after the label;
#   - the 预算执行情况 row: 预算数, 执行数, 执行率, 得分, and the weight in "(20分)";
#   - each 一级指标 block: its weight (分值, "成本指标 (20分)") and its score (the sum of the scores
#     printed in its rows; a merged cell counts once);
#   - 总分.
# Which rows belong to which block is decided by the weights (a block never scores more than
# its weight) and the 二级指标 labels (数量指标 is 产出, …); 总分 must equal 预算执行得分 plus
# the block scores. Repairs are reported (D001); what the arithmetic cannot decide is reported
# and left out or kept as printed (D002).


@cache
def _perf_vocab() -> dict:
    return vocabulary()["绩效自评表"]


@dataclass
class _PerfTable:
    kind: str              # 整体 | 项目
    title: Line
    title_name: str        # what the title names: the project (项目), the department (整体)
    lines: list[Line]
    tabbed: bool

    def cells(self, line: Line) -> list[Cell]:
        return tab_cells(line) if self.tabbed else space_cells(line)


def perf_title(line_text: str) -> tuple[str, str] | None:
    """("整体", department) or ("项目", project) when the line is a self-evaluation table's title."""
    c = strip_ordinal(unicodedata.normalize("NFKC", compact(line_text)))
    if not c or len(c) > 120:
        return None
    v = _perf_vocab()
    for kind, key in (("整体", "整体标题"), ("项目", "项目标题")):
        m = re.search(v[key], c)
        if m:
            head = re.sub(r"^\d{4}年度?", "", c[:m.start()])
            if kind == "项目" and not norm(head):
                return None        # "二、2024年度项目绩效自评表": the heading over the tables
            return kind, head
    return None


def _perf_tables(lines: list[Line], parts: Parts) -> list[_PerfTable]:
    """The self-evaluation tables: each from its title to the next title or part heading."""
    titles = []
    for ln in lines:
        if ln.offset < parts.body_start:
            continue
        if parts.narrative and parts.narrative[0] <= ln.offset < parts.narrative[1]:
            continue
        t = perf_title(ln.text)
        if t:
            titles.append((ln, t))
    stops = sorted({ln.offset for ln, _c, _n in _part_headings(lines) if ln.offset >= parts.body_start}
                   | {ln.offset for ln, _t in titles}
                   | ({parts.narrative[0]} if parts.narrative else set()))
    out = []
    for ln, (kind, name) in titles:
        stop = min((o for o in stops if o > ln.offset), default=len(parts.text) + 1)
        body = [x for x in lines if ln.offset < x.offset < stop]
        nonempty = [x for x in body if x.text.strip()]
        tabbed = sum("\t" in x.raw for x in nonempty) * 2 >= max(1, len(nonempty))
        out.append(_PerfTable(kind, ln, name, body, tabbed))
    return out


_PNUM = re.compile(r"\d+(?:\s*\.\s*\d+)?\s*%?")
_PLAIN_SCORE = re.compile(r"\d{1,3}(?:\s*\.\s*\d{1,3})?")


def _perf_numbers(text: str) -> list[tuple[Decimal, bool, str]] | None:
    """(value, has %, raw) for a cell made only of numbers ("467. 89 467. 89", "72.00%"); else None."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", t)
    if not t or not re.fullmatch(r"[\d.\s%]+", t) or not re.search(r"\d", t):
        return None
    out = []
    for m in _PNUM.finditer(t):
        raw = m.group().strip()
        out.append((Decimal(re.sub(r"[\s%]", "", raw)), raw.endswith("%"), raw))
    return out


def _plain(d: Decimal) -> Decimal:
    """A score or weight without trailing zeros (5.0 → 5, 18.940 → 18.94)."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


def _dec_places(d: Decimal) -> int:
    return max(0, -d.as_tuple().exponent)


def _round(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _label_re(label: str) -> str:
    """A label as printed, wrapped anywhere: "项目名称" matches "项目 名称"."""
    return r"\s*".join(map(re.escape, label))


@dataclass
class _PRow:
    line: Line
    cells: list[Cell]
    score: tuple[Decimal, Cell] | None = None             # the 得分 printed on this line
    heading: tuple[str, Decimal | None, Cell] | None = None  # a 一级指标 name (and weight) on it
    level2: str | None = None                             # the 一级指标 its 二级指标 label belongs to


@dataclass
class _Block:
    name: str
    weight: Decimal | None
    score: Decimal
    cell: Cell


class _PerfReader:
    """Reads one self-evaluation table; findings go to the shared context."""

    def __init__(self, t: _PerfTable, ctx: _Ctx, where: str):
        self.t, self.ctx, self.where = t, ctx, where
        self.v = _perf_vocab()
        self.rows = [_PRow(ln, t.cells(ln)) for ln in t.lines]

    def warn(self, message: str, offset: int | None, **kw) -> None:
        self.ctx.finding("D002", "warning", f"{self.where}: {message}", offset, **kw)

    def info(self, message: str, offset: int | None, **kw) -> None:
        self.ctx.finding("D001", "info", f"{self.where}: {message}", offset, **kw)

    # -- 项目名称 ------------------------------------------------------------------------
    def name(self) -> str | None:
        """The cells after the 项目名称 label (the label itself may be split: "项目 | 名称")."""
        labels = [norm(x) for x in self.v["项目名称"]]
        for r in self.rows:
            cells = _nonempty(r.cells)
            for label, raw_label in zip(labels, self.v["项目名称"]):
                acc, k = "", 0
                while k < len(cells) and len(acc) < len(label) and label.startswith(acc + norm(cells[k].text)):
                    acc += norm(cells[k].text)
                    k += 1
                if acc == label:
                    return self._name_from(cells[k:])
                m = re.match(r"\s*" + _label_re(raw_label) + r"\s*[:：]?", cells[0].text) if cells else None
                if m and cells[0].text[m.end():].strip():       # "项目名称 X" in one cell
                    c0 = cells[0]
                    rest = Cell(c0.text[m.end():].strip(), c0.start, c0.end,
                                c0.offset + m.end() + (len(c0.text[m.end():]) - len(c0.text[m.end():].lstrip())))
                    return self._name_from([rest] + cells[1:])
        return None

    def _name_from(self, cells: list[Cell]) -> str | None:
        parts = [c for c in cells if c.text.strip()]
        # a fragment the extraction printed twice ("行政事业" | "行政事业单位改革…")
        keep = [c for i, c in enumerate(parts)
                if not (i + 1 < len(parts) and norm(parts[i + 1].text).startswith(norm(c.text)))]
        name = "".join(re.sub(r"\s+", "", c.text) for c in keep)
        if len(keep) < len(parts):
            dropped = [c.text.strip() for c in parts if c not in keep]
            self.info(f"项目名称 cell repeats the fragment {' '.join(dropped)!r} (extraction noise); read as "
                      f"{name}", parts[0].offset, found=" | ".join(c.text.strip() for c in parts), expected=name)
        return name or None

    # -- 预算执行情况 --------------------------------------------------------------------
    def budget(self) -> tuple[dict, int] | None:
        """预算数, 执行数, 执行率 (as a percent), 预算执行得分 and its weight; and the row's index."""
        words = [norm(w) for w in self.v["预算表头"]]
        head = next((i for i, r in enumerate(self.rows) if all(w in norm(r.line.text) for w in words)), None)
        if head is None:
            self.warn("the 预算执行情况 row (预算数, 执行数, 执行率, 得分) was not found", self.t.title.offset)
            return None
        data, tokens = None, []
        for i in range(head, min(head + 5, len(self.rows))):
            toks = [(v, pct, raw, c) for c in self.rows[i].cells for v, pct, raw in (_perf_numbers(c.text) or [])]
            if len(toks) >= 3:
                data, tokens = i, toks
                break
        if data is None:
            self.warn("no 预算数/执行数/执行率/得分 printed after the 预算执行情况 header",
                      self.rows[head].line.offset)
            return None
        line = self.rows[data].line
        if len(tokens) != 4:
            self.warn(f"the 预算执行情况 row shows {len(tokens)} numbers where 预算数, 执行数, 执行率 and 得分 "
                      "are expected; not read", line.offset, found=line.text.strip()[:80])
            return None
        (b, bp, braw, bc), (e, ep, _eraw, _ec), (r, rp, rraw, _rc), (s, sp, _sraw, _sc) = tokens
        if bp or ep or sp:
            self.warn("a % sign on 预算数, 执行数 or 得分; the row is not read", line.offset,
                      found=line.text.strip()[:80])
            return None
        if rp or r > 1:
            rate, places = r, _dec_places(r)
        else:                                         # "0.95", "1": printed as a fraction
            rate, places = r * 100, max(0, _dec_places(r) - 2)
        rate = _round(rate, places)
        out = {"预算数": b, "执行数": e, "执行率": rate, "预算执行得分": _plain(s)}
        if b and rate and _round(e / b * 100, places) != rate:
            fixed = self._lost_digits(braw, e, rate, places)
            if fixed is not None:
                self.info(f"预算数 {braw!r} lost its leading digits in the extraction; read as {_fmt(fixed)}, the "
                          f"only amount ending in {braw.replace(' ', '')} for which 执行数 {_fmt(e)} ÷ 预算数 "
                          f"rounds to the printed 执行率 {rraw}", bc.offset, found=braw, expected=_fmt(fixed),
                          formula=f"{_fmt(e)} ÷ {_fmt(fixed)} × 100 = {_fmt(_round(e / fixed * 100, places + 2))}%",
                          end=bc.offset + len(bc.text))
                out["预算数"] = fixed
            else:
                self.warn(f"执行数 {_fmt(e)} ÷ 预算数 {_fmt(b)} does not give the printed 执行率 {rraw}; "
                          "kept as printed", bc.offset, found=braw)
        w = self._weight(self.rows[head: data + 1])
        if w is not None:
            out["预算执行权重"] = w
        else:
            self.warn("the weight of 预算执行情况 (\"(20分)\") was not read", line.offset)
        return out, data

    @staticmethod
    def _lost_digits(raw: str, e: Decimal, rate: Decimal, places: int) -> Decimal | None:
        """The amount ending in the printed digits that gives the printed rate, if only one does."""
        t = re.sub(r"\s", "", raw)
        if not re.fullmatch(r"\d+(\.\d+)?", t):
            return None
        tail, step = Decimal(t), Decimal(10) ** len(t.split(".")[0])
        half = Decimal(5).scaleb(-places - 1)
        lo = e * 100 / (rate + half)
        hi = e * 100 / (rate - half) if rate > half else lo * 1000
        fits = []
        m = max(1, int((lo - tail) / step))
        while len(fits) < 2 and tail + m * step <= hi and m < 10 ** 7:
            v = tail + m * step
            if _round(e / v * 100, places) == rate:
                fits.append(v)
            m += 1
        return fits[0] if len(fits) == 1 else None

    @staticmethod
    def _weight(rows: list[_PRow]) -> Decimal | None:
        """The weight in "(20分)", "得分(20分*执行率)" (also garbled: "(20 5 · 得分 分*执行率)")."""
        found = set()
        for r in rows:
            t = unicodedata.normalize("NFKC", r.line.text).replace("\t", " ")
            for m in re.finditer(r"[(（]\s*(\d{1,3}(?:\.\d+)?)(?=[^(（]{0,8}?[分份])", t):
                found.add(_plain(Decimal(m.group(1))))
        return found.pop() if len(found) == 1 else None

    # -- 指标 ---------------------------------------------------------------------------
    def indicator_rows(self, start: int) -> tuple[list[list[_PRow]], _PRow | None, _PRow | None]:
        """The indicator rows by section (one per 年度绩效目标), their header row and the 总分 row."""
        key = norm(self.v["指标表头"])
        total_words = {norm(w) for w in self.v["总分"]}
        goal = re.compile(self.v["目标行"])
        heads = [i for i in range(start, len(self.rows)) if any(norm(c.text) == key for c in self.rows[i].cells)]
        if not heads:
            return [], None, None
        total = next((i for i in range(heads[0], len(self.rows))
                      if (cs := _nonempty(self.rows[i].cells)) and norm(cs[0].text) in total_words), None)
        end = total if total is not None else len(self.rows)
        sections = []
        for k, h in enumerate(heads):
            if h >= end:
                break
            stop = min(heads[k + 1] if k + 1 < len(heads) else end, end)
            sections.append([r for r in self.rows[h + 1: stop]
                             if _nonempty(r.cells) and not goal.search(compact(r.line.text))])
        return sections, self.rows[heads[0]], (self.rows[total] if total is not None else None)

    def read_rows(self, sections: list[list[_PRow]], header: _PRow) -> None:
        """Mark each row's 一级指标 name, 二级指标 owner and printed score."""
        names = self.v["一级指标"]
        for sec in sections:
            for i, r in enumerate(sec):
                for c in r.cells:
                    h = _level1(c.text, names)
                    if h:
                        name, w = h
                        w = w if w is not None else _continued_weight(sec[i + 1: i + 3])
                        if w is None and norm(c.text) in _stems(names):
                            continue      # a bare "满意度" without its "(2.5分)" may be a 三级指标
                        r.heading = (name, w, c)
                        break
                for c in r.cells:
                    if r.heading and c is r.heading[2]:
                        continue
                    owner = _level2(c.text)
                    if owner:
                        r.level2 = owner
                        break
        # the score: the line's last filled cell when it is a plain number in the 得分 column.
        # A merged score cell leaves its other lines one cell short, so the last filled cell of
        # such a line is its 实际完成值 ("300 | 311 | "): in the tab layout the 得分 column is
        # where most lines of the same width have their number; a number left of it is no score.
        cands = []
        for sec in sections:
            for r in sec:
                filled = [c for c in r.cells if c.text.strip()]
                if filled and _PLAIN_SCORE.fullmatch(unicodedata.normalize("NFKC", filled[-1].text).strip()):
                    cands.append((r, filled[-1]))
        if self.t.tabbed:
            votes: dict[int, dict[float, int]] = {}
            for r, c in cands:
                group = votes.setdefault(len(r.cells), {})
                group[c.start] = group.get(c.start, 0) + 1
            for c in header.cells:
                if norm(c.text) == "得分":
                    group = votes.setdefault(len(header.cells), {})
                    group[c.start] = group.get(c.start, 0) + 1
            col = {w: max(g.items(), key=lambda kv: (kv[1], -kv[0]))[0] for w, g in votes.items()}

            def in_column(r: _PRow, c: Cell) -> bool:
                return c.start >= col[len(r.cells)]
        else:
            head = next((c for c in header.cells if norm(c.text) == "得分"), None)

            def in_column(r: _PRow, c: Cell) -> bool:
                return head is None or _overlap(c, head) > 0 or abs(c.center - head.center) <= 4
        for r, c in cands:
            if in_column(r, c):
                r.score = (_plain(Decimal(re.sub(r"\s", "", unicodedata.normalize("NFKC", c.text)))), c)

    def blocks(self, sec: list[_PRow]) -> list[_Block] | None:
        """The 一级指标 blocks of one section, each with its weight and score; None if unreadable."""
        heads: list[_PRow] = []
        for r in sec:
            if not r.heading:
                continue
            if heads and heads[-1].heading[0] == r.heading[0]:     # one name wrapped over two lines
                if heads[-1].heading[1] is None:
                    heads[-1].heading = (r.heading[0], r.heading[1], heads[-1].heading[2])
                continue
            heads.append(r)
        if not heads:
            self.warn("no 一级指标 name read among the indicator rows; their scores are not read",
                      sec[0].line.offset)
            return None
        for h in heads:
            if h.heading[1] is None:
                self.warn(f"the weight (分值) of {h.heading[0]} was not read", h.heading[2].offset,
                          found=h.heading[2].text)
        pos = {id(r): i for i, r in enumerate(sec)}
        hpos = [pos[id(h)] for h in heads]
        scored = [(pos[id(r)], r) for r in sec if r.score is not None]
        labelled = [(pos[id(r)], r.level2) for r in sec if r.level2]
        result = _split(heads, hpos, scored, labelled)
        dropped = None
        if result is None:
            # a merged score cell extracted twice: the same score on two neighbouring lines
            fixes = []
            for k in range(1, len(scored)):
                (p0, r0), (p1, r1) = scored[k - 1], scored[k]
                if r0.score[0] == r1.score[0] and p1 - p0 == 1:
                    res = _split(heads, hpos, scored[:k] + scored[k + 1:], labelled)
                    if res is not None:
                        fixes.append((r1, res))
            if len(fixes) != 1:
                self.warn("the printed scores do not fit the weights of "
                          + ", ".join(f"{h.heading[0]} {_fmt(h.heading[1]) if h.heading[1] is not None else '?'}"
                                      for h in heads)
                          + " however the rows are grouped; the 一级指标 scores are not read", sec[0].line.offset)
                return None
            dropped, result = fixes[0]
        sums, alternatives = result
        out = [_Block(h.heading[0], h.heading[1], _plain(sums[k]), h.heading[2]) for k, h in enumerate(heads)]
        if dropped is not None:
            c = dropped.score[1]
            self.info(f"score {c.text.strip()!r} on two neighbouring lines is one merged cell extracted twice; "
                      "counted once (counted twice, its 一级指标 block would score more than its weight)",
                      c.offset, found=c.text.strip(), expected="", end=c.offset + len(c.text.strip()))
            dropped.score = None
        if alternatives:
            shown = ["、".join(f"{b.name} {_fmt(b.score)}" for b in out)] + \
                ["、".join(f"{out[k].name} {_fmt(_plain(x))}" for k, x in enumerate(alt)) for alt in alternatives]
            self.warn("the lines between the 一级指标 names can be grouped in several ways that fit the weights "
                      "and the 二级指标 labels (" + "; ".join(shown) + "); took the first, with each name "
                      "nearest the middle of its lines", sec[0].line.offset)
        return out

    # -- 总分 ---------------------------------------------------------------------------
    def total(self, row: _PRow | None, computed: Decimal | None) -> Decimal | None:
        """总分, read from its (possibly split) printed pieces and checked against the scores."""
        if row is None:
            self.warn("no 总分 row", self.t.title.offset)
            return None
        cells = _nonempty(row.cells)[1:]
        pieces = [c for c in cells if re.fullmatch(r"[\d.\s]+", unicodedata.normalize("NFKC", c.text).strip())]
        stray = [c for c in cells if c not in pieces]
        if not pieces:
            self.warn("总分 not printed or not readable", row.line.offset, found=row.line.text.strip()[:40])
            return None
        texts = [re.sub(r"\s", "", unicodedata.normalize("NFKC", c.text)) for c in pieces]
        joined, how = "".join(texts), ""
        if not (re.fullmatch(r"\d+(\.\d+)?", joined) and Decimal(joined) <= 100):
            # the character at a break printed on both sides of it ("93." | ".2", "10" | "00")
            joined = texts[0]
            for t in texts[1:]:
                joined += t[1:] if t and joined and t[0] == joined[-1] else t
            how = " (the character at the break printed on both sides)"
        shown = " | ".join(c.text.strip() for c in pieces)
        if not (re.fullmatch(r"\d+(\.\d+)?", joined) and Decimal(joined) <= 100):
            self.warn(f"总分 printed as {shown!r} cannot be read as one score", pieces[0].offset, found=shown)
            return None
        value = _plain(Decimal(joined))
        agrees = computed is not None and value == computed
        if len(pieces) > 1 or stray:
            extra = f"; stray {', '.join(repr(c.text.strip()) for c in stray)} ignored" if stray else ""
            check = f"; it equals 预算执行得分 + the 一级指标 scores = {_fmt(computed)}" if agrees else ""
            self.info(f"总分 printed in pieces {shown!r} read as {_fmt(value)}{how}{extra}{check}",
                      pieces[0].offset, found=shown, expected=_fmt(value))
        if computed is not None and not agrees:
            self.warn(f"总分 {_fmt(value)} is not 预算执行得分 + the 一级指标 scores ({_fmt(computed)}); "
                      "kept as printed", pieces[0].offset, found=_fmt(value), expected=_fmt(computed))
        return value


def _split(heads: list[_PRow], hpos: list[int], scored: list[tuple[int, _PRow]],
           labelled: list[tuple[int, str]]):
    """The block sums of one section: (chosen sums, other possible sums), or None if nothing fits.

    Each 一级指标 block holds its name's line and a run of lines around it; the boundary between
    two blocks lies between their names. A grouping fits when no block scores more than its
    weight. Of those, the ones that put the fewest 二级指标 labels under another 一级指标 are
    kept; if their sums still differ, the one with each name nearest the middle of its lines
    is chosen and the others are returned to be reported.
    """
    n = len(heads)
    gaps = []
    for k in range(n - 1):
        inner = {p for p, _r in scored if hpos[k] < p < hpos[k + 1]}
        gaps.append(sorted(inner | {hpos[k + 1]}))          # the first line of block k+1
    found: dict[tuple, tuple[int, float]] = {}
    for count, cuts in enumerate(itertools.product(*gaps)):
        if count > 200000:
            break
        sums = [Decimal(0)] * n
        members: list[list[int]] = [[] for _ in range(n)]
        for p, r in scored:
            k = sum(1 for c in cuts if p >= c)
            sums[k] += r.score[0]
            members[k].append(p)
        if any(h.heading[1] is not None and sums[k] > h.heading[1] for k, h in enumerate(heads)):
            continue
        wrong = sum(1 for p, owner in labelled if heads[sum(1 for c in cuts if p >= c)].heading[0] != owner)
        off = 0.0
        for k in range(n):
            lo = cuts[k - 1] if k else min([hpos[0]] + members[0])
            hi = cuts[k] - 1 if k < n - 1 else max([hpos[-1]] + members[-1])
            off += abs((lo + hi) / 2 - hpos[k])
        key = tuple(sums)
        found[key] = min((wrong, off), found.get(key, (wrong, off)))
    if not found:
        return None
    best = min(found, key=lambda k: found[k])
    return list(best), [list(k) for k in found if k != best and found[k][0] == found[best][0]]


def _stems(names: list[str]) -> set[str]:
    return {n[:-2] if n.endswith("指标") else n for n in names}


def _level1(text: str, names: list[str]) -> tuple[str, Decimal | None] | None:
    """A 一级指标 name in a cell ("产出指 标(5", "满意度", "效益指标 社会效益") and its weight if printed."""
    c = unicodedata.normalize("NFKC", compact(text))
    for name in names:
        stem = name[:-2] if name.endswith("指标") else name
        m = re.match(re.escape(stem) + r"(指标?)?", c)
        if m and (m.group(1) or m.end() == len(c) or c[m.end()] in "(（"):
            w = re.search(r"[(（](\d{1,3}(?:\.\d+)?)", c[m.end():])
            return name, (_plain(Decimal(w.group(1))) if w else None)
    return None


@cache
def _level2_names() -> dict[str, str]:
    return {norm(n): owner for owner, names in _perf_vocab()["二级指标"].items() for n in names}


def _level2(text: str) -> str | None:
    """The 一级指标 a 二级指标 label belongs to ("社会效益 指标" → 效益指标; "服务对象" → 满意度指标)."""
    n = norm(text)
    if not n:
        return None
    for label, owner in _level2_names().items():
        if n == label or n.startswith(label) or (len(n) >= 4 and label.startswith(n)):
            return owner
    return None


def _continued_weight(rows: list[_PRow]) -> Decimal | None:
    """The weight of a 一级指标 printed on the next line(s): "(5分)"."""
    for r in rows:
        for c in r.cells:
            m = re.fullmatch(r"[(（](\d{1,3}(?:\.\d+)?)分[)）]*", unicodedata.normalize("NFKC", compact(c.text)))
            if m:
                return _plain(Decimal(m.group(1)))
    return None


def _parse_perf_table(t: _PerfTable, ctx: _Ctx, where: str) -> dict | None:
    rd = _PerfReader(t, ctx, where)
    out: dict = {}
    if t.kind == "项目":
        name = rd.name()
        if not name:
            name = re.sub(r"\s", "", t.title_name)
            rd.warn(f"项目名称 not read; the name in the title ({name}) is used", t.title.offset)
        out["项目名称"] = name
    got = rd.budget()
    start = 0
    if got is not None:
        budget, start = got
        out.update(budget)
    elif t.kind == "项目":
        rd.warn("project left out: its 预算数 and 执行数 were not read", t.title.offset)
        return None
    sections, header, total_row = rd.indicator_rows(start)
    sections = [s for s in sections if s]
    if not sections:
        rd.warn("the indicator rows (一级指标 … 得分) were not found", t.title.offset)
        return _in_order(out)
    rd.read_rows(sections, header)
    blocks: list[_Block] = []
    complete = True
    for sec in sections:
        b = rd.blocks(sec)
        if b is None:
            complete = False
        else:
            blocks += b
    computed = None
    if complete:
        full = Decimal(_perf_vocab()["满分"])
        if "预算执行权重" in out and all(b.weight is not None for b in blocks):
            s = out["预算执行权重"] + sum((b.weight for b in blocks), Decimal(0))
            if s != full:
                rd.warn(f"预算执行权重 + the 一级指标 weights = {_fmt(_plain(s))}, not {_fmt(full)}",
                        t.title.offset)
        merged: dict[str, list] = {}          # 整体: the blocks of all 年度绩效目标, by name
        for b in blocks:
            m = merged.setdefault(b.name, [Decimal(0), Decimal(0)])
            m[0] = None if m[0] is None or b.weight is None else m[0] + b.weight
            m[1] += b.score
        out["指标"] = [{"名称": n, **({"分值": _plain(w)} if w is not None else {}), "得分": _plain(s)}
                     for n, (w, s) in merged.items()]
        if "预算执行得分" in out:
            computed = _plain(out["预算执行得分"] + sum((b.score for b in blocks), Decimal(0)))
    total = rd.total(total_row, computed)
    if total is not None:
        out["自评得分"] = total
    return _in_order(out)


def _in_order(item: dict) -> dict:
    """The keys in the order of rules/figures-schema.yaml."""
    order = ("项目名称", "预算数", "执行数", "执行率", "预算执行权重", "预算执行得分", "自评得分", "指标")
    return {k: item[k] for k in sorted(item, key=lambda k: order.index(k) if k in order else len(order))}


def parse_performance(text: str, name: str = "<disclosure>") -> tuple[dict, list[Finding]]:
    """The ``预算绩效`` part of the figures, from the self-evaluation tables of the 附件.

    ``{"项目自评": {"项目数", "项目": [...]}, "整体支出": {...}}`` (parts absent when their tables
    are), in the tables' order; the findings as for :func:`parse_tables`.
    """
    ctx = _Ctx(text=text, source=name)
    perf = _performance(ctx, split_lines(text), split_disclosure(text))
    ctx.findings.sort(key=lambda f: (f.start is None, f.start or 0))
    return perf, ctx.findings


def _performance(ctx: _Ctx, lines: list[Line], parts: Parts) -> dict:
    projects, whole = [], []
    for t in _perf_tables(lines, parts):
        where = "整体绩效自评表" if t.kind == "整体" else f"项目绩效自评表（{t.title_name}）"
        got = _parse_perf_table(t, ctx, where)
        if got is not None:
            (whole if t.kind == "整体" else projects).append((t, got))
    out: dict = {}
    if projects:
        out["项目自评"] = {"项目数": len(projects), "项目": [p for _t, p in projects]}
    if whole:
        if len(whole) > 1:
            ctx.finding("D002", "warning", f"{len(whole)} 整体绩效自评表; only the first is read",
                        whole[1][0].title.offset)
        out["整体支出"] = {"部门数": len(whole), **whole[0][1]}
    return out


# --------------------------------------------------------------------------- names, department, year

def _fix_subject_names(ctx: _Ctx) -> None:
    """科目名称 read through the noise: 类 names and 经济分类 names by code, others by consensus.

    A 功能分类 款/项 name that differs from what the other tables print for the same code is
    replaced when at least two other tables agree on one name.
    """
    specs = _table_specs()
    classes = _class_names()
    econ = _econ_names()
    seen: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for key, rows in ctx.rows.items():
        if specs[key]["类型"] != "科目表":
            continue
        for r in rows:
            if r.name:
                entry = seen.setdefault(r.code, {}).setdefault(norm(r.name), (r.name, []))
                entry[1].append(key)
    for key, rows in ctx.rows.items():
        detail = specs[key]["类型"] == "明细表"
        for r in rows:
            official, why = None, ""
            if detail and r.code in econ:
                official, why = econ[r.code], f"the official name of 经济分类 {r.code}"
            elif not detail and len(r.code) == 3 and r.code in classes:
                official, why = classes[r.code], f"the official name of 类 {r.code}"
            elif not detail and r.code in seen:
                mine = norm(r.name)
                votes = sorted(((len(tabs), n, name, tabs) for n, (name, tabs) in seen[r.code].items()
                                if n != mine), reverse=True)
                if votes and votes[0][0] >= 2 and votes[0][0] > len(seen[r.code].get(mine, ("", []))[1]):
                    official = votes[0][2]
                    why = f"the name of {r.code} in " + ", ".join(votes[0][3])
            if official is None:
                continue
            if not r.name or (why.startswith("the official") and norm(r.name) == norm(official)):
                r.name = official
            elif norm(r.name) != norm(official):
                off = r.name_cell.offset if r.name_cell else r.anchor
                ctx.finding("D001", "info", f"{key} {r.code}: 科目名称 {r.name!r} read as {official} "
                            f"({why}; extraction noise)", off, found=r.name, expected=official)
                r.name = official


def department_and_year(text: str) -> tuple[str | None, int | None]:
    """单位 and 年度 from the title ("2024 年度区人社局部门决算公开", "上海市 XX 局 / 2024 年度部门决算")."""
    lines = [compact(ln.text) for ln in split_lines(text[:4000])]
    head = ""
    for c in lines:
        if not c:
            continue
        if re.match(vocabulary()["部分"]["目录"], c) or re.match(r"第[一二三1-3]部分", c):
            break
        head += c
        if len(head) > 80:
            break
    pats = [r"(?P<dept>[^\d]{2,40}?)(?P<year>\d{4})年度?(?:部门)?决算",
            r"(?P<year>\d{4})年度?(?P<dept>[^\d]{2,40}?)(?:部门)?决算"]
    tab_pat = re.compile(vocabulary()["部分"]["决算表"])
    for source in (head, *(c for c in lines if tab_pat.match(c))):
        s = re.sub(r"^第[一二三四五六七八九十0-9]{1,2}部分", "", source)
        for pat in pats:
            m = re.search(pat, s)
            if m and re.search(r"[\u4e00-\u9fff]", m.group("dept")):
                dept = m.group("dept").strip("：:，,")
                return dept, int(m.group("year"))
    m = re.search(r"(\d{4})\s*年度", text[:4000])
    return None, int(m.group(1)) if m else None


def _unit(text: str) -> str:
    m = re.search(r"(?:金额)?单位\s*[:：]\s*(万元|亿元|元)", unicodedata.normalize("NFKC", text))
    return m.group(1) if m else "万元"


# --------------------------------------------------------------------------- the tree

def _set(tree: dict, path: tuple, value) -> None:
    node = tree
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = value


def _build_tree(ctx: _Ctx, dept: str | None, year: int | None, unit: str) -> dict:
    tree: dict = {}
    if dept:
        tree["单位"] = dept
    if year:
        tree["年度"] = year
    tree["金额单位"] = unit
    specs = _table_specs()
    for spec in vocabulary()["表"]:
        key = spec["键"]
        if key not in ctx.present:
            continue
        slots = {p: s for p, s in ctx.slots.items() if p[0] == key and s.value is not None}
        if not slots:
            continue
        if specs[key]["类型"] in ("科目表", "明细表"):
            table: dict = {}
            tot = {p[2]: s.value for p, s in slots.items() if p[1] == "合计"}
            if tot:
                table["合计"] = tot
            rows = []
            for r in ctx.rows.get(key, []):
                vals = {p[3]: s.value for p, s in slots.items() if p[1] == "科目" and p[2] == r.code}
                if vals:
                    row = {"科目编码": r.code, "科目名称": r.name}
                    row.update((c, vals[c]) for c in ctx.columns[key] if c in vals)
                    rows.append(row)
            table["科目"] = rows
            for p, s in slots.items():
                if len(p) == 2:
                    table[p[1]] = s.value
            tree[key] = table
        else:
            table = {}
            for p, s in sorted(slots.items(), key=lambda kv: kv[1].anchor):
                _set(table, p[1:], s.value)
            tree[key] = table
    return tree


# --------------------------------------------------------------------------- entry point

_PARSERS = {
    "总表": _parse_two_halves,
    "财政拨款总表": _parse_two_halves,
    "科目表": _parse_subject_table,
    "明细表": _parse_detail,
    "三公": _parse_sangong,
}


def parse_tables(text: str, name: str = "<disclosure>") -> tuple[dict, list[Finding]]:
    """Read the nine tables of a disclosure into a figures tree.

    Returns ``(tree, findings)``: the tree is in the format of rules/figures-schema.yaml
    (``decimal.Decimal`` amounts, blank cells omitted, tables that are absent or carry a
    "本表无数据" note omitted); the findings are the repairs made (``D001``, info), the
    damaged cells left as printed (``D002``, warning) and the tables not found (``D003``).
    """
    ctx = _Ctx(text=text, source=name)
    parts = split_disclosure(text)
    lines = split_lines(text)
    titles = _find_titles(lines, parts.body_start, len(text), parts.narrative)
    stops = [ln.offset for ln, _c, _n in _part_headings(lines) if ln.offset >= parts.body_start]
    if parts.narrative:
        stops.append(parts.narrative[0])
    blocks = _make_blocks(lines, titles, stops)
    for b in blocks:
        ctx.present.add(b.key)
        _PARSERS[b.kind](b, ctx)
        note = _no_data_note(b)
        if note is not None and any(s.amount is not None for p, s in ctx.slots.items() if p[0] == b.key):
            ctx.finding("D002", "warning", f"{b.key} has values but also says it has none "
                        f"({note.text.strip()[:40]!r}); the values are read", note.offset)
    if titles:
        for spec in vocabulary()["表"]:
            if spec["键"] not in titles:
                ctx.finding("D003", "warning", f"table {spec['键']} not found in the disclosure", None)
    places = _decimals_norm(ctx)
    for s in ctx.slots.values():
        if s.status == "clean" and s.amount is not None and s.amount.decimals < places:
            s.status, s.known = "truncated", False
    _Solver(ctx, _build_identities(ctx), places).run()
    _fix_subject_names(ctx)
    dept, year = department_and_year(text)
    region = text[parts.tables[0]:parts.tables[1]] if parts.tables else text
    tree = _build_tree(ctx, dept, year, _unit(region))
    perf = _performance(ctx, lines, parts)
    if perf:
        tree["预算绩效"] = perf
    ctx.findings.sort(key=lambda f: (f.start is None, f.start or 0))
    return tree, ctx.findings


def _decimals_norm(ctx: _Ctx) -> int:
    """The number of decimals the tables print amounts with: the most that a quarter of them
    have (damaged cells have fewer, never more); 2 when there is nothing to count."""
    counts: dict[int, int] = {}
    for s in ctx.slots.values():
        if s.amount is not None and s.amount.kind in ("clean", "comma"):
            counts[s.amount.decimals] = counts.get(s.amount.decimals, 0) + 1
    total = sum(counts.values())
    if not total:
        return 2
    return max(d for d, n in counts.items() if n * 4 >= total or d == min(counts))
