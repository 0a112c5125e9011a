"""The 绩效自评表 of a disclosure's 附件: project and department self-evaluation tables,
read into the 预算绩效 figures."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from bisect import bisect_left
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from narrator.core.caches import per_document
from narrator.core.findings import Finding
from narrator.core.messages import msg
from narrator.figures.model import schema
from narrator.figures.names import WORDS
from narrator.sources.disclosure.layouts import (
    Cell, Line, _offset, _overlap, compact, lines_between, norm, space_cells, split_lines, strip_ordinal, tab_cells, vocabulary,
)
from narrator.sources.disclosure.parts import Parts, part_headings, split_disclosure
from narrator.sources.disclosure.repair import _fmt
from narrator.sources.disclosure.reread import doubt_spaced_scores
from narrator.sources.disclosure.tables import _Ctx, _nonempty


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
    kind: str              # whole (整体) | project (项目)
    title: Line
    title_name: str        # what the title names: the project (项目), the department (整体)
    lines: list[Line]
    tabbed: bool
    # score-like numbers its reader left out because they are not in the 得分 column
    passed_over: list[tuple[Decimal, Cell]] = field(default_factory=list)
    # where its figures were read: path inside the table's item → offset of the row in the text
    at: dict[tuple, int] = field(default_factory=dict)

    def cells(self, line: Line) -> list[Cell]:
        return tab_cells(line) if self.tabbed else space_cells(line)

    @property
    def tab_stops(self) -> bool:
        """Tabs that are tab stops of a space layout (``unexpand``, an editor), not cell
        boundaries: some cell still holds a run of blanks between two words."""
        return self.tabbed and any(_BLANK_RUN.search(c.text) for ln in self.lines for c in tab_cells(ln))


_BLANK_RUN = re.compile(r"\S[ \u3000]{2,}\S")


@per_document
@lru_cache(maxsize=16384)
def perf_title(line_text: str) -> tuple[str, str] | None:
    """("whole", department) or ("project", project) when the line is a self-evaluation table's title."""
    c = strip_ordinal(unicodedata.normalize("NFKC", compact(line_text)))
    if not c or len(c) > 120:
        return None
    v = _perf_vocab()
    for kind, key in (("whole", "整体标题"), ("project", "项目标题")):
        m = re.search(v[key], c)
        if m:
            head = re.sub(r"^\d{4}年度?", "", c[:m.start()])
            if kind == "project" and not norm(head):
                return None        # "二、2024年度项目绩效自评表": the heading over the tables
            return kind, head
    return None


def _perf_tables(lines: list[Line], parts: Parts) -> list[_PerfTable]:
    """The self-evaluation tables: each from its title to the next title or part heading."""
    titles = []
    # the lines from the body's start, but those of the 情况说明 (found by bisection)
    first = bisect_left(lines, parts.body_start, key=_offset)
    skip = ((bisect_left(lines, parts.narrative[0], key=_offset), bisect_left(lines, parts.narrative[1], key=_offset))
            if parts.narrative else (first, first))
    for ln in itertools.chain(lines[first:max(first, skip[0])], lines[max(first, skip[1]):]):
        t = perf_title(ln.text)
        if t:
            titles.append((ln, t))
    stops = sorted({ln.offset for ln, _c, _n in part_headings(parts, lines) if ln.offset >= parts.body_start}
                   | {ln.offset for ln, _t in titles}
                   | ({parts.narrative[0]} if parts.narrative else set()))
    out = []
    for ln, (kind, name) in titles:
        stop = min((o for o in stops if o > ln.offset), default=len(parts.text) + 1)
        body = lines_between(lines, ln.offset, stop)
        nonempty = [x for x in body if x.text.strip()]
        tabbed = sum("\t" in x.raw for x in nonempty) * 2 >= max(1, len(nonempty))
        out.append(_PerfTable(kind, ln, name, body, tabbed))
    return out


_PNUM = re.compile(r"\d+(?:\s*\.\s*\d+)?\s*%?")
_PLAIN_SCORE = re.compile(r"\d{1,3}(?:\s*\.\s*\d{1,3})?")


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBERS_ONLY = re.compile(r"[\d.\s%]+")
_DIGIT = re.compile(r"\d")
_BLANK_OR_PERCENT = re.compile(r"[\s%]")
_BLANK = re.compile(r"\s")


