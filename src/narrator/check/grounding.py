"""Grounding: the figure a reading's own words name, found in the figures by name and code.

The template alignment pairs a written number with the draft's number in the same place of
the same sentence; when a text lists its items in another order, or words a sentence its own
way, that place is the wrong one. The words win: a number whose words name a figure (a 科目 by
its code, a total or a 三公 item by its name, rules/claims.yaml 主体数据) is compared with that
figure, whatever its position.
"""

from __future__ import annotations

import weakref
from decimal import Decimal
from functools import cache

from narrator.check import compare as C
from narrator.check.claims import ACT, BUD, BUD0, BUDF, CHG, MONEY_FACTOR, PY, RATE, Document, Reading, vocabulary
from narrator.check.relations import flip_word
from narrator.core.messages import msg
from narrator.core.numbers import fmt, round_half_up
from narrator.figures.names import WORDS as W


@cache
def _subject_paths() -> dict:
    return vocabulary()["主体数据"]


def _code_paths() -> dict:
    return vocabulary()["科目数据"]


@cache
def _droppable() -> tuple[str, ...]:
    return tuple(sorted(vocabulary()["项目名称可略词"], key=len, reverse=True))


def _core(name: str) -> str:
    words = _droppable()
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


_PROJECTS: "weakref.WeakKeyDictionary" = None  # figures -> its Projects (one per figures object)


def _projects_of(figures) -> "Projects":
    global _PROJECTS
    if _PROJECTS is None:
        _PROJECTS = weakref.WeakKeyDictionary()
    try:
        p = _PROJECTS.get(figures)
        if p is None:
            p = _PROJECTS[figures] = Projects(figures.data)
        return p
    except TypeError:           # not weakly referenceable
        return Projects(figures.data)


class Projects:
    """The 绩效 projects of one figures file, their names' cores ready for matching."""

    def __init__(self, data: dict):
        projects = ((data.get(W.performance) or {}).get(W.project_eval) or {}).get(W.projects) or []
        self.names: list[tuple[int, list[frozenset]]] = []
        for i, p in enumerate(projects):
            if isinstance(p, dict):
                names = [str(p.get(k)) for k in (W.project_name, W.short_name) if p.get(k)]
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
            # the two highest (score, index) pairs, as sorted(..., reverse=True)[:2] gives them
            top = second_pair = (-1.0, -1)
            for i, names in self.names:
                pair = (max((_dice(b, n) for n in names), default=0.0), i)
                if pair > top:
                    top, second_pair = pair, top
                elif pair > second_pair:
                    second_pair = pair
            best, i = top
            second = second_pair[0] if len(self.names) > 1 else 0.0
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
            node = next((row for row in node if isinstance(row, dict) and str(row.get(W.code)) == key), None)
            if node is None:
                return None
        else:
            return None
    return node if isinstance(node, Decimal) else None


def describe(path: str, data: dict) -> str:
    """A figures path as a finance officer names it: table, row (code and name), column.

    "一般公共预算财政拨款支出决算表.科目.2080102.合计" → "一般公共预算财政拨款支出决算表 2080102 一般行政管理事务 合计";
    "预算绩效.项目自评.项目.4.执行数" → "项目自评 社会保险经办机构项目 执行数"; "上年.…" → "上年 …".
    """
    keys = path.split(".")
    prefix = ""
    if keys and keys[0] == W.prior_year:
        prefix, keys = W.prior_year + " ", keys[1:]
        data = data.get(W.prior_year) or {}
    if keys[:3] == [W.performance, W.project_eval, W.projects] and len(keys) >= 5 and keys[3].isdigit():
        projects = ((data.get(W.performance) or {}).get(W.project_eval) or {}).get(W.projects) or []
        i = int(keys[3])
        p = projects[i] if i < len(projects) else None
        name = p.get(W.project_name, keys[3]) if isinstance(p, dict) else keys[3]
        return prefix + " ".join([W.project_eval, str(name)] + keys[4:])
    if W.rows in keys:
        at = keys.index(W.rows)
        code = keys[at + 1] if at + 1 < len(keys) else ""
        name = _row_name(data, code)
        return prefix + " ".join(keys[:at] + [code] + ([name] if name else []) + keys[at + 2:])
    return prefix + " ".join(keys)


