"""Sections last year's text lacks: the standard pack's section, marked 【待核：新增段落】.

A section of the standard pack (rules/like.yaml 新增段落) is added when this year's figures hold
its data and no heading of last year's text names it, or when last year's section of it has no
line of the section's 科目 table (by code or as read) while this year's table has 项级 lines. It
goes where the standard order puts it: before the first of last year's sections that the
standard pack places after it, or before the text's closing part (名词解释, 附件 …). The learned template includes the standard
section's own template, so its numbers are slots with provenance like any pack's, and the
wording is marked for a person to confirm.

Each added section compares the way the department compares (:func:`comparison_basis`): when
last year's text — its section of the same place if that shows a comparison, else the whole
text — compares only with the previous year, the section is included with 比较基准 = 上年
(rules/like.yaml 比较基准) and the standard templates compare with 上年 (05's 项级 lines: "…（项）
X万元，较2023年决算数增加Y万元，增长Z%", from 上年's line of the same code; none where 上年 lacks
it). With the budget, both or neither, the standard wording is unchanged.

Each added section also writes zero amounts the way the department does (:func:`lists_zeros`):
when last year's text prints zero amounts (“2. 事业收入0万元。3. 经营收入0万元。”), the section is
included with 列出零项 set (rules/like.yaml 零项) and 11 lists each 政府采购 category, zeros
included, and the total when it is 0; otherwise the standard wording leaves zero items out.
"""

from __future__ import annotations

from narrator.check.claims import ACT, BUD, BUD0, BUDF, CHG, COMPL, PY, RATE, Document, fold
from narrator.check.grounding import value_at
from narrator.render import like_template as T


def _entries() -> list[dict]:
    return T.words()["新增段落"]["段落"]


def standard_place(title: str) -> int | None:
    """The standard order of the section a heading names: the entry whose word comes first in
    it (the longer word on a tie); len(entries) for the closing part; None: none."""
    best: tuple[int, int, int] | None = None
    entries = _entries()
    for i, e in enumerate(entries):
        for w in e["标题词"]:
            at = title.find(w)
            if at >= 0 and (best is None or (at, -len(w)) < (best[0], best[1])):
                best = (at, -len(w), i)
    for w in T.words()["新增段落"]["文末词"]:
        at = title.find(w)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, -len(w), len(entries))
    return None if best is None else best[2]


def covered_places(doc: Document) -> set[int]:
    """The standard order of each section a heading of ``doc`` names (a heading may name two:
    “十、政府采购支出、国有资产占用情况说明”)."""
    entries = _entries()
    out = set()
    for _, title in doc.sections:
        t = fold(title)
        place = standard_place(t)
        if place is not None:
            out.add(place)
        out |= {i for i, e in enumerate(entries) if any(w in t for w in e["标题词"])}
    return out


def place_of_path(path: str) -> int | None:
    """The standard order of the section a figure's table belongs to (by the tables of each
    section's 数据 and 科目表), or None."""
    table = path.split(".")[0]
    for i, e in enumerate(_entries()):
        tables = {p.split(".")[0] for p in e.get("数据") or []} | {(e.get("科目表") or {}).get("表")}
        if table in tables:
            return i
    return None


def _closing(text: str, after: int) -> int:
    """Where the closing part (附件 …) starts after ``after``; the end of the text without one."""
    found = [text.find(w, after) for w in T.words()["新增段落"]["文末词"]]
    found = [x for x in found if x >= 0]
    end = min(found) if found else len(text)
    while end > after and text[end - 1] in " \t\u3000":
        end -= 1
    return end


def _has_data(entry: dict, data: dict) -> bool:
    return any(value_at(data, p) is not None for p in entry.get("数据") or [])


def _lines_lacking(entry: dict, doc: Document, data: dict, placed: list[tuple[int, int | None]], i: int,
                   meanings: dict[int, list[str]]) -> bool:
    """A section last year's text has without one line of the entry's 科目 table (“（一）工资福利
    支出…” lists 经济分类) while this year's table has 项级 lines (rules/like.yaml 新增段落 科目表).
    ``meanings``: the figures' paths each number of last year's text was read as, by position."""
    spec = entry.get("科目表")
    if not spec:
        return False
    keys = T.data_key("科目"), T.data_key("科目编码")
    rows = f"{spec['表']}.{keys[0]}."
    spans = [(a, b) for (a, k), (b, _) in zip(placed, placed[1:] + [(len(doc.text), None)]) if k == i]
    if not spans or any(a <= x < b and any(p.startswith(rows) for p in paths)
                        for x, paths in meanings.items() for a, b in spans):
        return False
    if any(r.code and len(r.code) == spec["编码长度"] and any(a <= r.start < b for a, b in spans) for r in doc.readings):
        return False
    rows = (data.get(spec["表"]) or {}).get(keys[0]) or []
    return any(isinstance(row, dict) and len(str(row.get(keys[1], ""))) == spec["编码长度"] and row.get(spec["列"])
               for row in rows)


