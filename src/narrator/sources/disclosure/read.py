"""parse_tables: a disclosure's text into a figures tree and the findings of its repairs."""

from __future__ import annotations

from narrator.core.collector import fewer_collections
from narrator.core.findings import Finding, line_of
from narrator.core.messages import msg
from narrator.figures.names import WORDS
from narrator.sources.disclosure.layouts import (
    _find_titles, _make_blocks, _no_data_note, split_lines, vocabulary,
)
from narrator.sources.disclosure.parts import part_headings, split_disclosure
from narrator.sources.disclosure.performance import _performance
from narrator.sources.disclosure.repair import _Solver, _build_identities
from narrator.sources.disclosure.reread import (
    Reading, cut_short, doubtful_tables, ids_by_table, mark_truncated, read_table, unreadable,
)
from narrator.sources.disclosure.tables import (
    _Ctx, _build_tree, _fix_subject_names, _parse_detail, _parse_sangong, _parse_subject_table,
    _parse_two_halves, _unit, department_and_year,
)


# --------------------------------------------------------------------------- entry point

_PARSERS = {
    "总表": _parse_two_halves,
    "财政拨款总表": _parse_two_halves,
    "科目表": _parse_subject_table,
    "明细表": _parse_detail,
    "三公": _parse_sangong,
}


def parse_tables(text: str, name: str = "<disclosure>", lines: dict | None = None,
                 parts=None) -> tuple[dict, list[Finding]]:
    """Read the nine tables of a disclosure into a figures tree.

    Returns ``(tree, findings)``: the tree is in the format of rules/figures-schema.yaml
    (``decimal.Decimal`` amounts, blank cells omitted, tables that are absent or carry a
    "本表无数据" note omitted); the findings are the repairs made (``D001``, info), the
    damaged cells left as printed (``D002``, warning) and the tables not found (``D003``).
    ``lines``, when given, is filled with figure path → 1-based line of the cell (or the row)
    in ``text``, and table key → the line of its title. ``parts``: ``split_disclosure(text)``
    when the caller has it already.
    """
    with fewer_collections():
        return _read(text, name, None, lines, parts)


def _read(text: str, name: str, chosen: dict | None, where: dict | None = None,
          parts=None) -> tuple[dict, list[Finding]]:
    """One reading of the tables; ``chosen``: the reading of the tables doubted on a first pass
    (key → block, or None when no reading of it can be relied on)."""
    ctx = _Ctx(text=text, source=name)
    parts = split_disclosure(text) if parts is None else parts
    lines = split_lines(text)
    titles = _find_titles(lines, parts.body_start, len(text), parts.narrative)
    stops = [ln.offset for ln, _c, _n in part_headings(parts, lines) if ln.offset >= parts.body_start]
    if parts.narrative:
        stops.append(parts.narrative[0])
    blocks = _make_blocks(lines, titles, stops)
    for b in blocks:
        if chosen and b.key in chosen:
            reading = chosen[b.key]
            if reading.block is None:
                why = (msg("reading.rows_seem_missing") if reading.how == "cut"
                       else msg("reading.no_layout_adds_up", count=reading.failed))
                ctx.finding("D005", "warning", msg("reading.table_doubted", table=b.key, why=why), b.title.offset, unread=b.key)
                continue
            b = reading.block
        ctx.present.add(b.key)
        _PARSERS[b.kind](b, ctx)
        note = _no_data_note(b)
        if note is not None and any(s.amount is not None for p, s in ctx.slots.items() if p[0] == b.key):
            ctx.finding("D002", "warning", msg("reading.numbers_yet_no_data", table=b.key, note=note.text.strip()[:40]), note.offset)
    if titles:
        for spec in vocabulary()["表"]:
            if spec["键"] not in titles:
                ctx.finding("D003", "warning", msg("reading.table_not_found", table=spec['键']), None,
                            unread=spec["键"])
    places = mark_truncated(ctx)
    identities = _build_identities(ctx)
    _Solver(ctx, identities, places).run()
    if chosen is None:
        own = ids_by_table(identities)
        doubted = doubtful_tables(ctx, identities, blocks, own)
        cut = {b.key for b in blocks if cut_short(ctx, own.get(b.key, []), b.key)}
        if doubted or cut:
            again = {}
            for b in blocks:
                if b.key in cut:                  # its last rows missing: no other split brings them back
                    again[b.key] = Reading(None, "cut")
                elif b.key in doubted:
                    reading = read_table(b, _PARSERS[b.kind], text, name)
                    if unreadable(reading, b):
                        reading.block = None
                    again[b.key] = reading
            return _read(text, name, again, where, parts)
    _fix_subject_names(ctx)
    dept, year = department_and_year(text)
    region = text[parts.tables[0]:parts.tables[1]] if parts.tables else text
    tree = _build_tree(ctx, dept, year, _unit(region))
    perf_at: dict = {}
    perf = _performance(ctx, lines, parts, perf_at)
    if perf:
        tree[WORDS.performance] = perf
    ctx.findings.sort(key=lambda f: (f.start is None, f.start or 0))
    if where is not None:
        line = line_of(text)
        for b in blocks:
            where[(b.key,)] = line(b.title.offset)
        for p, s in ctx.slots.items():
            where[p] = line(s.anchor)
        for p, offset in perf_at.items():
            where[p] = line(offset)
    return tree, ctx.findings