def _perf_numbers(text: str) -> list[tuple[Decimal, bool, str]] | None:
    """(value, has %, raw) for a cell made only of numbers ("467. 89 467. 89", "72.00%"); else None."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = _THOUSANDS.sub("", t)
    if not t or not _NUMBERS_ONLY.fullmatch(t) or not _DIGIT.search(t):
        return None
    out = []
    for m in _PNUM.finditer(t):
        raw = m.group().strip()
        out.append((Decimal(_BLANK_OR_PERCENT.sub("", raw)), raw.endswith("%"), raw))
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


class _when_asked:
    """``functools.cached_property`` without its lock (Python 3.11 takes one at each first
    access: ~250 rows a disclosure): the value computed once, then kept in the instance."""

    def __init__(self, fn):
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


@dataclass
class _PRow:
    line: Line
    split: Callable[[Line], list[Cell]] = field(repr=False)    # how the table cuts its lines into cells
    score: tuple[Decimal, Cell] | None = None             # the 得分 printed on this line
    heading: tuple[str, Decimal | None, Cell] | None = None  # a 一级指标 name (and weight) on it
    level2: str | None = None                             # the 一级指标 its 二级指标 label belongs to

    @_when_asked
    def cells(self) -> list[Cell]:
        """The line's cells, cut when first asked for (a table's lines between its budget row
        and its indicators, or after its 总分, are looked at by their text only)."""
        return self.split(self.line)


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
        self.rows = [_PRow(ln, t.cells) for ln in t.lines]

    def warn(self, message: str, offset: int | None, **kw) -> None:
        self.ctx.finding("D002", "warning", msg("perf.at", where=self.where, message=message), offset, **kw)

    def info(self, message: str, offset: int | None, **kw) -> None:
        self.ctx.finding("D001", "info", msg("perf.at", where=self.where, message=message), offset, **kw)

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
            self.info(msg("perf.name_repeated", repeated=" ".join(dropped), name=name), parts[0].offset, found=" | ".join(c.text.strip() for c in parts), expected=name)
        return name or None

    # -- 预算执行情况 --------------------------------------------------------------------
    def budget(self) -> tuple[dict, int] | None:
        """预算数, 执行数, 执行率 (as a percent), 预算执行得分 and its weight; and the row's index."""
        words = [norm(w) for w in self.v["预算表头"]]
        head = next((i for i, r in enumerate(self.rows) if all(w in norm(r.line.text) for w in words)), None)
        if head is None:
            self.warn(msg("perf.no_budget_row"), self.t.title.offset)
            return None
        data, tokens = None, []
        for i in range(head, min(head + 5, len(self.rows))):
            toks = [(v, pct, raw, c) for c in self.rows[i].cells if c.text
                    for v, pct, raw in (_perf_numbers(c.text) or [])]
            if len(toks) >= 3:
                data, tokens = i, toks
                break
        if data is None:
            self.warn(msg("perf.no_budget_numbers"), self.rows[head].line.offset)
            return None
        line = self.rows[data].line
        if len(tokens) != 4:
            self.warn(msg("perf.budget_row_count", count=len(tokens)), line.offset, found=line.text.strip()[:80])
            return None
        (b, bp, braw, bc), (e, ep, _eraw, _ec), (r, rp, rraw, _rc), (s, sp, _sraw, _sc) = tokens
        if bp or ep or sp:
            self.warn(msg("perf.budget_row_percent"), line.offset,
                      found=line.text.strip()[:80])
            return None
        if rp or r > 1:
            rate, places = r, _dec_places(r)
        else:                                         # "0.95", "1": printed as a fraction
            rate, places = r * 100, max(0, _dec_places(r) - 2)
        rate = _round(rate, places)
        out = {WORDS.budget: b, WORDS.spent: e, WORDS.rate: rate, WORDS.exec_score: _plain(s)}
        if b and rate and _round(e / b * 100, places) != rate:
            fixed = self._lost_digits(braw, e, rate, places)
            if fixed is not None:
                self.info(msg("perf.budget_lost_digits", raw=braw, value=_fmt(fixed), tail=braw.replace(" ", ""),
                              spent=_fmt(e), rate=rraw), bc.offset, found=braw, expected=_fmt(fixed),
                          formula=f"{_fmt(e)} ÷ {_fmt(fixed)} × 100 = {_fmt(_round(e / fixed * 100, places + 2))}%",
                          end=bc.offset + len(bc.text))
                out[WORDS.budget] = fixed
            else:
                self.warn(msg("perf.rate_mismatch", spent=_fmt(e), budget=_fmt(b), rate=rraw), bc.offset, found=braw)
        w = self._weight(self.rows[head: data + 1])
        if w is not None:
            out[WORDS.exec_weight] = w
        else:
            self.warn(msg("perf.no_budget_weight"), line.offset)
        for k in out:
            self.t.at[(k,)] = line.offset
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
        # a cell that is the header word leaves it in its line's normalised text (looked at first)
        heads = [i for i in range(start, len(self.rows)) if key in norm(self.rows[i].line.text)
                 and any(norm(c.text) == key for c in self.rows[i].cells)]
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
        names = tuple(self.v["一级指标"])
        for sec in sections:
            for i, r in enumerate(sec):
                for c in r.cells:
                    if not c.text:
                        continue          # (an empty cell names nothing: most cells of a ruled table)
                    h = _level1(c.text, names)
                    if h:
                        name, w = h
                        w = w if w is not None else _continued_weight(sec[i + 1: i + 3])
                        if w is None and norm(c.text) in _stems(names):
                            continue      # a bare "满意度" without its "(2.5分)" may be a 三级指标
                        r.heading = (name, w, c)
                        break
                for c in r.cells:
                    if not c.text or r.heading and c is r.heading[2]:
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
                if norm(c.text) == norm(self.v["得分表头"]):
                    group = votes.setdefault(len(header.cells), {})
                    group[c.start] = group.get(c.start, 0) + 1
            col = {w: max(g.items(), key=lambda kv: (kv[1], -kv[0]))[0] for w, g in votes.items()}

            def in_column(r: _PRow, c: Cell) -> bool:
                return c.start >= col[len(r.cells)]
        else:
            head = next((c for c in header.cells if norm(c.text) == norm(self.v["得分表头"])), None)

            def in_column(r: _PRow, c: Cell) -> bool:
                return head is None or _overlap(c, head) > 0 or abs(c.center - head.center) <= 4
        for r, c in cands:
            value = _plain(Decimal(_BLANK.sub("", unicodedata.normalize("NFKC", c.text))))
            if in_column(r, c):
                r.score = (value, c)
            else:
                self.t.passed_over.append((value, c))

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
            self.warn(msg("perf.no_level1_names"), sec[0].line.offset)
            return None
        for h in heads:
            if h.heading[1] is None:
                self.warn(msg("perf.no_weight", name=h.heading[0]), h.heading[2].offset,
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
                self.warn(msg("perf.scores_do_not_group", weights=msg("join.list").join(
                    f"{h.heading[0]} {_fmt(h.heading[1]) if h.heading[1] is not None else '?'}" for h in heads)),
                          sec[0].line.offset)
                return None
            dropped, result = fixes[0]
        sums, alternatives = result
        out = [_Block(h.heading[0], h.heading[1], _plain(sums[k]), h.heading[2]) for k, h in enumerate(heads)]
        if dropped is not None:
            c = dropped.score[1]
            self.info(msg("perf.merged_score_twice", score=c.text.strip()), c.offset, found=c.text.strip(), expected="", end=c.offset + len(c.text.strip()))
            dropped.score = None
        if alternatives:
            sep = msg("join.list")
            shown = [sep.join(f"{b.name} {_fmt(b.score)}" for b in out)] + \
                [sep.join(f"{out[k].name} {_fmt(_plain(x))}" for k, x in enumerate(alt)) for alt in alternatives]
            self.warn(msg("perf.several_groupings", groupings=msg("join.semicolon").join(shown)), sec[0].line.offset)
        return out

    # -- 总分 ---------------------------------------------------------------------------
    def total(self, row: _PRow | None, computed: Decimal | None) -> Decimal | None:
        """总分, read from its (possibly split) printed pieces and checked against the scores."""
        if row is None:
            self.warn(msg("perf.no_total_row"), self.t.title.offset)
            return None
        cells = _nonempty(row.cells)[1:]
        pieces = [c for c in cells if re.fullmatch(r"[\d.\s]+", unicodedata.normalize("NFKC", c.text).strip())]
        stray = [c for c in cells if c not in pieces]
        if not pieces:
            self.warn(msg("perf.total_unreadable"), row.line.offset, found=row.line.text.strip()[:40])
            return None
        texts = [re.sub(r"\s", "", unicodedata.normalize("NFKC", c.text)) for c in pieces]
        joined, how = "".join(texts), ""
        if not (re.fullmatch(r"\d+(\.\d+)?", joined) and Decimal(joined) <= 100):
            # the character at a break printed on both sides of it ("93." | ".2", "10" | "00")
            joined = texts[0]
            for t in texts[1:]:
                joined += t[1:] if t and joined and t[0] == joined[-1] else t
            how = msg("perf.total_break_doubled")
        shown = " | ".join(c.text.strip() for c in pieces)
        if not (re.fullmatch(r"\d+(\.\d+)?", joined) and Decimal(joined) <= 100):
            self.warn(msg("perf.total_not_a_score", shown=shown), pieces[0].offset, found=shown)
            return None
        value = _plain(Decimal(joined))
        self.t.at[(WORDS.self_score,)] = row.line.offset
        agrees = computed is not None and value == computed
        if len(pieces) > 1 or stray:
            extra = msg("perf.total_stray", stray=msg("join.list").join("“" + c.text.strip() + "”" for c in stray)) \
                if stray else ""
            check = msg("perf.total_agrees", computed=_fmt(computed)) if agrees else ""
            self.info(msg("perf.total_split", shown=shown, value=_fmt(value), how=how, extra=extra, check=check),
                      pieces[0].offset, found=shown, expected=_fmt(value))
        if computed is not None and not agrees:
            self.warn(msg("perf.total_mismatch", value=_fmt(value), computed=_fmt(computed)), pieces[0].offset, found=_fmt(value), expected=_fmt(computed))
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
    # block k holds the scored lines p with cuts[k-1] <= p < cuts[k]: with the lines in order,
    # a slice of them between two bisections (the sums exact, so the order adds nothing)
    scored = sorted(scored, key=lambda x: x[0])
    at = [p for p, _r in scored]
    scores = [r.score[0] for _p, r in scored]
    weights = [h.heading[1] for h in heads]
    names = [h.heading[0] for h in heads]
    m = len(at)
    cut_at = {c: bisect_left(at, c) for g in gaps for c in g}

    # everything a grouping asks of block k depends only on its two cuts (None: the section's
    # start or end), and the same block recurs in many groupings: each one worked out once —
    # its sum, False when over its weight, the labels it holds of another 一级指标, its distance
    # from its name (added up below in block order: the same floats)
    memo: dict[tuple, tuple | bool] = {}

    def block(k: int, a: int | None, b: int | None):
        lo_i = 0 if a is None else cut_at[a]
        hi_i = m if b is None else cut_at[b]
        total = sum(scores[lo_i:hi_i], Decimal(0))
        if weights[k] is not None and total > weights[k]:
            return False
        wrong_k = sum(1 for p, owner in labelled
                      if (a is None or a <= p) and (b is None or p < b) and names[k] != owner)
        lo = a if k else (min(hpos[0], at[0]) if hi_i > 0 else hpos[0])
        hi = b - 1 if k < n - 1 else (max(hpos[-1], at[-1]) if lo_i < m else hpos[-1])
        return total, wrong_k, abs((lo + hi) / 2 - hpos[k])

    last = n - 1
    for count, cuts in enumerate(itertools.product(*gaps)):
        if count > 200000:
            break
        sums = []
        wrong, off, a = 0, 0.0, None
        for k in range(n):
            b = cuts[k] if k < last else None
            e = memo.get((k, a, b))
            if e is None:
                e = memo[(k, a, b)] = block(k, a, b)
            if e is False:
                break
            sums.append(e[0])
            wrong += e[1]
            off += e[2]
            a = b
        else:
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
    return _level1_of(text, tuple(names))


@per_document
@lru_cache(maxsize=16384)
def _level1_of(text: str, names: tuple[str, ...]) -> tuple[str, Decimal | None] | None:
    c = unicodedata.normalize("NFKC", compact(text))
    for name, pattern in _level1_patterns(names):
        m = pattern.match(c)
        if m and (m.group(1) or m.end() == len(c) or c[m.end()] in "(（"):
            w = re.search(r"[(（](\d{1,3}(?:\.\d+)?)", c[m.end():])
            return name, (_plain(Decimal(w.group(1))) if w else None)
    return None


@cache
def _level1_patterns(names: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    """Each 一级指标 name with the pattern of its printed forms (the stem, then 指 or 指标)."""
    return [(name, re.compile(re.escape(name[:-2] if name.endswith("指标") else name) + r"(指标?)?"))
            for name in names]


@cache
def _level2_names() -> dict[str, str]:
    return {norm(n): owner for owner, names in _perf_vocab()["二级指标"].items() for n in names}


@per_document
@lru_cache(maxsize=16384)
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
    if t.kind == "project":
        name = rd.name()
        if not name:
            name = re.sub(r"\s", "", t.title_name)
            rd.warn(msg("perf.no_project_name", name=name), t.title.offset)
        out[WORDS.project_name] = name
    got = rd.budget()
    start = 0
    if got is not None:
        budget, start = got
        out.update(budget)
    elif t.kind == "project":
        rd.warn(msg("perf.no_budget_project_skipped"), t.title.offset)
        return None
    sections, header, total_row = rd.indicator_rows(start)
    sections = [s for s in sections if s]
    if not sections:
        rd.warn(msg("perf.no_indicator_rows"), t.title.offset)
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
        if WORDS.exec_weight in out and all(b.weight is not None for b in blocks):
            s = out[WORDS.exec_weight] + sum((b.weight for b in blocks), Decimal(0))
            if s != full:
                rd.warn(msg("perf.weights_not_full", total=_fmt(_plain(s)), full=_fmt(full)), t.title.offset)
        merged: dict[str, list] = {}          # 整体: the blocks of all 年度绩效目标, by name
        for b in blocks:
            m = merged.setdefault(b.name, [Decimal(0), Decimal(0)])
            m[0] = None if m[0] is None or b.weight is None else m[0] + b.weight
            m[1] += b.score
        for k, name in enumerate(merged):     # each indicator at its first heading row
            t.at[(WORDS.indicators, k)] = next(b.cell.offset for b in blocks if b.name == name)
        out[WORDS.indicators] = [{WORDS.indicator_name: n, **({WORDS.weight: _plain(w)} if w is not None else {}),
                                  WORDS.score: _plain(s)} for n, (w, s) in merged.items()]
        if WORDS.exec_score in out:
            computed = _plain(out[WORDS.exec_score] + sum((b.score for b in blocks), Decimal(0)))
    total = rd.total(total_row, computed)
    if total is not None:
        out[WORDS.self_score] = total
    return _in_order(out)


def _in_order(item: dict) -> dict:
    """The keys in the order of rules/figures-schema.yaml."""
    order = _project_keys()
    return {k: item[k] for k in sorted(item, key=lambda k: order.get(k, len(order)))}


@cache
def _project_keys() -> dict[str, int]:
    """A project's keys (预算绩效.项目自评.项目) in schema order → position."""
    item = schema().children[WORDS.performance].children[WORDS.project_eval].children[WORDS.projects].item
    return {k: i for i, k in enumerate(item.children)}


def parse_performance(text: str, name: str = "<disclosure>") -> tuple[dict, list[Finding]]:
    """The ``预算绩效`` part of the figures, from the self-evaluation tables of the 附件.

    ``{"项目自评": {"项目数", "项目": [...]}, "整体支出": {...}}`` (parts absent when their tables
    are), in the tables' order; the findings as for :func:`parse_tables`.
    """
    ctx = _Ctx(text=text, source=name)
    perf = _performance(ctx, split_lines(text), split_disclosure(text))
    ctx.findings.sort(key=lambda f: (f.start is None, f.start or 0))
    return perf, ctx.findings


def _performance(ctx: _Ctx, lines: list[Line], parts: Parts, at: dict | None = None) -> dict:
    """The 预算绩效 figures; ``at``, when given, is filled with figure path → offset of the
    row it was read from (a project or the 整体 table: its title)."""
    projects, whole = [], []
    for t in _perf_tables(lines, parts):
        where = msg("perf.whole_table") if t.kind == "whole" else msg("perf.project_table", name=t.title_name)
        before = len(ctx.findings)
        got = doubt_spaced_scores(t, _parse_perf_table(t, ctx, where), ctx, where, before)
        if got is not None:
            (whole if t.kind == "whole" else projects).append((t, got))
    out: dict = {}
    if at is not None:
        base = (WORDS.performance, WORDS.project_eval, WORDS.projects)
        for i, (t, _p) in enumerate(projects):
            at[base + (i,)] = t.title.offset
            at.update({base + (i,) + k: o for k, o in t.at.items()})
        if whole:
            t = whole[0][0]
            at[(WORDS.performance, WORDS.whole)] = t.title.offset
            at.update({(WORDS.performance, WORDS.whole) + k: o for k, o in t.at.items()})
    if projects:
        out[WORDS.project_eval] = {WORDS.project_count: len(projects), WORDS.projects: [p for _t, p in projects]}
    if whole:
        if len(whole) > 1:
            ctx.finding("D002", "warning", msg("reading.several_whole_tables", count=len(whole)),
                        whole[1][0].title.offset)
        out[WORDS.whole] = {WORDS.dept_count: len(whole), **whole[0][1]}
    return out
