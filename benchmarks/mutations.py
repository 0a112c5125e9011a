"""Mutation study: change one number or direction word in a generated draft, check it.

    python benchmarks/mutations.py [--n 2000] [--seed 1]

Each mutation changes one slot of a draft (an amount or percentage by a few units in its
last printed place, or a direction word to its opposite) and checks the mutated text
against the figures. Detected: an error whose span is exactly the changed text, with the
slot's value as expected. False alarm: any other error or warning in the report.
Drafts: the sample (both packs) and synthetic departments (narrator.batch.synth).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.check.checker import check_text  # noqa: E402
from narrator.figures.model import figures_from_tree  # noqa: E402
from narrator.figures.load import load_figures
from narrator.render.engine import render  # noqa: E402
from narrator.batch.synth import department  # noqa: E402


def mutate(d, rng):
    slots = [s for s in d.slots if (s.kind in ("amount", "percent") and s.value is not None)
             or (s.kind == "word" and s.words and s.value != 0)]
    s = rng.choice(slots)
    if s.kind == "word":
        new = s.words["负"] if s.value > 0 else s.words["正"]
    else:
        step = Decimal(1).scaleb(-s.places)
        v = Decimal(s.text) + step * rng.choice([1, 2, 3, 5, 9, 10, 37, 100, -1, -2, -7, -20])
        if v < 0:
            v = Decimal(s.text) + step
        new = f"{v:.{s.places}f}"
    return s, new, d.text[:s.start] + new + d.text[s.end:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(f"$ python benchmarks/mutations.py --n {a.n} --seed {a.seed}")
    rng = random.Random(a.seed)
    sample = load_figures(ROOT / "samples/renshe-2024/figures.yaml")
    cases = [(sample, p, render(sample, p)) for p in ("standard", "shanghai")]
    for k in range(20):
        fig = figures_from_tree(department(a.seed * 1000 + k, rows=rng.randint(10, 80)), f"synth-{k}")
        for p in ("standard", "shanghai"):
            cases.append((fig, p, render(fig, p)))
    stats = Counter()
    missed, alarms = [], []
    t0 = time.perf_counter()
    for i in range(a.n):
        fig, pack, d = cases[i % len(cases)]
        s, new, text = mutate(d, rng)
        r = check_text(text, "m", fig, pack)
        # an error at the changed span; or, for a number one unit below the exact value that
        # truncation gives, the truncated-not-rounded warning (the issue: a warning, not an error)
        hits = [f for f in r.findings if f.start == s.start and f.end == s.start + len(new)
                and (f.severity == "error" or f.code == "N106")]
        others = [f for f in r.findings if f.severity in ("error", "warning") and f not in hits
                  and not f.code.startswith("T")]
        kind = "word" if s.kind == "word" else s.kind
        stats[f"{kind}:total"] += 1
        if hits:
            stats[f"{kind}:detected"] += 1
        else:
            missed.append(f"{pack} {s.label} {s.text} → {new}")
        if others:
            stats["false_alarm_runs"] += 1
            alarms.append(f"{pack} {s.label} {s.text} → {new}: {others[0].render()}")
    dt = time.perf_counter() - t0
    total = sum(v for k, v in stats.items() if k.endswith(":total"))
    detected = sum(v for k, v in stats.items() if k.endswith(":detected"))
    print(f"mutations: {total} over {len(cases)} drafts ({dt / total * 1000:.1f} ms each)")
    for kind in ("amount", "percent", "word"):
        t, dd = stats[f"{kind}:total"], stats[f"{kind}:detected"]
        if t:
            print(f"  {kind:8s} {dd}/{t} detected at the changed span ({dd / t:.2%})")
    print(f"detection rate: {detected}/{total} = {detected / total:.2%}")
    print(f"runs with a false alarm (another error/warning): {stats['false_alarm_runs']}")
    for m in missed[:10]:
        print("  missed:", m)
    for m in alarms[:10]:
        print("  alarm: ", m)


if __name__ == "__main__":
    main()