PRIOR, BUDGET = "prior", "budget"


def _basis_of(doc: Document, r) -> str | None:
    """What a reading compares with: the previous year (a change or rate against last year, a
    last-year amount) or the budget (a change or rate against it, a completion rate, a budget
    amount); None for a plain amount."""
    if r.measure in (CHG, RATE):
        vs_budget = r.vs_budget or (r.change is not None and doc.readings[r.change].vs_budget)
        return BUDGET if vs_budget else PRIOR
    if r.measure == PY:
        return PRIOR
    if r.measure in (COMPL, BUD0, BUDF, BUD):
        return BUDGET
    return None


def comparison_basis(doc: Document) -> tuple[dict[int, str | None], str | None]:
    """The department's comparison basis, read from last year's text: for each standard place
    whose section shows one, and for the whole text. PRIOR when the text (or the section)
    compares only with the previous year; None — the standard pack's wording — when it compares
    with the budget, does both, or shows neither (rules/like.yaml 比较基准)."""
    by_place: dict[int | None, set[str]] = {}
    placed = [(start, standard_place(fold(title))) for start, title in doc.sections]
    for r in doc.readings:
        if r.narrative or r.measure == ACT:
            continue
        basis = _basis_of(doc, r)
        if basis is None:
            continue
        place = next((k for start, k in reversed(placed) if start <= r.start), None)
        by_place.setdefault(place, set()).add(basis)
    everything = set().union(*by_place.values()) if by_place else set()
    whole = PRIOR if everything == {PRIOR} else None
    return {k: (PRIOR if v == {PRIOR} else None) for k, v in by_place.items() if k is not None}, whole


def lists_zeros(doc: Document) -> bool:
    """Does last year's text print zero amounts (at least rules/like.yaml 零项.最少 of them)?"""
    zeros = sum(1 for r in doc.readings if r.kind == "money" and not r.narrative and r.mention.value == 0)
    return zeros >= T.words()["零项"]["最少"]


def _include(template: str, basis: str | None, zeros: bool = False) -> str:
    """The template code that includes a standard section, with the basis (and the listing of
    zero items) set for it alone."""
    code = '{% include "' + template + '" %}'
    settings = []
    if basis == PRIOR:
        w = T.words()["比较基准"]
        settings.append(w["变量"] + " = " + T.jinja_str(w["上年"]))
    if zeros:
        settings.append(T.words()["零项"]["变量"] + " = true")
    if not settings:
        return code
    return "{% with " + ", ".join(settings) + " %}" + code + "{% endwith %}"


def new_section_edits(doc: Document, data: dict, sections: list[dict], meanings: dict[int, list[str]],
                      basis: tuple[dict[int, str | None], str | None] | None = None
                      ) -> tuple[list[tuple[int, int, str]], list[str]]:
    """The insertions (position, position, template code) of the standard ``sections``
    (load_pack("standard").sections) last year's text lacks, and their keys; ``meanings``: the
    figures' paths each number of last year's text was read as, by position. Each compares the
    way last year's text does (:func:`comparison_basis`, or ``basis`` when the caller has it):
    its own section's basis, else the text's."""
    entries = _entries()
    basis_at, whole_basis = basis if basis is not None else comparison_basis(doc)
    by_key = {s["键"]: s for s in sections}
    placed = [(start, standard_place(fold(title))) for start, title in doc.sections]
    covered = covered_places(doc)
    zeros = lists_zeros(doc)
    edits, keys = [], []
    for i, e in enumerate(entries):
        if e["键"] not in by_key:
            continue
        lacking = _has_data(e, data) if i not in covered else _lines_lacking(e, doc, data, placed, i, meanings)
        if not lacking:
            continue
        later = [start for start, k in placed if k is not None and k > i]
        if later:
            at = min(later)
        else:
            last = max((start for start, k in placed if k is not None), default=0)
            at = _closing(doc.text, last)
        sec = by_key[e["键"]]
        basis = basis_at[i] if i in basis_at else whole_basis
        code = ("\n" + T.confirm_mark("新增段落") + T.literal(str(sec.get("标题", ""))) + "\n"
                + _include(str(sec["模板"]), basis, zeros) + "\n\n")   # trim_blocks eats one
        edits.append((at, at, code))
        keys.append(e["键"])
    return edits, keys
