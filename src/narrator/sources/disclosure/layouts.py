"""How a disclosure's tables lie in its text: the vocabulary of rules/disclosure.yaml,
normalised labels and name matching, lines and cells, printed amounts, table titles and
blocks, header columns."""

from __future__ import annotations

import difflib
from bisect import bisect_left, bisect_right
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Iterable

from narrator.core.caches import per_document
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.names import final_tables


# --------------------------------------------------------------------------- vocabulary

@cache
def vocabulary() -> dict:
    """The reading vocabulary: rules/disclosure.yaml, and the nine tables of rules/决算表.yaml as 表."""
    return {**load_rule_file(rules_dir() / "disclosure.yaml"), "表": list(final_tables())}


@cache
def _schema() -> dict:
    return load_rule_file(rules_dir() / "figures-schema.yaml")["根"]["子项"]


@cache
def _class_names() -> dict[str, str]:
    """功能分类 类 code → official name."""
    return dict(load_rule_file(rules_dir() / "科目.yaml")["功能分类类名"])


@cache
def _econ_names() -> dict[str, str]:
    return {str(k): v for k, v in load_rule_file(rules_dir() / "科目.yaml")["经济分类科目名"].items()}


@cache
def _glyphs() -> tuple[tuple[str, str], ...]:
    pairs = [(norm(k), norm(v)) for k, v in vocabulary()["字形"].items()]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


# --------------------------------------------------------------------------- normalisation

_DROP = re.compile(r"[\s\u3000\"'“”‘’「」『』《》〈〉·•・:：,，.。;；!！?？、\-—–_~～*…|/\\]+")


# labels and lines recur within a disclosure (the same 科目 in five tables, each line looked at
# by several readers) and across the documents of a batch: both are kept, bounded
@per_document
@lru_cache(maxsize=16384)
def norm(text: str) -> str:
    """A label as compared: NFKC (full/half width alike), blanks, quotes and punctuation dropped."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text)))


_BLANKS = re.compile(r"[\s\u3000\"'“”‘’]+")


@per_document
@lru_cache(maxsize=16384)
def compact(text: str) -> str:
    """A line as matched by the part/title patterns: NFKC, blanks and quotes dropped."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text))


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


def similar_above(a: str, candidates, floor: float):
    """(similarity(a, text), tag) for each (text, tag) of ``candidates`` whose similarity may
    exceed ``floor``: those that cannot (by the length bound, then difflib's quick ratio) are
    skipped unscored — the same best matches as scoring them all, a few times sooner."""
    la = len(a)
    for text, tag, sm in _matchers(tuple(candidates)):
        lb = len(text)
        if la + lb and 2.0 * min(la, lb) / (la + lb) <= floor:
            continue
        sm.set_seq1(a)
        if sm.quick_ratio() <= floor:
            continue
        yield sm.ratio(), tag


@cache
def _matchers(candidates: tuple) -> tuple:
    """(text, tag, a SequenceMatcher with ``text`` as its second sequence) for each candidate:
    difflib indexes the second sequence once and keeps it while the first one changes. The
    candidates are the vocabularies of rules/ (a dozen lists), not words of the document."""
    return tuple((text, tag, difflib.SequenceMatcher(None, "", text, autojunk=False)) for text, tag in candidates)


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
    n, g = _label_keys(label)
    if not n:
        return None
    if n in names:
        return Match(names[n], 1.0, False)
    if g in names:
        return Match(names[g], 1.0, True)
    return _fuzzy_match(g, tuple(names.items()), threshold, margin)


@per_document
@lru_cache(maxsize=16384)
def _label_keys(label: str) -> tuple[str, str]:
    """A printed label as looked up: normalised without its ordinal, and that after the glyph map."""
    n = norm(strip_ordinal(label))
    return n, (fix_glyphs(n) if n else n)


@per_document
@lru_cache(maxsize=8192)
def _fuzzy_match(g: str, names: tuple[tuple[str, str], ...], threshold: float, margin: float) -> Match | None:
    """match_name's similarity step, kept per (label, names) — the same labels are matched
    against the same vocabulary many times in a disclosure."""
    # a name within ``margin`` of the threshold may still be the runner-up that makes it ambiguous
    scored = sorted(similar_above(g, names, threshold - margin - 1e-9), reverse=True)
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
    text: str = field(init=False, repr=False, compare=False)   # raw without form feeds

    def __post_init__(self) -> None:
        self.text = self.raw.replace("\x0c", "") if "\x0c" in self.raw else self.raw


@per_document
@lru_cache(maxsize=8)
def split_lines(text: str) -> list[Line]:
    """The lines of ``text`` (kept for the few readers of one document: shared, not to be changed)."""
    out = []
    pos = 0
    for i, seg in enumerate(text.split("\n")):
        raw = seg[:-1] if seg.endswith("\r") else seg
        out.append(Line(i + 1, pos, raw))
        pos += len(seg) + 1
    return out


