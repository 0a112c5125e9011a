"""Doubt our reading before the document (DESIGN principle 7).

Each table read from text gets a reading confidence from its own arithmetic: the audit's sums
that rules/disclosure.yaml's 修补公式 selects and the 科目 hierarchy
(:func:`repair._build_identities`), each allowed one unit in the last printed place of every
term. When a table breaks several of them, or nothing could be read from lines that hold
amounts, the other ways of splitting its lines are tried — tab stops expanded to columns, runs
of two or more spaces, fixed columns from the header's positions, one cell per line — and the
reading whose sums hold is kept. When none holds, the table is reported once (``D005``
表格未能可靠读取) and nothing is taken from it: no table finding, no figure to check the prose against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from narrator.core.messages import msg
from narrator.sources.disclosure.layouts import Block, Cell, Line, read_amount, space_cells


@dataclass
class Reading:
    """One way of reading a table's lines and what its own sums say of it."""

    block: Block
    how: str
    held: int = 0
    failed: int = 0
    cells: int = 0

    @property
    def reliable(self) -> bool:
        # a sum or two that fail are the published table's to answer for; many are our reading's
        # (and a small table has too few sums to tell the two apart)
        return self.failed <= 2 or self.failed * 4 <= self.held + self.failed or self.held + self.failed < 8

    def key(self) -> tuple:
        return (self.held - 2 * self.failed, self.cells)


@dataclass
class _Split(Block):
    """A block whose lines are cut into cells by ``splitter`` (and, one cell per line, regrouped)."""

    splitter: Callable[[Line], list[Cell]] | None = None
    rows: dict[int, list[Cell]] = field(default_factory=dict)   # synthetic row line offset → cells

    def cells(self, line: Line) -> list[Cell]:
        if line.offset in self.rows and line.no < 0:
            return self.rows[line.offset]
        return self.splitter(line) if self.splitter else super().cells(line)

    def filled_cells(self, line: Line) -> list[Cell]:
        return [c for c in self.cells(line) if c.text]


def read_table(b: Block, parse: Callable, text: str, source: str) -> Reading:
    """The best reading of block ``b``: as laid out when its sums hold, else the best alternative."""
    first = _score(Reading(b, "as laid out"), parse, text, source)
    if first.failed == 0 and first.held and first.cells:
        return first
    best = first
    for alt in _alternatives(b):
        r = _score(alt, parse, text, source)
        if r.key() > best.key() and r.held > first.held:     # another reading must hold more sums
            best = r
    return best


def unreadable(r: Reading, b: Block) -> bool:
    """Whether no reading of the table can be relied on (its sums fail, or nothing was read)."""
    return not r.reliable or (r.cells == 0 and _has_amounts(b))


def _has_amounts(b: Block) -> bool:
    return any(re.search(r"\d[\d,， ]*\.\s?\d", ln.text) for ln in b.lines)


def _score(r: Reading, parse: Callable, text: str, source: str) -> Reading:
    from narrator.sources.disclosure.repair import _Solver, _build_identities
    from narrator.sources.disclosure.tables import _Ctx

    ctx = _Ctx(text=text, source=source)
    ctx.present.add(r.block.key)
    try:
        parse(r.block, ctx)
    except (IndexError, KeyError, ValueError):     # a split that makes no sense to the table's parser
        r.held, r.failed, r.cells = 0, 1, 0
        return r
    ids = _build_identities(ctx)
    _Solver(ctx, ids, mark_truncated(ctx)).run()         # extraction noise the sums repair is no misreading
    _count(r, ctx.slots, ids)
    return r


class _Units(dict):
    """decimals → one unit in that place (0.01 for 2), made once."""

    def __missing__(self, d: int) -> Decimal:
        self[d] = Decimal(1).scaleb(-d)
        return self[d]


_UNIT = _Units()