def _row_name(data: dict, code: str) -> str | None:
    for node in data.values():
        rows = node.get(W.rows) if isinstance(node, dict) else None
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict) and str(row.get(W.code)) == code and row.get(W.name):
                    return str(row[W.name])
    return None


def _prior(path: str) -> str:
    """The path of the same figure last year (under 上年)."""
    return f"{W.prior_year}.{path}"


def value_at(data: dict, path: str) -> Decimal | None:
    return _get(data, path)


def paths_of(r: Reading, data: dict, projects: Projects | None = None) -> list[str] | None:
    """The figures paths a reading states, best first; None when its words name no known figure."""
    if r.kind != "money" or r.measure not in (ACT, PY, BUD0, BUDF, BUD):
        return None
    if r.code and r.subject == "科目" + r.code:
        where = _code_paths()
        if r.measure in (BUD0, BUD, BUDF):
            return [where["预算数"].format(编码=r.code)]
        out = []
        for table, node in data.items():
            if table in where["不找的表"] or not isinstance(node, dict) or not isinstance(node.get(W.rows), list):
                continue
            for col in where["决算数列"]:
                out.append(f"{table}.{W.rows}.{r.code}.{col}")
        if r.measure == PY:
            out = [_prior(p) for p in out]
        return out
    spec = _subject_paths().get(r.subject or "")
    if spec is None:
        if r.measure == ACT and r.label and not r.code:
            i = (projects or Projects(data)).named(r.label)
            if i is not None:
                return [_code_paths()["项目执行数"].format(序号=i)]
        return None
    if r.measure == ACT:
        return list(spec.get("决算数", []))
    if r.measure == PY:
        return [_prior(p) for p in spec.get("决算数", [])]
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


# -- the words win: each number against the figure its words name ----------------------
def quantum_half(places: int) -> Decimal:
    return Decimal(1).scaleb(-places) / 2


def words_win(ctx, by_start: dict, doc, figures) -> set[int]:
    """Compare each number whose words name a figure with that figure, not with its position.

    Amounts are compared with the figure their subject and measure name; a change and a rate
    with the change of that figure from the prior year's. Returns the readings the figures
    refute (the text's own relations are not judged on them).
    """
    refuted: set[int] = set()
    grounded: dict[int, list[str]] = {}           # reading index -> the paths it equals
    data = figures.data
    projects = _projects_of(figures)
    for r in doc.readings:
        c = by_start.get(r.mention.start)
        if c is None or r.kind != "money":
            continue
        res = values_of(r, data, figures.unit, projects)
        if res is None:
            continue
        paths, found = res
        if not paths:
            continue
        m = c.mention
        aligned = [f for f in ctx.findings if f.start == m.start and f.code in ("N101", "N107")]
        hits = [p for v, p in found if C.verdict(v, m.value, m.places, m.qualifier) in (C.OK, C.TRUNCATED)]
        hit = hits[0] if hits else None
        if hit is not None:
            grounded[r.index] = hits
            if aligned or c.status != "confirmed":
                ctx.retract(m.start)
                c.status, c.source, c.expected, c.evidence = "confirmed", "words", None, msg("ground.subject_agrees")
            _stale_year(ctx, r, doc)
            continue
        if c.status == "confirmed":
            continue
        slot_paths = {i.get("path") for i in (c.slot.inputs or [])} if c.slot is not None else set()
        if aligned and (not slot_paths or slot_paths & set(paths)):
            refuted.add(r.index)
            continue        # the alignment and the words name the same figure: its finding stands
        if aligned:
            ctx.retract(m.start)
            c.status, c.source, c.expected = "unverifiable", None, None
        if not found:
            continue
        v, path = found[0]
        fp = max(0, -v.as_tuple().exponent)
        if m.unit in MONEY_FACTOR and MONEY_FACTOR[m.unit] < MONEY_FACTOR.get(figures.unit, MONEY_FACTOR[m.unit]):
            # written in 元, the figure in 万元 to the cent: known to the hundred 元
            fp = _places_of(value_at(data, path)) - _places_between(m.unit, figures.unit)
        if fp < m.places and C.verdict(m.value, v, fp) in (C.OK, C.TRUNCATED):
            continue        # the figure is known to fewer places (a truncated cell): it cannot say
        refuted.add(r.index)
        if m.unit == "元" and figures.unit == "万元" and C.verdict(v / 10000, m.value, m.places) == C.OK:
            # "货物支出3.01元" where the figure is 3.01万元
            c.status, c.source, c.expected, c.evidence = "mismatch", "words", m.text, "N210"
            ctx.add("N210", m.unit_start, m.unit_end, ctx.text[m.unit_start:m.unit_end], "万元",
                    msg("ground.amount_in_wanyuan", subject=r.label or r.subject, value=fmt(v / 10000, 2)),
                    f"{describe(path, data)} = {fmt(v / 10000, 2)}万元",
                    fix="万元")
            continue
        expected = C.expected_text(m, v, 2)
        if path.split(".", 1)[0] == W.performance:
            # a project named by a short name: its self-evaluation counts every fund, so the text
            # may state less (its 一般公共预算 part) but never more
            if m.value <= v + quantum_half(m.places):
                refuted.discard(r.index)
                continue
            c.status, c.source, c.expected, c.evidence = "mismatch", "words", expected, msg("ground.project_against_evaluation")
            ctx.add("N107", m.start, m.end, m.text, expected, msg("check.more_than_project_total", label=r.label),
                    f"{describe(path, data)} = {fmt(v, 2)}", fix=None if m.qualifier else expected)
            continue
        c.status, c.source, c.expected, c.evidence = "mismatch", "words", expected, msg("ground.subject_against_figures")
        ctx.add("N101", m.start, m.end, m.text, expected, r.label or r.subject or "",
                f"{describe(path, data)} = {fmt(v, 2)}", fix=None if m.qualifier else expected)
    refuted |= _changes_against_figures(ctx, by_start, doc, data, grounded, figures.unit)
    return refuted


