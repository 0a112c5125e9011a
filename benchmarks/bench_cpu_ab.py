"""CPU time per document of several checkouts, back to back: medians of alternating runs.

    python benchmarks/bench_cpu_ab.py [--runs 5] [--data DIR] CHECKOUT [CHECKOUT ...]

For each measure, each run starts one fresh process per checkout (``PYTHONPATH`` = its src/),
in turn, so that the machine's load changes fall on all of them alike; each figure is the
median over ``--runs`` of the CPU time (``time.process_time``) per call or per document:

* check / check0: ``check_text`` of the checkout's own sample narrative with / without its figures (40 calls);
* generate: ``load_figures`` + ``render`` of the sample (40 calls);
* load: ``load_figures`` of 100 synthetic departments;
* batch-check / batch-generate: ``process`` of the batch worker (load, audit, check or render,
  write) over 60 / 100 synthetic departments, warm (``narrator batch synth``: N = 400, seed 1,
  10–200 rows, the set bench_batch.py --n 400 writes; made under --data if missing).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURES = ("check", "check0", "generate", "load", "batch-check", "batch-generate")


def _one(kind: str, data: Path) -> float:
    """ms of CPU per call / document, in this process (its narrator is the one on sys.path)."""
    def cpu(fn, n):
        fn()
        t = time.process_time()
        for _ in range(n):
            fn()
        return (time.process_time() - t) / n * 1000

    import narrator
    from narrator.figures.load import load_figures

    sample = Path(narrator.__file__).resolve().parents[2] / "samples" / "renshe-2024"  # the checkout's own
    if kind in ("check", "check0", "generate"):
        from narrator.check.checker import check_text
        from narrator.render.engine import render
        text = (sample / "narrative.txt").read_text(encoding="utf-8")
        fig = load_figures(sample / "figures.yaml")
        fn = {"check": lambda: check_text(text, "n", fig), "check0": lambda: check_text(text, "n"),
              "generate": lambda: render(load_figures(sample / "figures.yaml"), "standard")}[kind]
        return cpu(fn, 40)
    if kind == "load":
        files = sorted(data.glob("*.yaml"))[:100]
        for f in files[:3]:
            load_figures(f)
        t = time.process_time()
        for f in files:
            load_figures(f)
        return (time.process_time() - t) / len(files) * 1000
    try:
        from narrator.batch.worker import Options, _warm_up, process
    except ImportError:                                     # before batch/worker.py (0216877)
        from narrator.batch.run import Options, _warm_up, process
    command = kind.split("-", 1)[1]
    suffix = ".yaml" if command == "generate" else ".txt"
    files = sorted(p for p in data.iterdir() if p.suffix == suffix)[:100 if command == "generate" else 60]
    out = Path(tempfile.mkdtemp(prefix="bench-cpu-ab-"))
    opts = Options(command, str(out), "text", "standard" if command == "generate" else "auto")
    _warm_up(opts)
    items = [{"seq": i, "input": str(p), "output": p.stem + ".out",
              "figures": str(p.with_suffix(".yaml")) if command == "check" else None} for i, p in enumerate(files)]
    for it in items[:3]:
        process(it, opts)
    t = time.process_time()
    for it in items:
        process(it, opts)
    return (time.process_time() - t) / len(items) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkouts", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--measures", default=",".join(MEASURES))
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "narrator-bench-batch")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    folder = a.data / "n400-s1-rx-t"
    if a.one:
        print(_one(a.one, folder))
        return
    if not (folder / ".complete").exists():
        sys.path.insert(0, str(ROOT / "src"))
        from narrator.batch.synth import synth_many
        synth_many(folder, 400, 1, None, with_narrative=True, jobs=os.cpu_count())
        (folder / ".complete").write_text("ok")
    print(f"$ python benchmarks/bench_cpu_ab.py --runs {a.runs} " + " ".join(map(str, a.checkouts)))
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for kind in a.measures.split(","):
        got: dict[Path, list[float]] = {c: [] for c in a.checkouts}
        for _ in range(a.runs):
            for c in a.checkouts:
                env = dict(os.environ, PYTHONPATH=str(c.resolve() / "src"))
                r = subprocess.run([sys.executable, __file__, "--one", kind, "--data", str(a.data), "x"], env=env,
                                   capture_output=True, text=True, check=True)
                got[c].append(float(r.stdout.split()[-1]))
        print(f"{kind:<15}" + "   ".join(f"{c}: {statistics.median(v):7.2f} ms" for c, v in got.items()), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
