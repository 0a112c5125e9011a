"""Benchmark: narrator generate vs bare Jinja2 on the same templates, in one run.

    python benchmarks/bench_generate.py [--n 300] [--pack standard]

narrator: render(figures, pack) — lazy views over the figures, rules evaluated on demand,
every printed number recorded as a slot, the text split into sections and sentences.
bare jinja2: the same template files rendered with a precomputed context (all metrics
evaluated beforehand, plain dicts) and trivial filters that only format numbers.
Also: load + validate of the figures file, and the whole single-document command path.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _timing import timeit  # noqa: E402

import jinja2  # noqa: E402

from narrator.figures.load import load_figures  # noqa: E402
from narrator.figures.metrics import load_rules  # noqa: E402
from narrator.core.numbers import fmt  # noqa: E402
from narrator.render.engine import load_pack, render, wording  # noqa: E402
from narrator.core.values import Missing, Q, is_missing  # noqa: E402
from narrator.figures.view import RowView, TableView, View, figures_view  # noqa: E402


def materialize(v):
    """Turn the lazy figures view into plain dicts/lists (the 'precomputed context')."""
    if isinstance(v, TableView):
        rows = [materialize(r) for r in v.rows()]
        d = {k: materialize(v[k]) for k in v.keys() if k != "科目"}
        d.update({"科目": rows, "类级": [r for r in rows if r["级次"] == "类"],
                  "款级": [r for r in rows if r["级次"] == "款"], "项级": [r for r in rows if r["级次"] == "项"]})
        if "合计" in v:
            d["合计"] = materialize(v["合计"])
        return d
    if isinstance(v, RowView):
        d = {k: v[k] for k in v._d}
        d.update({"级次": v["级次"], "类名称": v["类名称"], "款名称": v["款名称"]})
        return d
    if isinstance(v, View):
        return {k: materialize(v[k]) for k in v.keys()}
    if isinstance(v, list):
        return [materialize(x) for x in v]
    return v


def bare_env(pack):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in pack.dirs]),
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    num = lambda q, 精度=None, 绝对值=False, **_: (fmt(abs(q.value) if 绝对值 else q.value, 精度 if 精度 is not None else 2)  # noqa: E731
                                                if isinstance(q, Q) else "【缺数】")
    words = wording()["方向词"]
    env.filters.update({"金额": num, "百分比": num, "个数": lambda q, *_: num(q, 0), "得分": lambda q, *_: num(q, 1),
                        "年": str, "文": str, "中文数字": str})
    rules = load_rules()
    missing = lambda x: is_missing(x) or isinstance(x, jinja2.Undefined)  # noqa: E731
    env.globals.update({
        "金额连单位": lambda q, 精度=None: num(q, 精度) + "万元",
        "方向": lambda q, g="增减": words[g]["正" if q.value > 0 else "负" if q.value < 0 else "零"] if isinstance(q, Q) else "",
        "待填": lambda label: f"【待填：{label}】", "说明": lambda k, label=None: f"【待填：{label or k}】",
        "有说明": lambda k: False, "图": lambda k, c: f"图：{c}", "中文数字": str,
        "求和": lambda *a: sum((x for x in a if isinstance(x, Q)), Q(Decimal(0))), "为零": lambda q: missing(q) or q == 0,
        "缺数": missing})
    fix = lambda x: Missing("") if isinstance(x, jinja2.Undefined) else x  # noqa: E731
    for name in rules.functions:
        env.globals[name] = (lambda n: (lambda *a: rules.call(n, *map(fix, a))))(name)
    return env


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pack", default="standard")
    ap.add_argument("--figures", default=str(ROOT / "samples/renshe-2024/figures.yaml"))
    a = ap.parse_args()
    print(f"$ python benchmarks/bench_generate.py --n {a.n} --pack {a.pack}")
    fig = load_figures(a.figures)
    pack = load_pack(a.pack)
    rules = load_rules()
    view = figures_view(fig)
    ctx = {k: materialize(view[k]) for k in view.keys()}
    ctx.update({"指标": {name: rules.metric(name, view) for name in rules.metrics}, "单位": fig.data["单位"],
                "年度": fig.year, "上年度": fig.year - 1, "金额单位": fig.unit, "三公经费": materialize(view["三公经费"])})
    env = bare_env(pack)
    tmpls = [env.get_template(s["模板"]) for s in pack.sections]

    def bare():
        return "\n".join(t.render(ctx) for t in tmpls)

    ours = timeit(lambda: render(fig, pack), a.n)
    base = timeit(bare, a.n)
    load = timeit(lambda: load_figures(a.figures), max(10, a.n // 10))
    print(f"narrator render (sample, pack {a.pack}):  {ours * 1000:7.2f} ms/document")
    print(f"bare jinja2, precomputed context:        {base * 1000:7.2f} ms/document")
    print(f"ratio narrator / bare jinja2:            {ours / base:7.2f}x   (target ≤ 5x; target ≤ 5 ms/document)")
    print(f"load + validate figures.yaml:            {load * 1000:7.2f} ms/document")
    print(f"generate end to end (load + render):     {(load + ours) * 1000:7.2f} ms/document")


if __name__ == "__main__":
    main()