def _count(r: Reading, slots: dict, ids, own: list | None = None) -> None:
    """Held and failed sums of one table, each term allowed one unit in its last printed place
    (``own``: the table's slots, when the caller has them grouped — and ``ids`` its own sums)."""
    key = r.block.key
    if own is None:
        own = [s for p, s in slots.items() if p[0] == key]
        ids = [idt for idt in ids if all(q[0] == key for q in idt.terms())]
    r.cells = sum(1 for s in own if s.value is not None)
    for idt in ids:
        got = _gap_and_room(idt, slots)
        if got is None:
            continue
        if abs(got[0]) <= got[1]:
            r.held += 1
        else:
            r.failed += 1


def _gap_and_room(idt, slots: dict) -> tuple[Decimal, Decimal] | None:
    """Σ lhs − Σ rhs of the cells read, and one unit in the last printed place of each; None
    when a term was not read or every cell is blank."""
    total, tol, filled = Decimal(0), Decimal(0), False
    for side, plus in ((idt.lhs, True), (idt.rhs, False)):
        for q in side:
            s = slots.get(q)
            if s is None:
                return None
            if s.value is not None:
                filled = True
                total = total + s.value if plus else total - s.value
                tol += _UNIT[s.amount.decimals if s.amount is not None else 2]
    return (total, tol) if filled else None


def ids_by_table(ids) -> dict[str, list]:
    """The identities of each table: those whose terms all lie in it (the others span tables)."""
    out: dict[str, list] = {}
    for idt in ids:
        keys = {q[0] for q in idt.terms()}
        if len(keys) == 1:
            out.setdefault(keys.pop(), []).append(idt)
    return out


def doubtful_tables(ctx, ids, blocks: list[Block], own: dict | None = None) -> set[str]:
    """The tables of a first reading whose own sums say the reading may be wrong (``own``:
    ``ids_by_table(ids)`` when the caller has it)."""
    out = set()
    own = ids_by_table(ids) if own is None else own
    slots_of: dict[str, list] = {}
    for p, s in ctx.slots.items():
        slots_of.setdefault(p[0], []).append(s)
    for b in blocks:
        r = Reading(b, "as laid out")
        mine = slots_of.get(b.key, [])
        _count(r, ctx.slots, own.get(b.key, []), mine)
        whole = sum(1 for s in mine if s.amount is not None
                    and s.value is not None and "." not in s.amount.raw and "," not in s.amount.raw)
        if r.failed > 2 or not r.reliable or (r.cells == 0 and _has_amounts(b)) \
                or (r.held == 0 and _amounts(b) > r.cells) or (whole * 4 > r.cells and _has_amounts(b)):
            # (whole numbers where the table prints decimals: its 行次 read as amounts)
            out.add(b.key)
    return out


def _amounts(b: Block) -> int:
    """Amounts printed with a decimal point in the table's lines (a bound on what it holds)."""
    return sum(1 for ln in b.lines for c in b.cells(ln)
               if "." in c.text and (a := read_amount(c.text)) is not None and a.kind != "blank")


def mark_truncated(ctx) -> int:
    """The number of decimals the tables print amounts with — the most that a quarter of them
    have (damaged cells have fewer, never more); 2 when there is nothing to count — with every
    clean cell printed with fewer marked as truncated (not known). Returns that number."""
    counts: dict[int, int] = {}
    for s in ctx.slots.values():
        if s.amount is not None and s.amount.kind in ("clean", "comma"):
            counts[s.amount.decimals] = counts.get(s.amount.decimals, 0) + 1
    total = sum(counts.values())
    if not total:
        return 2
    places = max(d for d, n in counts.items() if n * 4 >= total or d == min(counts))
    for s in ctx.slots.values():
        if s.status == "clean" and s.amount is not None and s.amount.decimals < places:
            s.status, s.known = "truncated", False
    return places


# --------------------------------------------------------------------------- other ways of splitting lines