def _changes_against_figures(ctx, by_start: dict, doc, data: dict, grounded: dict[int, list[str]],
                             unit: str) -> set[int]:
    """A change or a rate of an amount the figures confirm, against that figure's prior year."""
    refuted: set[int] = set()
    for r in doc.readings:
        if r.measure not in (CHG, RATE) or r.anchor is None or r.vs_budget or r.anchor not in grounded:
            continue
        c = by_start.get(r.mention.start)
        if c is None or (c.status == "confirmed" and c.source == "draft"):
            continue
        path = next((p for p in grounded[r.anchor] if value_at(data, _prior(p)) is not None), None)
        if path is None:
            continue
        now, before = value_at(data, path), value_at(data, _prior(path))
        m = c.mention
        change = now - before
        anchor = doc.readings[r.anchor]
        if r.measure == CHG:
            written, places = m.value, m.places
            if m.unit in MONEY_FACTOR and m.unit != unit:
                written = m.scaled(unit)
                if MONEY_FACTOR[m.unit] < MONEY_FACTOR[unit]:
                    # “增加191213.00元” against figures in 万元: its places are places of 元
                    places += _places_between(m.unit, unit)
                    known = max(_places_of(now), _places_of(before))
                    if known < places:
                        # the figures are known to fewer places than the text writes: compare there
                        written, places = round_half_up(written, known), known
            v = C.verdict(abs(change), written, places, m.qualifier)
            formula = msg("ground.change_formula", figure=describe(path, data), now=fmt(now, 2), before=fmt(before, 2),
                          change=fmt(change, 2))
            if v == C.OK:
                ctx.retract(m.start)
                if _direction_word(ctx, r, change, anchor, formula):
                    refuted.add(r.index)
                    continue
                c.status, c.source, c.evidence = "confirmed", "words", msg("ground.change_rule")
                continue
            if m.unit in MONEY_FACTOR and m.unit != unit:     # in the text's own unit: 191200.00元
                expected = fmt(abs(change) * MONEY_FACTOR[unit] / MONEY_FACTOR[m.unit], m.places)
            else:
                expected = fmt(abs(change), max(m.places, 2))
            ctx.retract(m.start)
            c.status, c.source, c.expected, c.evidence = "mismatch", "words", expected, msg("ground.change_against_figures")
            ctx.add("N101", m.start, m.end, m.text, expected, msg("check.change_of", subject=anchor.label or anchor.subject), formula,
                    fix=None if m.qualifier else expected)
            refuted.add(r.index)
            continue
        if before <= 0:
            continue
        exact = abs(change) / before * 100
        v = C.verdict(exact, m.value, m.places, m.qualifier)
        formula = f"|{fmt(now, 2)} − {fmt(before, 2)}| ÷ {fmt(before, 2)} = {fmt(exact, 2)}%"
        if v == C.OK:
            ctx.retract(m.start)
            if _direction_word(ctx, r, change, anchor, formula):     # 减少1.19万元，增长9.04%
                refuted.add(r.index)
                continue
            c.status, c.source, c.evidence = "confirmed", "words", msg("ground.rate_rule")
            continue
        if v == C.TRUNCATED:
            continue
        expected = C.expected_text(m, exact, 2)
        ctx.retract(m.start)
        c.status, c.source, c.expected, c.evidence = "mismatch", "words", expected, msg("ground.rate_against_figures")
        ctx.add("N102", m.start, m.end, m.text, expected, msg("check.change_rate_of", subject=anchor.label or anchor.subject), formula,
                fix=None if m.qualifier else expected)
        refuted.add(r.index)
    return refuted


