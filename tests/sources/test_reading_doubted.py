"""Doubt our reading before the document (DESIGN principle 7).

The sample disclosure's tables written out as other tools write them — runs of spaces in
columns (``pdftotext -layout`` style), the same with tab stops (an editor's layout), one cell
per line — are read into the same figures, cell for cell, and the table audit finds only what
it finds on the sample. A table garbled in the text gives one ``D005`` warning and no table
finding.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from narrator.audit.engine import audit_figures
from narrator.figures.model import figures_from_tree
from narrator.sources.disclosure import parse_tables

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the layouts

def _tables(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The lines, and the [start, end) line ranges of the tab-separated tables."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        if "\t" not in lines[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and ("\t" in lines[j] or (not lines[j].strip() and j + 1 < len(lines)
                                                     and "\t" in lines[j + 1])):
            j += 1
        out.append((i, j))
        i = j
    return lines, out


def _is_amount(cell: str) -> bool:
    return bool(re.fullmatch(r"-?[\d, ]+\.[\d ]+|[\d, ]+,\s?\d\d", cell.strip()))


def spaced(text: str) -> str:
    """Columns of spaces, as ``pdftotext -layout`` lays a table out: amounts right-aligned, labels
    left-aligned, at least two spaces between columns."""
    lines, tables = _tables(text)
    for a, z in tables:
        rows = [lines[k].split("\t") for k in range(a, z)]
        n = max(len(r) for r in rows)
        width = [max((len(r[c].strip()) for r in rows if c < len(r)), default=0) for c in range(n)]
        for k in range(a, z):
            if lines[k].strip():
                cells = lines[k].split("\t")
                lines[k] = "".join((c.strip().rjust(width[i]) if _is_amount(c) else c.strip().ljust(width[i]))
                                   + "   " for i, c in enumerate(cells)).rstrip()
    return "\n".join(lines)


def tab_stops(text: str) -> str:
    """The spaced layout with runs of blanks turned into tab stops of 8 (``unexpand -a``)."""
    out = []
    for ln in spaced(text).split("\n"):
        if "   " not in ln:
            out.append(ln)
            continue
        pieces = [ln[i:i + 8] for i in range(0, len(ln), 8)]
        out.append("".join(p.rstrip(" ") + "\t" if len(p) == 8 and p.endswith("  ") else p for p in pieces))
    return "\n".join(out)


def one_cell_per_line(text: str) -> str:
    """Every cell on a line of its own, empty cells as empty lines, rows one after another."""
    lines, tables = _tables(text)
    out, prev = [], 0
    for a, z in tables:
        out.extend(lines[prev:a])
        while out and not out[-1].strip():      # the grid starts right under the title
            out.pop()
        rows = [lines[k].split("\t") for k in range(a, z) if lines[k].strip()]
        n = max(len(r) for r in rows)
        for r in rows:
            out.extend([c.strip() for c in r] + [""] * (n - len(r)))
        out.append("")
        prev = z
    out.extend(lines[prev:])
    return "\n".join(out)


# --------------------------------------------------------------------------- comparing readings

NINE_ONLY = "预算绩效"     # the self-evaluation tables of the 附件 have a reader of their own


def cells(tree: dict, path: tuple = ()) -> dict:
    out = {}
    for k, v in tree.items():
        if not path and k == NINE_ONLY:
            continue
        if k == "科目" and isinstance(v, list):
            for r in v:
                for col, x in r.items():
                    if col != "科目编码":
                        out[path + ("科目", r["科目编码"], col)] = x
        elif isinstance(v, dict):
            out.update(cells(v, path + (k,)))
        else:
            out[path + (k,)] = v
    return out


def table_findings(tree: dict, name: str) -> list[tuple]:
    nine = {k: v for k, v in tree.items() if k != NINE_ONLY}
    return sorted((f.code, f.severity, f.found, f.expected)
                  for f in audit_figures(figures_from_tree(nine, name, required=False)) if f.severity != "info")


@pytest.fixture(scope="module")
def sample():
    tree, findings = parse_tables(TEXT, "sample")
    return tree, findings


@pytest.mark.parametrize("layout", [spaced, tab_stops, one_cell_per_line], ids=lambda f: f.__name__)
def test_every_layout_reads_the_same_figures(sample, layout):
    text = layout(TEXT)
    assert text != TEXT
    tree, findings = parse_tables(text, layout.__name__)
    mine, theirs = cells(tree), cells(sample[0])
    assert len(theirs) > 350
    assert {p: (mine.get(p), theirs.get(p)) for p in set(mine) | set(theirs) if mine.get(p) != theirs.get(p)} == {}
    # (the 绩效自评表 have a reader of their own: tests/sources/test_spaced_performance_tables_doubted.py)
    assert not [f for f in findings if f.code == "D005" and "绩效自评表" not in f.extra["unread"]]


@pytest.mark.parametrize("layout", [spaced, tab_stops, one_cell_per_line], ids=lambda f: f.__name__)
def test_no_table_finding_but_the_samples(sample, layout):
    tree, _ = parse_tables(layout(TEXT), layout.__name__)
    found = table_findings(tree, layout.__name__)
    assert found == table_findings(sample[0], "sample")
    # the sample's real one: 20801 项目支出 printed 2495.79, its items add to 2495.75
    assert ("T102", "error", "2495.79", "2495.75") in found


def test_the_tab_stops_layout_is_not_read_right_as_tabs_alone(sample):
    """The tab-stop layout really needs the other reading: split at its tabs, the columns shift."""
    from narrator.sources.disclosure.layouts import _find_titles, _make_blocks, split_lines
    from narrator.sources.disclosure.parts import split_disclosure
    from narrator.sources.disclosure.tables import _Ctx, _parse_subject_table

    text = tab_stops(TEXT)
    parts = split_disclosure(text)
    lines = split_lines(text)
    blocks = _make_blocks(lines, _find_titles(lines, parts.body_start, len(text), parts.narrative),
                          [parts.narrative[0]])
    (b,) = [b for b in blocks if b.key == "收入决算表"]
    assert b.tabbed
    ctx = _Ctx(text=text, source="t")
    _parse_subject_table(b, ctx)
    read = {p: s.value for p, s in ctx.slots.items() if s.value is not None}
    assert read != {p: v for p, v in cells(sample[0]).items() if p[0] == "收入决算表" and p[-1] != "科目名称"}


def garbled(text: str) -> str:
    """一般公共预算财政拨款支出决算表 with the amounts of each 科目 row rotated over its columns."""
    a = text.rindex("五、一般公共预算财政拨款支出决算表")
    z = text.rindex("六、一般公共预算财政拨款基本支出决算明细表")
    rows = []
    for k, ln in enumerate(text[a:z].split("\n")):
        c = ln.split("\t")
        if len(c) == 5 and re.match(r"\d{3}", c[0]):
            c[2:] = c[2 + k % 3:] + c[2:2 + k % 3]
        rows.append("\t".join(c))
    return text[:a] + "\n".join(rows) + text[z:]


def test_a_garbled_table_is_one_warning_and_no_table_finding():
    text = garbled(TEXT)
    tree, findings = parse_tables(text, "garbled")
    (d,) = [f for f in findings if f.code == "D005"]
    assert d.severity == "warning" and "表格未能可靠读取" in d.message
    assert d.extra["unread"] == "一般公共预算财政拨款支出决算表"
    assert text.split("\n")[d.line - 1] == "五、一般公共预算财政拨款支出决算表"
    assert "一般公共预算财政拨款支出决算表" not in tree
    audit = audit_figures(figures_from_tree(tree, "garbled", required=False))
    assert not [f for f in audit if "一般公共预算财政拨款支出决算表" in f.message and f.severity != "info"]
