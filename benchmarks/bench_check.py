"""Benchmark: narrator check of the sample narrative vs a bare regex scan, in one run.

    python benchmarks/bench_check.py [--n 100]

narrator check: extract every number, split sections/sentences, regenerate the draft from
the figures, align, compare, check the text against itself. The baseline is the cheapest
possible pass over the same text: one regex that finds the numbers.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _timing import timeit  # noqa: E402

from narrator.check.checker import check_text  # noqa: E402
from narrator.check.extract import extract  # noqa: E402
from narrator.figures.load import load_figures  # noqa: E402
from narrator.render.engine import render  # noqa: E402

NUM = re.compile(r"\d+(?:[.,]\s?\d+)*\s*(?:万元|元|%|个|人次)?")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    a = ap.parse_args()
    print(f"$ python benchmarks/bench_check.py --n {a.n}")
    text = (ROOT / "samples/renshe-2024/narrative.txt").read_text(encoding="utf-8")
    fig = load_figures(ROOT / "samples/renshe-2024/figures.yaml")
    full = timeit(lambda: check_text(text, "n", fig), a.n)
    alone = timeit(lambda: check_text(text, "n"), a.n)
    rx = timeit(lambda: len(NUM.findall(text)), a.n * 10)
    ext = timeit(lambda: extract(text), a.n)
    rend = timeit(lambda: render(fig, "standard"), a.n)
    print(f"text: {len(text)} characters, {len(extract(text))} numbers")
    print(f"narrator check --figures (sample):   {full * 1000:7.2f} ms/document   (target < 20 ms)")
    print(f"  of which: regenerate the draft     {rend * 1000:7.2f} ms")
    print(f"  of which: extract the numbers      {ext * 1000:7.2f} ms")
    print(f"narrator check, no figures:          {alone * 1000:7.2f} ms/document")
    print(f"bare regex scan of the same text:    {rx * 1000:7.3f} ms/document")
    print(f"ratio check / bare regex:            {full / rx:7.0f}x")


if __name__ == "__main__":
    main()
