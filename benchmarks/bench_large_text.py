"""Benchmark: is ``narrator check`` time linear in the text length? (issue 16)

    python benchmarks/bench_large_text.py [--max-kb 5120] [--figures samples/renshe-2024/figures.yaml]
                                          [--runs 5] [--whole-process] [--src OTHER_CHECKOUT/src]

Builds texts of 10 KB … 5 MB by repeating the sample narrative's paragraphs (so that they
read like 情况说明: sentences with amounts, changes, shares and codes, checked against the
sample's figures) and prints, per size, the median over ``--runs`` of one warm ``check_text``:
CPU seconds (``time.process_time``), wall seconds and CPU ms per KB. Flat ms/KB means linear
time. ``--whole-process`` also times ``python -m narrator.cli check TEXT --figures …`` of the
largest text as a subprocess (its CPU from ``os.wait4``: user + sys). ``--src`` measures
another checkout's code with this script (a baseline in the same run).
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
SAMPLE = ROOT / "samples" / "renshe-2024"
SIZES_KB = (10, 40, 160, 640, 2560, 5120)


def text_of(kb: int, unit: str) -> str:
    """About ``kb`` KB (UTF-8) of the sample narrative, repeated paragraph by paragraph."""
    paras = [p for p in unit.split("\n") if p.strip()]
    out, size, i = [], 0, 0
    while size < kb * 1024:
        p = paras[i % len(paras)] + "\n"
        out.append(p)
        size += len(p.encode("utf-8"))
        i += 1
    return "".join(out)


def whole_process(src: Path, text_path: Path, figures: str) -> tuple[float, float, int]:
    """(CPU s, wall s, exit code) of one ``narrator check`` of a file, in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(src))
    args = [sys.executable, "-m", "narrator.cli", "check", str(text_path)]
    args += ["--figures", figures] if figures else ["--no-figures"]
    t = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, wall, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-kb", type=int, default=5120)
    ap.add_argument("--figures", default=str(SAMPLE / "figures.yaml"), help="'' to check without figures")
    ap.add_argument("--runs", type=int, default=5, help="runs per size (the median is printed)")
    ap.add_argument("--whole-process", action="store_true", help="also `narrator check` of the largest text")
    ap.add_argument("--src", default=str(ROOT / "src"), help="the narrator package to measure")
    args = ap.parse_args()
    sys.path.insert(0, args.src)
    from narrator.check.checker import check_text
    from narrator.figures.load import load_figures

    fig = load_figures(args.figures) if args.figures else None
    unit = (SAMPLE / "narrative.txt").read_text(encoding="utf-8")
    check_text(text_of(10, unit), "<warm-up>", fig, "standard")
    print(f"{args.src}: median of {args.runs}")
    print(f"{'size':>8}  {'CPU s':>8}  {'wall s':>8}  {'CPU ms/KB':>9}")
    sizes = [s for s in SIZES_KB if s <= args.max_kb]
    for kb in sizes:
        text = text_of(kb, unit)
        real_kb = len(text.encode("utf-8")) / 1024
        cpu, wall = [], []
        for _ in range(args.runs):
            c, t = time.process_time(), time.perf_counter()
            check_text(text, "<bench>", fig, "standard")
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
        c, w = statistics.median(cpu), statistics.median(wall)
        print(f"{real_kb:>6.0f}KB  {c:>8.2f}  {w:>8.2f}  {c * 1000 / real_kb:>9.2f}", flush=True)
    if args.whole_process:
        kb = sizes[-1]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"large-{kb}kb.txt"
            path.write_text(text_of(kb, unit), encoding="utf-8")
            size_kb = path.stat().st_size / 1024
            runs = [whole_process(Path(args.src), path, args.figures) for _ in range(args.runs)]
        codes = sorted({r[2] for r in runs})
        print(f"narrator check of {size_kb:.0f} KB, whole process: "
              f"CPU {statistics.median(r[0] for r in runs):.2f} s, wall {statistics.median(r[1] for r in runs):.2f} s "
              f"(median of {len(runs)}; exit {codes})")


if __name__ == "__main__":
    main()
