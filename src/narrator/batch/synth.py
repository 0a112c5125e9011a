"""Synthetic departments: random but internally consistent figures, reproducible from a seed.

Used by property tests, benchmarks and batch tests. Every table adds up exactly (all
amounts are whole cents), so any inconsistency a check finds in them was put there on
purpose by the test that perturbed them. ``synth_many`` writes a folder of them (figures
YAML, and for check a narrative with some numbers changed), in parallel.
"""

from __future__ import annotations

import datetime as _dt
import json
import multiprocessing
import os
import random
import re
import signal
from decimal import Decimal
from pathlib import Path
from functools import cache
from typing import Callable

from narrator.batch.files import write_atomic
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.figures.model import subjects
from narrator.figures.names import WORDS

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@cache
def synth_words() -> dict:
    """rules/synth.yaml: the synthetic department's vocabulary and the layout of its tables."""
    return load_rule_file(rules_dir() / "synth.yaml")


def _money(rng: random.Random, lo, hi) -> Decimal:
    cents = rng.randint(int(lo * 100), int(hi * 100))
    return (Decimal(cents) * CENT).quantize(CENT)


def _split(rng: random.Random, total: Decimal, n: int, allow_zero: bool = True) -> list[Decimal]:
    """Split ``total`` into ``n`` non-negative cent amounts that add up exactly."""
    cents = int(total * 100)
    if n <= 1:
        return [total]
    cuts = sorted(rng.randint(0, cents) for _ in range(n - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [cents])]
    if not allow_zero and cents >= n:
        parts = [max(p, 1) for p in parts]
        parts[-1] = cents - sum(parts[:-1])
        if parts[-1] < 0:
            parts = [cents // n] * (n - 1) + [cents - (cents // n) * (n - 1)]
    return [(Decimal(p) * CENT).quantize(CENT) for p in parts]


def _prior(rng: random.Random, v: Decimal) -> Decimal:
    r = rng.random()
    if r < 0.1:
        return v  # unchanged from last year
    return (v * Decimal(str(round(rng.uniform(0.6, 1.4), 3)))).quantize(CENT)


def _scale(rng: random.Random, v: Decimal, lo: float, hi: float, places: int = 2) -> Decimal:
    return (v * Decimal(str(round(rng.uniform(lo, hi), places)))).quantize(CENT)


def _maybe_money(rng: random.Random, spec: dict) -> Decimal:
    """An amount up to spec 上限 with probability spec 概率, else zero."""
    return _money(rng, 0, spec["上限"]) if rng.random() < float(spec["概率"]) else ZERO


def _or_none(v):
    return v if v else None


class _Absent:
    """A template value whose number the department does not have."""


_ABSENT = _Absent()


def fill_layout(layout, values: dict):
    """The figures tree described by a rules/synth.yaml layout, with ``values`` filled in.

    ``"$x"`` is values["x"] (None: absent); a key ``"k?"`` is dropped when its value is absent,
    and a mapping with an absent value under any other key is absent itself; a key ``"$x"``
    spreads the mapping values["x"] with the value template applied to each entry (``$值``);
    ``{每行: $x, 为: row}`` is one row per mapping in values["x"] (a row's own names first)."""
    hit = _FILLERS.get(id(layout))
    if hit is None or hit[0] is not layout:
        hit = _FILLERS[id(layout)] = (layout, _filler(layout))
    return hit[1](values, None)


_FILLERS: dict[int, tuple] = {}  # id(layout) -> (layout, its filler): a layout is compiled once


def _filler(layout):
    """A function (values, row) -> the filled layout (see fill_layout)."""
    if isinstance(layout, str) and layout.startswith("$"):
        name = layout[1:]

        def get(values, row):
            v = row[name] if row is not None and name in row else values[name]
            return _ABSENT if v is None else v
        return get
    if isinstance(layout, list):
        parts = [_filler(x) for x in layout]
        return lambda values, row: [f(values, row) for f in parts]
    if not isinstance(layout, dict):
        return lambda values, row: layout
    if len(layout) == 2 and "每行" in layout and "为" in layout:
        each, body = _filler(layout["每行"]), _filler(layout["为"])

        def rows(values, row):
            found = each(values, row)
            return _ABSENT if found is _ABSENT else [body(values, r) for r in found]
        return rows
    steps = []
    for key, sub in layout.items():
        key = str(key)
        if key.startswith("$"):
            steps.append((key[1:], None, _filler(sub)))
        else:
            optional = key.endswith("?")
            steps.append((None, (key[:-1] if optional else key, optional), _filler(sub)))

    def mapping(values, row):
        out: dict = {}
        for spread, named, f in steps:
            if spread is not None:
                for name, v in values[spread].items():
                    out[name] = f(values, {"值": v})
                continue
            v = f(values, row)
            if v is _ABSENT:
                if named[1]:
                    continue
                return _ABSENT
            out[named[0]] = v
        return out
    return mapping


def _subject_lines(rng: random.Random, words: dict, target_rows: int):
    """The 项-level function-classification lines: (code, name, basic, project, other), and
    the 类 and 款 names they fall under."""
    classes = list(subjects()[WORDS.class_names].items())
    rng.shuffle(classes)
    kuan_words, suffixes = words["款名用词"], words["项名后缀"]
    skipped = set(words["略去类"])
    lines: list[tuple[str, str, Decimal, Decimal, Decimal]] = []
    rows_used = 0
    class_names: dict[str, str] = {}
    kuan_names: dict[str, str] = {}
    for code3, cname in classes:
        if rows_used >= target_rows or code3 in skipped:
            continue
        class_names[code3] = cname
        rows_used += 1
        for k in range(rng.randint(1, 4)):
            code5 = f"{code3}{k + 1:02d}"
            kuan_names[code5] = f"{cname[:-2]}{rng.choice(kuan_words)}"
            rows_used += 1
            for x in range(rng.randint(1, 4)):
                code7 = f"{code5}{x + 1:02d}"
                basic = _money(rng, 0, 800) if rng.random() < 0.6 else ZERO
                project = _money(rng, 0, 3000) if rng.random() < 0.7 else ZERO
                if basic == 0 and project == 0:
                    project = _money(rng, 1, 50)
                other = _money(rng, 0, 300) if rng.random() < 0.2 else ZERO
                lines.append((code7, f"{rng.choice(kuan_words)}{suffixes[x]}", basic, project, other))
                rows_used += 1
                if rows_used >= target_rows:
                    break
            if rows_used >= target_rows:
                break
    if not lines:
        code3, cname = next(c for c in classes if c[0] not in skipped)
        class_names[code3] = cname
        kuan_names[code3 + "01"] = words["兜底款名"]
        lines.append((code3 + "0101", words["兜底项名"], Decimal("100.00"), Decimal("50.00"), ZERO))
    return lines, class_names, kuan_names


def _economic_rows(rng: random.Random, words: dict, basic: Decimal) -> tuple[dict, list[dict]]:
    """基本支出明细: the groups' totals and the economic-classification rows under them."""
    groups = words["基本支出明细"]
    total_name = subjects()["分组合计"]
    totals: dict[str, Decimal] = {}
    rest = basic
    for name, group in groups.items():
        if "份额" in group:
            lo, hi = (float(x) for x in group["份额"])
            totals[name] = _scale(rng, basic, lo, hi)
        else:
            totals[name] = rest
        rest -= totals[name]
    econ = {str(k): v for k, v in subjects()["经济分类科目名"].items()}
    amounts: dict[str, tuple[list, Decimal]] = {}
    for name, group in groups.items():
        for code, part in zip(group["类"], _split(rng, totals[name], len(group["类"]))):
            amounts[str(code)] = (group["类"][code], part)
    rows: list[dict] = []
    for code, (items_codes, amount) in sorted(amounts.items()):
        if amount == 0:
            continue
        rows.append({"code": code, "name": econ[code], "amount": amount})
        items = [(str(c), econ[str(c)]) for c in items_codes]
        chosen = rng.sample(items, rng.randint(1, len(items)))
        for (kcode, kname), part in sorted(zip(chosen, _split(rng, amount, len(chosen)))):
            if part:
                rows.append({"code": kcode, "name": kname, "amount": part})
    return {total_name.format(组=name): v for name, v in totals.items()}, rows


def _three_public(rng: random.Random, words: dict) -> tuple[dict, dict] | None:
    """“三公”经费 (预算数, 决算数), or None when the department shows none."""
    if rng.random() >= 0.8:
        return None
    spec = words["三公经费"]
    kinds = {name: _maybe_money(rng, s) for name, s in spec["费用"].items()}
    car_name, car_kinds, total_name = spec["用车小计"], spec["用车各项"], spec["合计"]
    actual = {k: v for k, v in kinds.items() if v}
    car = sum((kinds[k] for k in car_kinds), ZERO)
    if car:
        actual[car_name] = car
    actual[total_name] = sum(kinds.values(), ZERO)
    budget = {k: _scale(rng, v, 1.0, 1.3) for k, v in actual.items() if k not in (total_name, car_name)}
    if any(k in budget for k in car_kinds):
        budget[car_name] = sum((budget.get(k, ZERO) for k in car_kinds), ZERO)
    budget[total_name] = sum((v for k, v in budget.items() if k != car_name), ZERO)
    return budget, actual


def _purchases(rng: random.Random, words: dict) -> dict:
    """政府采购 values (all None when the department shows none)."""
    none = {"buy_total": None, "buy_sme": None, "buy_small": None, "buy_kinds": {}}
    if rng.random() >= 0.7:
        return none
    kinds = words["政府采购品目"]
    amounts = {}
    for name, spec in kinds.items():
        p = float(spec["概率"])
        amounts[name] = _money(rng, 0, spec["上限"]) if p >= 1 or rng.random() < p else ZERO
    t = sum(amounts.values(), ZERO)
    if not t:
        return none
    sme_parts = {k: _scale(rng, v, 0.5, 1.0) for k, v in amounts.items()}
    sme = sum(sme_parts.values(), ZERO)
    spread: dict[str, Decimal] = {}
    for name, v in amounts.items():
        if v:
            spread[name] = v
            spread[words["品目中小企业"].format(品目=name)] = sme_parts[name]
    return {"buy_total": t, "buy_sme": sme, "buy_small": (sme * Decimal("0.8")).quantize(CENT), "buy_kinds": spread}


def department(seed: int, rows: int | None = None) -> dict:
    """A figures tree (as a figures file would hold) for one synthetic department."""
    words = synth_words()
    rng = random.Random(seed)
    year = rng.randint(2019, 2026)
    target_rows = rows if rows is not None else rng.randint(10, 200)
    lines, class_names, kuan_names = _subject_lines(rng, words, target_rows)

    sums: dict[str, list[Decimal]] = {}  # 类/款/项 code -> [basic, project, other] of the lines under it
    for ln in lines:
        for prefix in {ln[0][:3], ln[0][:5], ln[0]}:
            acc = sums.setdefault(prefix, [ZERO, ZERO, ZERO])
            for i in range(3):
                acc[i] += ln[2 + i]

    def agg(code: str, idx: int) -> Decimal:
        return sums[code][idx - 2] if code in sums else ZERO

    # the general budget pays 基本 + 项目; other money adds to 项目支出 in the 支出决算表
    codes = sorted(set(class_names) | set(kuan_names) | {ln[0] for ln in lines})
    names = {**class_names, **kuan_names, **{ln[0]: ln[1] for ln in lines}}
    rows_v = []
    for code in codes:
        b, p, o = agg(code, 2), agg(code, 3), agg(code, 4)
        rows_v.append({"code": code, "name": names[code], "all": b + p + o, "gp": b + p, "other": _or_none(o),
                       "basic": b, "project": p, "project_all": p + o})
    B = sum((ln[2] for ln in lines), ZERO)
    P = sum((ln[3] for ln in lines), ZERO)
    O = sum((ln[4] for ln in lines), ZERO)
    gp_total = B + P
    total = gp_total + O
    carry = _money(rng, 0, 200) if rng.random() < 0.5 else ZERO
    econ_totals, econ = _economic_rows(rng, words, B)
    public = list(econ_totals.values())[-1]
    class_totals = {class_names[c]: agg(c, 2) + agg(c, 3) + agg(c, 4) for c in class_names}
    gp_class = {class_names[c]: agg(c, 2) + agg(c, 3) for c in class_names}
    values: dict = {
        "dept": words["单位名"].format(seed=seed), "year": year, "unit": words["金额单位"],
        "gp_total": gp_total, "other": _or_none(O), "total": total, "carry": _or_none(carry),
        "grand": total + carry, "gp_grand": gp_total + carry, "basic": B, "project": P, "project_all": P + O,
        "class_totals": {k: v for k, v in class_totals.items() if v},
        "gp_class": {k: v for k, v in gp_class.items() if v},
        "rows": rows_v, "econ_totals": econ_totals, "econ": econ, "public": public,
    }
    sg = _three_public(rng, words)
    reception = sg[1].get(words["三公经费"]["接待"]) if sg else None
    values.update(sg_budget=sg and sg[0], sg_actual=sg and sg[1], reception=reception or None,
                  reception_batches=rng.randint(1, 40) if reception else None,
                  reception_people=rng.randint(5, 400) if reception else None)
    values.update(prior_total_in=_prior(rng, total), prior_grand=_prior(rng, total + carry),
                  prior_total_out=_prior(rng, total), prior_gp=_prior(rng, gp_total),
                  prior_gp_grand=_prior(rng, gp_total + carry), prior_gp_exp=_prior(rng, gp_total),
                  prior_sg_total=_prior(rng, sg[1][words["三公经费"]["合计"]]) if sg else None)
    item_budgets = {ln[0]: _prior(rng, ln[2] + ln[3]) for ln in lines if ln[2] + ln[3] and rng.random() < 0.8}
    values.update(item_budgets=item_budgets, budget_gp=sum(item_budgets.values(), ZERO) or gp_total,
                  budget_running=_prior(rng, public))
    values.update(_purchases(rng, words))
    cars = {k: rng.randint(0, int(n)) for k, n in words["车辆"].items()}
    values.update(asset_date=f"{year}-12-31", cars={k: v for k, v in cars.items() if v},
                  car_total=sum(cars.values()), big_equipment=rng.randint(0, 3))
    projects = []
    for ln in [ln for ln in lines if ln[3]][:8]:
        projects.append({"name": words["项目名称"].format(项名=ln[1]), "budget": _scale(rng, ln[3], 1.0, 1.5),
                         "spent": ln[3], "score": Decimal(str(rng.randint(80, 100)))})
    values.update(projects=projects or None, project_count=len(projects),
                  project_spent=sum((p["spent"] for p in projects), ZERO),
                  whole_budget=(total * Decimal("1.2")).quantize(CENT))
    return fill_layout(words["式样"], values)


# =====================================================================================
# Figures-tree → YAML (for synthetic departments)
# =====================================================================================
_PLAIN = re.compile(r"[\u3400-\u9fffA-Za-z_（）()“”‘’、·\u3000-\u303f\uff00-\uffef0-9-]+")
_RESOLVES = re.compile(r"[-+.0-9].*|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|<<|=")


def _yaml_str(s: str) -> str:
    """A plain scalar when that reads back as the same text, else a double-quoted one."""
    if _PLAIN.fullmatch(s) and not _RESOLVES.fullmatch(s):
        return s
    return json.dumps(s, ensure_ascii=False)


def _yaml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")  # exact: 1234.50 stays 1234.50
    if isinstance(v, int):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return _yaml_str(str(v))


def _yaml_flow(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_yaml_str(str(k))}: {_yaml_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_yaml_flow(x) for x in v) + "]"
    return _yaml_scalar(v)


def dump_figures_yaml(tree: dict, header: str | None = None) -> str:
    """A figures tree as block YAML: exact decimals, codes quoted, one 科目 row per line."""
    out: list[str] = [f"# {line}" for line in header.splitlines()] if header else []

    def emit(node, pad: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)) and v:
                    out.append(f"{pad}{_yaml_str(str(k))}:")
                    emit(v, pad + "  ")
                else:
                    out.append(f"{pad}{_yaml_str(str(k))}: {_yaml_flow(v)}")
        else:
            for v in node:
                out.append(f"{pad}- {_yaml_flow(v)}")

    emit(tree, "")
    return "\n".join(out) + "\n"


