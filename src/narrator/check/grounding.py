"""Grounding: the figure a reading's own words name, found in the figures by name and code.

The template alignment pairs a written number with the draft's number in the same place of
the same sentence; when a text lists its items in another order, or words a sentence its own
way, that place is the wrong one. The words win: a number whose words name a figure (a 科目 by
its code, a total or a 三公 item by its name, rules/claims.yaml 主体数据) is compared with that
figure, whatever its position.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from narrator.check.claims import ACT, BUD, BUD0, BUDF, PY, Reading, vocabulary

_SKIP_TABLES = ("上年", "年初预算", "文字说明")
_CODE_COLUMNS = ("合计", "决算数", "本年支出合计")


@cache
def _subject_paths() -> dict:
    return vocabulary()["主体数据"]


def _core(name: str) -> str:
    words = tuple(sorted(vocabulary()["项目名称可略词"], key=len, reverse=True))
    changed = True
    while changed:
        changed = False
        for w in words:
            if name.endswith(w) and len(name) - len(w) >= 2:
                name = name[: -len(w)]
                changed = True
    return name


def _bigrams(s: str) -> frozenset:
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def _dice(x: frozenset, y: frozenset) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


class Projects:
    """The 绩效 projects of one figures file, their names' cores ready for matching."""

    def __init__(self, data: dict):
        projects = ((data.get("预算绩效") or {}).get("项目自评") or {}).get("项目") or []
        self.names: list[tuple[int, list[frozenset]]] = []
        for i, p in enumerate(projects):
            if isinstance(p, dict):
                names = [str(p.get(k)) for k in ("项目名称", "简称") if p.get(k)]
                self.names.append((i, [_bigrams(_core(n)) for n in names]))
        self.memo: dict[str, int | None] = {}

    def named(self, label: str) -> int | None:
        """The index of the project a label names (by its name or short name), or None."""
        if label in self.memo:
            return self.memo[label]
        core = _core(label)
        found = None
        if len(core) >= 3 and self.names:
            b = _bigrams(core)
            scores = sorted(((max((_dice(b, n) for n in names), default=0.0), i) for i, names in self.names),
                            reverse=True)
            best, i = scores[0]
            second = scores[1][0] if len(scores) > 1 else 0.0
            if best >= float(vocabulary()["项目名称相似度"]) and best - second >= 0.2:
                found = i
        self.memo[label] = found
        return found


def _get(data, path: str):
    node = data
    for key in path.split("."):
        if isinstance(node, dict):
            if key not in node:
                return None
            node = node[key]
        elif isinstance(node, list):
            if key.isdigit() and len(key) < 3 and int(key) < len(node):
                node = node[int(key)]
                continue
            node = next((row for row in node if isinstance(row, dict) and str(row.get("科目编码")) == key), None)
            if node is None:
                return None
        else:
            return None
    return node if isinstance(node, Decimal) else None


def value_at(data: dict, path: str) -> Decimal | None:
    return _get(data, path)


def paths_of(r: Reading, data: dict, projects: Projects | None = None) -> list[str] | None:
    """The figures paths a reading states, best first; None when its words name no known figure."""
    if r.kind != "money" or r.measure not in (ACT, PY, BUD0, BUDF, BUD):
        return None
    if r.code and r.subject == "科目" + r.code:
        if r.measure in (BUD0, BUD, BUDF):
            return [f"年初预算.科目.{r.code}"]
        out = []
        for table, node in data.items():
            if table in _SKIP_TABLES or not isinstance(node, dict) or not isinstance(node.get("科目"), list):
                continue
            for col in _CODE_COLUMNS:
                out.append(f"{table}.科目.{r.code}.{col}")
        if r.measure == PY:
            out = ["上年." + p for p in out]
        return out
    spec = _subject_paths().get(r.subject or "")
    if spec is None:
        if r.measure == ACT and r.label and not r.code:
            i = (projects or Projects(data)).named(r.label)
            if i is not None:
                return [f"预算绩效.项目自评.项目.{i}.执行数"]
        return None
    if r.measure == ACT:
        return list(spec.get("决算数", []))
    if r.measure == PY:
        return ["上年." + p for p in spec.get("决算数", [])]
    if r.measure == BUD0:
        return list(spec.get("年初预算数", []) or spec.get("全年预算数", []))
    if r.measure == BUDF:
        return list(spec.get("全年预算数", []) or spec.get("年初预算数", []))
    return list(spec.get("年初预算数", [])) + list(spec.get("全年预算数", []))


def values_of(r: Reading, data: dict, unit: str, projects: Projects | None = None
              ) -> tuple[list[str], list[tuple[Decimal, str]]] | None:
    """(paths named, [(value in the written unit, path)] found) or None."""
    paths = paths_of(r, data, projects)
    if paths is None:
        return None
    from narrator.check.claims import MONEY_FACTOR

    m = r.mention
    factor = Decimal(1)
    if m.unit in MONEY_FACTOR and unit in MONEY_FACTOR and m.unit != unit:
        factor = MONEY_FACTOR[unit] / MONEY_FACTOR[m.unit]
    found = []
    for p in paths:
        v = _get(data, p)
        if v is not None:
            found.append((v * factor, p))
    return paths, found


def _subject_names() -> set[str]:
    return set(vocabulary()["主体"])