def _places_of(v: Decimal) -> int:
    return max(0, -v.as_tuple().exponent)


def _places_between(small: str, big: str) -> int:
    """How many more places an amount has in ``small`` money units than in ``big`` (元 → 万元: 4)."""
    return len(str(int(MONEY_FACTOR[big] / MONEY_FACTOR[small]))) - 1


def _direction_word(ctx, r, change: Decimal, anchor, formula: str) -> bool:
    """The direction word of a change or rate whose size the figures confirm, against the sign
    of the figures' change: True (an N105 on it) when it is the other way. The words win: a
    finding the template alignment made on the word (another sentence's word paired with it)
    is withdrawn either way, and a right word is confirmed."""
    sign = 1 if change > 0 else -1 if change < 0 else 0
    if r.sign_word is None or r.sign is None or sign == 0:
        return False
    a, b = r.sign_word
    ctx.findings = [f for f in ctx.findings if not (f.start == a and f.code == "N105")]
    ctx.flagged.discard(a)
    ctx.fixes = [fx for fx in ctx.fixes if fx[0] != a]
    if r.sign == sign:
        ctx.confirmed_words.add(a)
        return False
    word = ctx.text[a:b]
    want = flip_word(word)
    ctx.add("N105", a, b, word, want, msg("ground.rose" if sign > 0 else "ground.fell", subject=anchor.label or anchor.subject),
            formula, fix=want)
    return True


def stale_year_span(text: str, doc: Document, r: Reading) -> tuple[int, int] | None:
    """Where last year's number (年度) is written before this year's amount ``r`` (“2015年“三公”经费
    …支出2.00万元” in a 2016 text), when the words before it do not make it a base (比、较 …)."""
    if doc.year is None or r.year != doc.year - 1 or r.measure != ACT:
        return None
    sent = doc.sentences[r.sentence]
    head = text[sent.start:r.mention.start]
    at = head.rfind(str(r.year))
    if at < 0 or any(w in head[max(0, at - 6):at] for w in vocabulary()["上年基数词"]):
        return None
    return sent.start + at, sent.start + at + len(str(r.year))


def _stale_year(ctx, r, doc) -> None:
    """An amount equal to this year's figure, written after last year's number (年度)."""
    span = stale_year_span(ctx.text, doc, r)
    if span is None:
        return
    text = ctx.text
    a, b = span
    if any(f.start == a for f in ctx.findings):
        return
    ctx.add("N209", a, b, text[a:b], str(doc.year), msg("check.year_of_accounts", year=doc.year),
            msg("ground.year_of_figures", subject=r.label or r.subject, text=r.mention.text.strip(), year=doc.year),
            fix=str(doc.year))