def mutate_numbers(text: str, slots, rng, count: int) -> str:
    """Change ``count`` printed amounts/percentages of a draft (for ``batch check`` tests)."""
    cands = [s for s in slots if s.kind in ("amount", "percent") and s.start >= 0 and any(c.isdigit() for c in s.text)]
    chosen = sorted(rng.sample(cands, min(count, len(cands))), key=lambda s: s.start, reverse=True)
    for s in chosen:
        old = text[s.start:s.end]
        digits = [i for i, c in enumerate(old) if c.isdigit()]
        i = digits[-1] if rng.random() < 0.5 or len(digits) < 2 else digits[rng.randrange(len(digits))]
        new = old[:i] + str((int(old[i]) + rng.randint(1, 8)) % 10) + old[i + 1:]
        text = text[:s.start] + new + text[s.end:]
    return text


def synth_one(out_dir: str, index: int, seed: int, rows: int | None, width: int,
              with_narrative: bool, mutations: int = 3) -> None:
    """Write one synthetic department (``deptNNNN.yaml``, and optionally ``deptNNNN.txt``)."""

    from narrator.figures.model import figures_from_tree
    from narrator.render.engine import render

    dseed = seed * 1_000_003 + index
    tree = department(dseed, rows)
    name = f"dept{index:0{width}d}"
    yaml_text = dump_figures_yaml(tree, header=f"narrator synth: seed {seed}, department {index} (department({dseed}))")
    write_atomic(Path(out_dir) / f"{name}.yaml", yaml_text)
    if with_narrative:
        fig = figures_from_tree(tree, f"{name}.yaml")
        draft = render(fig, "standard")
        rng = random.Random(dseed ^ 0x5EED)
        write_atomic(Path(out_dir) / f"{name}.txt", mutate_numbers(draft.text, draft.slots, rng, mutations))


def _synth_chunk(args) -> int:
    out_dir, indices, seed, rows, width, with_narrative = args
    for i in indices:
        synth_one(out_dir, i, seed, rows, width, with_narrative)
    return len(indices)


def synth_many(out_dir: Path, count: int, seed: int = 0, rows: int | None = None,
               with_narrative: bool = False, jobs: int | None = None,
               on_progress: Callable[[int], None] | None = None) -> None:
    """Write ``count`` synthetic departments under ``out_dir`` (reproducible from ``seed``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(count)))
    jobs = jobs or os.cpu_count() or 1
    chunks = [(str(out_dir), list(range(a, min(a + 50, count + 1))), seed, rows, width, with_narrative)
              for a in range(1, count + 1, 50)]
    done = 0
    if jobs == 1 or count <= 50:
        for c in chunks:
            done += _synth_chunk(c)
            if on_progress:
                on_progress(done)
        return
    import multiprocessing

    with multiprocessing.get_context().Pool(jobs, initializer=_ignore_sigint) as pool:
        for n in pool.imap_unordered(_synth_chunk, chunks):
            done += n
            if on_progress:
                on_progress(done)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
