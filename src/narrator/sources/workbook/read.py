"""read_workbook: an .xlsx/.xlsm or an old binary .xls (see xls.py) into Figures."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from functools import cache
from pathlib import Path

from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.textio import read_input_bytes
from narrator.figures.model import Figures, Node, figures_from_tree, schema
from narrator.figures.names import WORDS
from narrator.sources.workbook.sheets import _Region, _Sheet, _match_title, _n, _tables, _vocab
from narrator.sources.workbook.tables import (
    _Builder, _read_kv, _read_projects, _read_sangong, _read_subject_table, _read_two_sided,
)


# ======================================================================================
# read_workbook
# ======================================================================================
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open(path: Path, name: str):
    data = read_input_bytes(path, name)
    if not data:
        raise InputError(msg("input.empty"), name)
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data \
                or "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError(msg("workbook.encrypted"), name)
        from narrator.sources.workbook.xls import load_xls

        return load_xls(data, name), {}     # an .xls keeps every formula's value
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        raise InputError(msg("workbook.not_xlsx", detail=""), name)
    import openpyxl

    try:
        with warnings.catch_warnings():   # "no default style", unsupported extensions …
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged package
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(msg("workbook.not_xlsx", detail=f"：{detail}" if detail else ""), name) from None
    formulas: dict[str, set] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            has_f = any(n.startswith("xl/worksheets/") and re.search(rb"<(?:\w+:)?f[ >]", z.read(n))
                        for n in z.namelist())
    except (zipfile.BadZipFile, OSError, KeyError):
        raise InputError(msg("workbook.not_xlsx", detail=""), name) from None
    if has_f:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fwb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        for ws in fwb.worksheets:
            got = set()
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value.startswith("="):
                        got.add((c.row, c.column))
            formulas[ws.title] = got
    return wb, formulas


def read_workbook(path: str | Path) -> Figures:
    """Read a workbook of the nine 决算 tables (and narrator's extra sheets) into Figures."""
    p = Path(path)
    name = str(path)
    wb, formulas = _open(p, name)
    try:
        return _read(wb, formulas, name)
    except InputError as e:
        if e.file is None:
            e.file = name
        raise


def _read(wb, formulas: dict, source: str) -> Figures:
    root = schema()
    vocab = _vocab()
    extra_names = {_n(k): (k, v) for k, v in (vocab.get("表外工作表") or {}).items()}
    ignored = {_n(x) for x in vocab.get("略去工作表") or ()}
    sheets: list[_Sheet] = []
    extras: dict[str, _Sheet] = {}
    for ws in wb.worksheets:
        key = _n(ws.title)
        if key in ignored:
            continue
        sh = _Sheet(ws, formulas.get(ws.title))
        if key in extra_names:
            extras[extra_names[key][0]] = sh
        else:
            sheets.append(sh)

    # find the tables
    regions: list[_Region] = []
    for sh in sheets:
        hits: list[tuple[int, str]] = []
        for cell in sh.texts(1, sh.max_row):
            t = _match_title(cell.value)
            if t and not (hits and hits[-1][0] == cell.row):
                hits.append((cell.row, t))
        if not hits:
            t = _match_title(sh.name, short_ok=True)
            if t:
                regions.append(_Region(sh, t, 0, sh.max_row))
            continue
        hits.sort()
        if any(sh.numbers_in(1, hits[0][0] - 1)):
            t = _match_title(sh.name, short_ok=True)
            if t and t not in {h[1] for h in hits}:
                regions.append(_Region(sh, t, 0, hits[0][0] - 1))
        for i, (r, t) in enumerate(hits):
            r1 = hits[i + 1][0] - 1 if i + 1 < len(hits) else sh.max_row
            regions.append(_Region(sh, t, r, r1))

    b = _Builder(source)
    tree: dict = {}
    from_region: dict[str, _Region] = {}
    found_cells: dict[str, dict] = {}
    for reg in regions:
        node = root.children[reg.table]
        kind = _tables()[reg.table]
        if kind == "two_sided":
            got = _read_two_sided(reg, node, source, found_cells)
        elif kind in ("subject_table", "detail_table"):
            got = _read_subject_table(reg, node, source)
        else:
            got = _read_sangong(reg, node, source)
        if not got:
            continue
        if reg.table in tree:
            prev = from_region[reg.table]
            raise InputError(msg("workbook.second_table", sheet=reg.sheet.name, table=reg.table,
                                 first_sheet=prev.sheet.name, row=max(prev.r0, 1)), source)
        tree[reg.table] = got
        from_region[reg.table] = reg

    # 单位, 金额单位, 年度 from the tables' headings
    unit_re, dept_re = _heading_patterns()
    unit_at: dict[str, str] = {}
    dept = year = None
    for reg in regions:
        sh = reg.sheet
        for cell in sh.texts(max(reg.r0, 1), min(reg.r1, reg.r0 + 6) if reg.r0 else min(reg.r1, 6)):
            text = unicodedata.normalize("NFKC", cell.value)
            m = unit_re.search(text)
            if m:
                unit_at.setdefault(m.group(1), cell.where)
            m = dept_re.search(text)
            if m and dept is None:
                dept = m.group(1)
            if year is None and cell.row == reg.r0:
                m = re.search(r"(20\d\d)\s*年度?", text)
                if m:
                    year = int(m.group(1))

    # the extra sheets
    projects_at = (WORDS.performance, WORDS.project_eval, WORDS.projects)
    for title, sh in extras.items():
        target = (vocab["表外工作表"] or {})[title]
        segs = tuple(target.split(".")) if target else ()
        if not segs:  # 基本信息
            _read_kv(sh, b, root, (), source, only_leaves=True)
        elif segs == projects_at:
            _read_projects(sh, b, source)
        else:  # 年初预算 also takes rows of 科目编码 | 年初预算数
            _read_kv(sh, b, _node_at(root, list(segs)), segs, source, codes=segs == (WORDS.opening_budget,))
    extra_tree = b.result()
    for k, v in extra_tree.items():
        if k in tree:
            tree[k] = _merge(tree[k], v)
        else:
            tree[k] = v

    # the heading cells fill in what 基本信息 does not give
    if len(unit_at) > 1:
        (u1, w1), (u2, w2) = list(unit_at.items())[:2]
        raise InputError(msg("workbook.units_differ", where=w2, unit=u2, other=u1, other_where=w1), source)
    if unit_at:
        u, w = next(iter(unit_at.items()))
        given = tree.get(WORDS.unit)
        if given is not None and given != u:
            raise InputError(msg("workbook.unit_differs_from_info", where=w, unit=u, given=given), source)
        tree.setdefault(WORDS.unit, u)
    if dept is not None:
        tree.setdefault(WORDS.dept, dept)
    if year is not None:
        tree.setdefault(WORDS.year, year)

    summary = WORDS.summary_table
    if summary not in tree:
        if not any(isinstance(v, (dict, list)) for v in tree.values()):
            raise InputError(msg("workbook.empty"), source)
        raise InputError(msg("workbook.no_overview"), source)
    for key, hint in ((WORDS.dept, "workbook.no_department"), (WORDS.year, "workbook.no_year")):
        if key not in tree:
            raise InputError(msg(hint), source)
    cells = found_cells.get(summary, {})
    total = tree[summary]
    for side, item in ((WORDS.income, WORDS.income_total), (WORDS.expense, WORDS.expense_total)):
        if item not in total.get(side, {}):
            reg = from_region[summary]
            at = cells.get((side, item))
            where = msg("workbook.sheet", sheet=reg.sheet.name) + (f", {at}" if at else "")
            raise InputError(msg("workbook.total_blank", where=where, item=item), source)
    ordered = {k: tree[k] for k in root.children if k in tree}
    ordered.update({k: v for k, v in tree.items() if k not in ordered})
    fig = figures_from_tree(ordered, source)
    return fig


@cache
def _heading_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(金额单位, 编制单位) in a heading line, from rules/workbook.yaml 表上说明 and the schema's units."""
    above = _vocab()["表上说明"]
    label = re.escape(above["单位标签"])
    units = "|".join(re.escape(u) for u in sorted(schema().children[WORDS.unit].allowed, key=len, reverse=True))
    unit_re = re.compile(label + r"\s*:\s*(" + units + r")(?![\u4e00-\u9fff])")
    depts = "|".join(re.escape(x) for x in above["部门标签"])
    dept_re = re.compile(r"(?:" + depts + r")\s*:\s*([^\s:]+?)(?=\s|$|" + re.escape(WORDS.unit) + "|" + label
                         + r"\s*:)")
    return unit_re, dept_re


def _node_at(root: Node, segs: list[str]) -> Node:
    node = root
    for s in segs:
        node = node.children[s]
    return node


def _merge(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = _merge(out[k], v) if k in out else v
        return out
    return b
