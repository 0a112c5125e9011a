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
from typing import Callable

from narrator.batch.files import write_atomic
from narrator.figures.model import subjects

CENT = Decimal("0.01")

_KUAN_NAMES = ["行政运行", "一般行政管理事务", "机关服务", "事业运行", "其他支出", "专项业务", "信息化建设",
               "执法办案", "宣传", "培训", "规划", "监测", "维护", "补助", "救助", "管理事务"]
_SUFFIX = ["事务", "项目", "专项", "工作"]
_PERSONNEL = [("30101", "基本工资"), ("30102", "津贴补贴"), ("30103", "奖金"), ("30107", "绩效工资"),
              ("30108", "机关事业单位基本养老保险缴费"), ("30109", "职业年金缴费"),
              ("30110", "职工基本医疗保险缴费"), ("30113", "住房公积金"), ("30199", "其他工资福利支出")]
_FAMILY = [("30302", "退休费"), ("30305", "生活补助"), ("30399", "其他对个人和家庭的补助")]
_GOODS = [("30201", "办公费"), ("30202", "印刷费"), ("30207", "邮电费"), ("30211", "差旅费"),
          ("30213", "维修（护）费"), ("30215", "会议费"), ("30216", "培训费"), ("30217", "公务接待费"),
          ("30228", "工会经费"), ("30229", "福利费"), ("30239", "其他交通费用"), ("30299", "其他商品和服务支出")]
_CAPITAL = [("31002", "办公设备购置"), ("31003", "专用设备购置"), ("31007", "信息网络及软件购置更新")]


def _money(rng: random.Random, lo: float, hi: float) -> Decimal:
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
        return v  # 持平
    return (v * Decimal(str(round(rng.uniform(0.6, 1.4), 3)))).quantize(CENT)