def lines_between(lines: list[Line], after: int, before: int) -> list[Line]:
    """The lines whose offset lies strictly between ``after`` and ``before`` (``lines`` in text order)."""
    return lines[bisect_right(lines, after, key=_offset):bisect_left(lines, before, key=_offset)]


def _offset(ln: Line) -> int:
    return ln.offset


@dataclass(slots=True)
class Cell:
    text: str
    start: float   # tab layout: the cell's index; space layout: its first character column
    end: float
    offset: int    # offset of the cell's first character in the text

    @property
    def center(self) -> float:
        return (self.start + self.end) / 2


def tab_cells(line: Line) -> list[Cell]:
    # ~700 lines of ~7 cells a disclosure: each cell's slots filled here, not through the
    # dataclass __init__ (a fifth of the split's time)
    out, pos, i = [], line.offset, 0
    for seg in line.raw.split("\t"):
        c = _new_cell(Cell)
        c.start = i
        i += 1
        c.end = i
        if seg:
            s = seg.replace("\x0c", " ") if "\x0c" in seg else seg
            body = s.lstrip()
            c.text = body.rstrip()
            c.offset = pos + len(s) - len(body)
            pos += len(seg) + 1
        else:                                        # (most cells of a ruled table's lines)
            c.text = ""
            c.offset = pos
            pos += 1
        out.append(c)
    return out


_new_cell = object.__new__


def filled_tab_cells(line: Line) -> list[Cell]:
    """The cells of ``tab_cells(line)`` that have text, the empty ones not made."""
    out, pos, i = [], line.offset, 0
    for seg in line.raw.split("\t"):
        if seg:
            s = seg.replace("\x0c", " ") if "\x0c" in seg else seg
            body = s.lstrip()
            if body:
                c = _new_cell(Cell)
                c.text, c.start, c.end, c.offset = body.rstrip(), i, i + 1, pos + len(s) - len(body)
                out.append(c)
            pos += len(seg) + 1
        else:
            pos += 1
        i += 1
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


@per_document
@lru_cache(maxsize=16384)
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


# --------------------------------------------------------------------------- table titles and blocks

@cache
def _title_variants() -> list[tuple[str, str]]:
    out = []
    for t in final_tables():
        for title in t["标题"]:
            out.append((norm(title), t["键"]))
    return sorted(out, key=lambda p: -len(p[0]))


@cache
def _table_specs() -> dict[str, dict]:
    return {t["键"]: t for t in final_tables()}


@per_document
@lru_cache(maxsize=16384)
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
        best = max(similar_above(fixed, _title_variants(), 0.9 - 1e-9), default=(0, None))
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

    def filled_cells(self, line: Line) -> list[Cell]:
        """The cells of ``cells(line)`` that have text (most of a ruled table's are empty)."""
        return filled_tab_cells(line) if self.tabbed else [c for c in space_cells(line) if c.text]


def _make_blocks(lines: list[Line], titles: dict[str, Line], stops: list[int]) -> list[Block]:
    """Each table's lines: from its title to the next title or part heading (``stops``)."""
    order = sorted(titles.items(), key=lambda kv: kv[1].offset)
    blocks = []
    specs = _table_specs()
    bounds = sorted(set(stops) | {ln.offset for _k, ln in order})
    for key, tl in order:
        stop = min((o for o in bounds if o > tl.offset), default=lines[-1].offset + len(lines[-1].raw) + 1)
        body = lines_between(lines, tl.offset, stop)
        nonempty = [ln for ln in body if ln.text.strip()]
        tabbed = sum("\t" in ln.raw for ln in nonempty) * 2 >= max(1, len(nonempty))
        blocks.append(Block(key, specs[key]["类型"], tl, body, tabbed))
    return blocks


@per_document
@lru_cache(maxsize=16384)
def _is_note(text: str) -> bool:
    c = compact(text)
    return any(p.search(c) for p in _note_patterns())


@cache
def _note_patterns() -> list[re.Pattern]:
    return [re.compile(p) for p in vocabulary()["表注"]]


def _no_data_note(b: Block) -> Line | None:
    """The line saying the table has no data ("本表无数据", "本部门无政府性基金收支"), if any."""
    search = _no_data_pattern().search
    for ln in b.lines:
        c = compact(ln.text)
        if len(c) <= 80 and search(c) and not _DECIMAL.search(c):
            return ln
    return None


@cache
def _no_data_pattern() -> re.Pattern:
    """The 无数据 patterns as one alternation (a line matches it where it matches any of them)."""
    return re.compile("|".join(f"(?:{p})" for p in vocabulary()["无数据"]))


_DECIMAL = re.compile(r"\d[\d,]*\.\d")


def _is_unit_line(text: str) -> bool:
    c = compact(text)
    return bool(re.fullmatch(vocabulary()["单位行"], c))


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
        rows = [block.cells(ln) for ln in header]
        n = max((len(r) for r in rows), default=0)
        return [Column(i, i + 1, [r[i].text for r in rows if i < len(r) and r[i].text]) for i in range(n)]
    frags = [(li, c) for li, ln in enumerate(header) for c in block.cells(ln)]
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