def _alternatives(b: Block) -> list[Reading]:
    out = []
    tabbed = any("\t" in ln.raw for ln in b.lines)
    if tabbed:
        out.append(Reading(_Split(b.key, b.kind, b.title, b.lines, False, splitter=_expanded_cells),
                           "tab stops expanded to columns"))
    if not b.tabbed:
        out.append(Reading(_Split(b.key, b.kind, b.title, b.lines, True, splitter=_gap_cells), "runs of spaces"))
    fixed = _fixed_columns(b)
    if fixed is not None:
        out.append(Reading(fixed, "fixed columns from the header"))
    if not tabbed:
        out.append(Reading(_Split(b.key, b.kind, b.title, b.lines, True, splitter=_gap_cells),
                           "tab-separated"))
    out.extend(_one_cell_per_line(b))
    return out


def _expanded_cells(line: Line) -> list[Cell]:
    """Tabs as tab stops of 8 columns (an editor's layout): cells by their column."""
    raw = line.raw.expandtabs(8)
    if raw == line.raw:
        return space_cells(line)
    cells = space_cells(Line(line.no, line.offset, raw))
    # offsets: map the expanded column back to the raw text
    back, col = [], 0
    for i, ch in enumerate(line.raw):
        if ch == "\t":
            nxt = (col // 8 + 1) * 8
            back.extend([i] * (nxt - col))
            col = nxt
        else:
            back.append(i)
            col += 1
    for c in cells:
        c.offset = line.offset + back[min(int(c.start), len(back) - 1)]
    return cells


_GAP = re.compile(r"\t| {2,}|\u3000+")


def _gap_cells(line: Line) -> list[Cell]:
    """Cells separated by a tab or a run of two or more spaces, by their index."""
    out, pos = [], 0
    raw = line.raw.replace("\x0c", " ")
    parts = _GAP.split(raw)
    i = 0
    for part in parts:
        at = raw.find(part, pos) if part else pos
        lead = len(part) - len(part.lstrip())
        if part.strip() or i:
            out.append(Cell(part.strip(), i, i + 1, line.offset + at + lead))
            i += 1
        pos = at + len(part)
    return out


def _fixed_columns(b: Block) -> _Split | None:
    """Columns cut at the positions where the header's labels start (space layout)."""
    lines = [ln for ln in b.lines if ln.text.strip()]
    header = []
    for ln in lines:
        if any(read_amount(c.text) and read_amount(c.text).kind != "blank" and "." in c.text
               for c in space_cells(Line(ln.no, ln.offset, ln.raw.expandtabs(8)))):
            break
        header.append(ln)
    if not header:
        return None
    starts = sorted({int(c.start) for ln in header for c in space_cells(Line(ln.no, ln.offset, ln.raw.expandtabs(8)))})
    if len(starts) < 3:
        return None

    def cut(line: Line) -> list[Cell]:
        raw = line.raw.expandtabs(8) if "\t" in line.raw else line.raw
        out = []
        for k, a in enumerate(starts):
            z = starts[k + 1] if k + 1 < len(starts) else len(raw)
            piece = raw[a:z] if k else raw[:z]
            text = piece.strip()
            lead = len(piece) - len(piece.lstrip())
            out.append(Cell(text, k, k + 1, line.offset + min((a if k else 0) + lead, max(0, len(line.raw) - 1))))
        return out

    return _Split(b.key, b.kind, b.title, b.lines, True, splitter=cut)


def _one_cell_per_line(b: Block) -> list[Reading]:
    """Each cell on a line of its own (empty cells as empty lines), rows of ``n`` cells: every
    width from 3 to 16 and every start within the leading blank lines is a reading."""
    lines = b.lines
    lead = 0
    while lead < len(lines) and not lines[lead].text.strip():
        lead += 1
    if lead == len(lines) or sum(1 for ln in lines if "\t" in ln.raw or "  " in ln.raw.strip()) > len(lines) // 4:
        return []
    out = []
    widths = _widths(lines[lead:]) or range(3, 17)
    for skip in range(lead + 1):
        for n in widths:
            rows: dict[int, list[Cell]] = {}
            synthetic: list[Line] = []
            body = lines[skip:]
            for k in range(0, len(body) - n + 1, n):
                group = body[k:k + n]
                cells = [Cell(g.text.strip(), i, i + 1, g.offset + len(g.text) - len(g.text.lstrip()))
                         for i, g in enumerate(group)]
                row = Line(-1 - len(synthetic), group[0].offset, "\t".join(c.text for c in cells))
                rows[row.offset] = cells
                synthetic.append(row)
            if synthetic:
                out.append(Reading(_Split(b.key, b.kind, b.title, synthetic, True, rows=rows),
                                   f"one cell per line, {n} a row"))
    return out


_ROW_START = re.compile(r"(?:\d{3}(?:[ \u3000]?\d{2}){0,2}|[一二三四五六七八九十]{1,3}[、.．].*|[-–]?\s*[、.．].*|合计|总计|栏次)")


def _widths(lines: list[Line]) -> list[int]:
    """Likely row widths of a table written one cell per line: the usual distance between lines
    that start a row (a 科目编码, an ordinal label, 合计/栏次), and runs of column numbers 1, 2, 3 …"""
    starts = [i for i, ln in enumerate(lines) if _ROW_START.fullmatch(ln.text.strip())]
    gaps: dict[int, int] = {}
    for a, z in zip(starts, starts[1:]):
        if 3 <= z - a <= 16:
            gaps[z - a] = gaps.get(z - a, 0) + 1
    out = sorted(gaps, key=lambda g: -gaps[g])[:3]
    run = 0
    for ln in lines:
        t = ln.text.strip()
        if t.isdigit() and int(t) == run + 1:
            run += 1
        elif t.isdigit() and int(t) == 1:
            run = 1
        else:
            if run >= 3:
                out += [w for w in (run, run + 1, run + 2, run + 3) if w not in out]
            run = 0
    return [w for w in out if 3 <= w <= 16]


# --------------------------------------------------------------------------- a table cut short

def cut_short(ctx, ids, key: str) -> bool:
    """Whether the 科目表 ``key`` reads as a table whose last rows are missing (a page or the text
    cut off), not as a wrong table: every sum of it that fails is a total (合计, or a 类/款 on the
    way to the last row read) exceeding its rows, and in every column the shortfall is itself a
    consistent row — rows of amounts missing below it, which our reading may have lost. ``ids``:
    the table's own sums (``ids_by_table(...)[key]``: every term in the table)."""
    rows = ctx.rows.get(key) or []
    if not rows:
        return False
    last = rows[-1].code
    chain = {(key, "合计")} | {(key, "科目", last[:n]) for n in (3, 5) if len(last) > n}
    val = lambda q: ctx.slots[q].value if q in ctx.slots else None  # noqa: E731
    short: dict[tuple, dict[str, Decimal]] = {}
    tol: dict[tuple, dict[str, Decimal]] = {}
    for idt in ids:
        r = idt.residual(val)
        if r is None:
            continue
        t = _tolerance(ctx, idt)
        top = idt.lhs[0][:-1] if len(idt.lhs) == 1 else None
        is_sum = top is not None and all(q[:-1] != top for q in idt.rhs) and len(idt.rhs) >= 1
        if is_sum and all(q[-1] == idt.lhs[0][-1] for q in idt.rhs):     # a column's total = Σ its rows
            short.setdefault(top, {})[idt.lhs[0][-1]] = r
            tol.setdefault(top, {})[idt.lhs[0][-1]] = t
        elif abs(r) > t:
            return False                                     # a row's own sum fails: the table's
    missing = {top for top, cols in short.items() if any(abs(r) > tol[top][c] for c, r in cols.items())}
    if not missing or not missing <= chain:
        return False
    for top in missing:
        cols = short[top]
        if any(r < -tol[top][c] for c, r in cols.items()):
            return False                                     # rows that add to more than their total
        for idt in ids:                                      # the shortfalls add up as a row does
            if not idt.terms() or any(q[:-1] != top for q in idt.terms()):
                continue
            sides = [[cols.get(q[-1]) for q in side] for side in (idt.lhs, idt.rhs)]
            if any(v is None for side in sides for v in side):
                continue
            gap = sum(sides[0], Decimal(0)) - sum(sides[1], Decimal(0))
            if abs(gap) > sum((tol[top].get(q[-1], Decimal(0)) for q in idt.terms()), Decimal(0)):
                return False
    return True


def _tolerance(ctx, idt) -> Decimal:
    """One unit in the last printed place of each term (2 decimals when not printed)."""
    out = Decimal(0)
    for q in idt.terms():
        s = ctx.slots.get(q)
        out += _UNIT[s.amount.decimals if s is not None and s.amount is not None else 2]
    return out


# --------------------------------------------------------------------------- 绩效自评表 laid out with spaces

SCORES = ("预算执行得分", "指标", "自评得分")


def doubt_spaced_scores(t, item: dict | None, ctx, where: str, warned_before: int = 0) -> dict | None:
    """A self-evaluation table whose scores read do not add up to its 总分 when our reading of it
    is in doubt: its cells told apart by runs of spaces (``pdftotext -layout``, copy-paste) or by
    tab stops, its reader had to guess (a D002 warning of this table other than the total itself,
    e.g. several groupings of the indicator rows fit), or it left out a score-like number as not
    in the 得分 column. Its scores are not taken (one ``D005``, no score finding); its 预算数 and
    执行数 are kept. With tabs or ruled cells read without a doubt, a total that does not add up
    is the table's. ``warned_before``: the number of findings before this table was read."""
    if item is None or "自评得分" not in item or "预算执行得分" not in item or not item.get("指标"):
        return item
    from narrator.sources.disclosure.repair import _fmt

    total = item["自评得分"]
    computed = item["预算执行得分"] + sum((i["得分"] for i in item["指标"]), Decimal(0))
    places = max(0, -total.as_tuple().exponent)
    if _round_half_up(computed, places) == total:
        return item
    total_text = _fmt(total)          # (the warning that the total does not add up names it)
    guessed = any(f.code == "D002" and f.message.startswith(f"{where}：") and f.found != total_text
                  for f in ctx.findings[warned_before:])
    if not t.tabbed:
        how = msg("reading.scores_split_at_spaces")
    elif t.tab_stops:
        how = msg("reading.scores_split_at_tab_stops")
    elif guessed:
        how = msg("reading.scores_grouped_by_guess")
    elif (left := _left_out_to_close(t.passed_over, computed, total, places)) is not None:
        how = msg("reading.scores_passed_over", cells=" | ".join(c.text.strip() for c in left))
    else:
        return item
    ctx.finding("D005", "warning", msg("reading.scores_doubted", table=where, how=how, computed=f"{computed.normalize():f}", total=f"{total:f}"), t.title.offset, unread=where)
    return {k: v for k, v in item.items() if k not in SCORES}


def _round_half_up(d: Decimal, places: int) -> Decimal:
    from decimal import ROUND_HALF_UP

    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _left_out_to_close(passed_over: list, computed: Decimal, total: Decimal, places: int) -> list | None:
    """The cells of the fewest score-like numbers the reader left out (``(value, cell)``) that
    would make the scores add up to the total; None if none would (then the gap is the table's).
    More than 12 left out: too many ways to close any gap, so the reading is doubted as a whole."""
    import itertools

    if len(passed_over) > 12:
        return [c for _v, c in passed_over]
    for k in range(1, len(passed_over) + 1):
        for chosen in itertools.combinations(passed_over, k):
            if _round_half_up(computed + sum((v for v, _c in chosen), Decimal(0)), places) == total:
                return [c for _v, c in chosen]
    return None