def department(seed: int, rows: int | None = None) -> dict:
    """A figures tree (as a figures file would hold) for one synthetic department."""
    rng = random.Random(seed)
    year = rng.randint(2019, 2026)
    target_rows = rows if rows is not None else rng.randint(10, 200)
    classes = list(subjects()["功能分类类名"].items())
    rng.shuffle(classes)
    lines: list[tuple[str, str, Decimal, Decimal, Decimal]] = []  # 项: code, name, 基本, 项目, 其他资金
    rows_used = 0
    class_names: dict[str, str] = {}
    kuan_names: dict[str, str] = {}
    for code3, cname in classes:
        if rows_used >= target_rows or code3 == "223":
            continue
        class_names[code3] = cname
        rows_used += 1
        for k in range(rng.randint(1, 4)):
            code5 = f"{code3}{k + 1:02d}"
            kuan_names[code5] = f"{cname[:-2]}{rng.choice(_KUAN_NAMES)}"
            rows_used += 1
            for x in range(rng.randint(1, 4)):
                code7 = f"{code5}{x + 1:02d}"
                basic = _money(rng, 0, 800) if rng.random() < 0.6 else Decimal("0.00")
                project = _money(rng, 0, 3000) if rng.random() < 0.7 else Decimal("0.00")
                if basic == 0 and project == 0:
                    project = _money(rng, 1, 50)
                other = _money(rng, 0, 300) if rng.random() < 0.2 else Decimal("0.00")
                lines.append((code7, f"{rng.choice(_KUAN_NAMES)}{_SUFFIX[x]}", basic, project, other))
                rows_used += 1
                if rows_used >= target_rows:
                    break
            if rows_used >= target_rows:
                break
    if not lines:
        code3, cname = classes[0] if classes[0][0] != "223" else classes[1]
        class_names[code3] = cname
        kuan_names[code3 + "01"] = "行政运行事务"
        lines.append((code3 + "0101", "行政运行", Decimal("100.00"), Decimal("50.00"), Decimal("0.00")))

    def agg(code: str, idx: int) -> Decimal:
        return sum((ln[idx] for ln in lines if ln[0].startswith(code)), Decimal("0.00"))

    # 一般公共预算财政拨款 pays 基本 + 项目; 其他资金 adds to 项目支出 in 支出决算表
    codes = sorted(set(class_names) | set(kuan_names) | {ln[0] for ln in lines})
    names = {**class_names, **kuan_names, **{ln[0]: ln[1] for ln in lines}}
    gp_rows, exp_rows, inc_rows = [], [], []
    for code in codes:
        b, p, o = agg(code, 2), agg(code, 3), agg(code, 4)
        gp_rows.append({"科目编码": code, "科目名称": names[code], "合计": b + p, "基本支出": b, "项目支出": p})
        exp_rows.append({"科目编码": code, "科目名称": names[code], "本年支出合计": b + p + o,
                         "基本支出": b, "项目支出": p + o})
        inc = {"科目编码": code, "科目名称": names[code], "本年收入合计": b + p + o, "财政拨款收入": b + p}
        if o:
            inc["其他收入"] = o
        inc_rows.append(inc)
    B = sum((ln[2] for ln in lines), Decimal("0.00"))
    P = sum((ln[3] for ln in lines), Decimal("0.00"))
    O = sum((ln[4] for ln in lines), Decimal("0.00"))
    gp_total = B + P
    total = gp_total + O
    carry = _money(rng, 0, 200) if rng.random() < 0.5 else Decimal("0.00")

    # 基本支出明细: 人员经费 (301, 303) and 公用经费 (302, 310)
    personnel = (B * Decimal(str(round(rng.uniform(0.6, 0.95), 2)))).quantize(CENT)
    public = B - personnel
    p301, p303 = _split(rng, personnel, 2)
    g302, g310 = _split(rng, public, 2)
    econ: list[dict] = []
    for cls, cname, amount, items in (("301", "工资福利支出", p301, _PERSONNEL),
                                      ("302", "商品和服务支出", g302, _GOODS),
                                      ("303", "对个人和家庭的补助", p303, _FAMILY),
                                      ("310", "资本性支出", g310, _CAPITAL)):
        if amount == 0:
            continue
        econ.append({"科目编码": cls, "科目名称": cname, "决算数": amount})
        chosen = rng.sample(items, rng.randint(1, len(items)))
        for (code, name), part in sorted(zip(chosen, _split(rng, amount, len(chosen)))):
            if part:
                econ.append({"科目编码": code, "科目名称": name, "决算数": part})

    class_totals = {class_names[c]: agg(c, 2) + agg(c, 3) + agg(c, 4) for c in class_names}
    gp_class = {class_names[c]: agg(c, 2) + agg(c, 3) for c in class_names}
    tree: dict = {
        "单位": f"合成部门{seed}",
        "年度": year,
        "金额单位": "万元",
        "收入支出决算总表": {
            "收入": {"一般公共预算财政拨款收入": gp_total, **({"其他收入": O} if O else {}),
                     "本年收入合计": total, **({"年初结转和结余": carry} if carry else {}),
                     "总计": total + carry},
            "支出": {**{k: v for k, v in class_totals.items() if v}, "本年支出合计": total,
                     **({"年末结转和结余": carry} if carry else {}), "总计": total + carry},
        },
        "收入决算表": {"合计": {"本年收入合计": total, "财政拨款收入": gp_total, **({"其他收入": O} if O else {})},
                       "科目": inc_rows},
        "支出决算表": {"合计": {"本年支出合计": total, "基本支出": B, "项目支出": P + O}, "科目": exp_rows},
        "财政拨款收入支出决算总表": {
            "收入": {"一般公共预算财政拨款": gp_total, "本年收入合计": gp_total,
                     **({"年初财政拨款结转和结余": {"小计": carry, "一般公共预算财政拨款": carry}} if carry else {}),
                     "总计": gp_total + carry},
            "支出": {**{k: {"小计": v, "一般公共预算财政拨款": v} for k, v in gp_class.items() if v},
                     "本年支出合计": {"小计": gp_total, "一般公共预算财政拨款": gp_total},
                     **({"年末财政拨款结转和结余": {"小计": carry, "一般公共预算财政拨款": carry}} if carry else {}),
                     "总计": {"小计": gp_total + carry, "一般公共预算财政拨款": gp_total + carry}},
        },
        "一般公共预算财政拨款支出决算表": {"合计": {"合计": gp_total, "基本支出": B, "项目支出": P},
                                         "科目": gp_rows},
        "一般公共预算财政拨款基本支出决算明细表": {"人员经费合计": personnel, "公用经费合计": public, "科目": econ},
    }
    # 三公
    if rng.random() < 0.8:
        kinds = {"因公出国（境）费": _money(rng, 0, 20) if rng.random() < 0.3 else Decimal("0.00"),
                 "公务用车购置费": _money(rng, 0, 30) if rng.random() < 0.2 else Decimal("0.00"),
                 "公务用车运行维护费": _money(rng, 0, 20) if rng.random() < 0.6 else Decimal("0.00"),
                 "公务接待费": _money(rng, 0, 5) if rng.random() < 0.8 else Decimal("0.00")}
        actual = {k: v for k, v in kinds.items() if v}
        car = kinds["公务用车购置费"] + kinds["公务用车运行维护费"]
        if car:
            actual["公务用车购置及运行维护费"] = car
        actual["合计"] = sum(kinds.values(), Decimal("0.00"))
        budget = {k: (v * Decimal(str(round(rng.uniform(1.0, 1.3), 2)))).quantize(CENT) for k, v in actual.items()
                  if k not in ("合计", "公务用车购置及运行维护费")}
        if "公务用车购置费" in budget or "公务用车运行维护费" in budget:
            budget["公务用车购置及运行维护费"] = budget.get("公务用车购置费", Decimal("0.00")) + budget.get(
                "公务用车运行维护费", Decimal("0.00"))
        budget["合计"] = sum((v for k, v in budget.items() if k != "公务用车购置及运行维护费"), Decimal("0.00"))
        tree["财政拨款“三公”经费支出决算表"] = {"预算数": budget, "决算数": actual}
        if actual.get("公务接待费"):
            tree["三公经费说明"] = {"国内公务接待批次": rng.randint(1, 40), "国内公务接待人次": rng.randint(5, 400),
                                  "国内公务接待支出": actual["公务接待费"]}
    # prior year, budgets, other data
    tree["上年"] = {
        "收入支出决算总表": {"收入": {"本年收入合计": _prior(rng, total), "总计": _prior(rng, total + carry)},
                             "支出": {"本年支出合计": _prior(rng, total)}},
        "财政拨款收入支出决算总表": {"收入": {"一般公共预算财政拨款": _prior(rng, gp_total),
                                               "总计": _prior(rng, gp_total + carry)}},
        "一般公共预算财政拨款支出决算表": {"合计": {"合计": _prior(rng, gp_total)}},
    }
    if "财政拨款“三公”经费支出决算表" in tree:
        tree["上年"]["财政拨款“三公”经费支出决算表"] = {
            "决算数": {"合计": _prior(rng, tree["财政拨款“三公”经费支出决算表"]["决算数"]["合计"])}}
    item_budgets = {ln[0]: _prior(rng, ln[2] + ln[3]) for ln in lines if ln[2] + ln[3] and rng.random() < 0.8}
    tree["年初预算"] = {"一般公共预算财政拨款支出": sum(item_budgets.values(), Decimal("0.00")) or gp_total,
                       "科目": item_budgets, "机关运行经费": _prior(rng, public)}
    tree["机关运行经费"] = {"决算数": public}
    if rng.random() < 0.7:
        goods, works, services = _money(rng, 0, 200), (_money(rng, 0, 500) if rng.random() < 0.3 else Decimal("0.00")), _money(rng, 0, 2000)
        t = goods + works + services
        if t:
            sme_parts = [(v * Decimal(str(round(rng.uniform(0.5, 1.0), 2)))).quantize(CENT) for v in (goods, works, services)]
            sme = sum(sme_parts, Decimal("0.00"))
            buy = {"政府采购支出总额": t, "授予中小企业合同金额": sme,
                   "授予小微企业合同金额": (sme * Decimal("0.8")).quantize(CENT)}
            for name, v, s in (("货物", goods, sme_parts[0]), ("工程", works, sme_parts[1]), ("服务", services, sme_parts[2])):
                if v:
                    buy[name] = v
                    buy[f"{name}授予中小企业合同金额"] = s
            tree["政府采购"] = buy
    cars = {"执法执勤用车": rng.randint(0, 5), "其他用车": rng.randint(0, 3)}
    tree["国有资产占用"] = {"截至日期": f"{year}-12-31", "车辆": {k: v for k, v in cars.items() if v},
                          "车辆合计": sum(cars.values()), "单价100万元以上设备": rng.randint(0, 3)}
    projects = []
    for i, ln in enumerate([ln for ln in lines if ln[3]][:8]):
        budget = (ln[3] * Decimal(str(round(rng.uniform(1.0, 1.5), 2)))).quantize(CENT)
        projects.append({"项目名称": f"{ln[1]}项目", "预算数": budget, "执行数": ln[3],
                         "自评得分": Decimal(str(rng.randint(80, 100)))})
    if projects:
        tree["预算绩效"] = {"项目自评": {"项目数": len(projects),
                                         "涉及资金": sum((p["执行数"] for p in projects), Decimal("0.00")),
                                         "项目": projects},
                           "整体支出": {"部门数": 1, "预算数": (total * Decimal("1.2")).quantize(CENT), "执行数": total}}
    return tree


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
