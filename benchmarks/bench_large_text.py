"""Benchmark: is ``narrator check`` time linear in the text length? (issue 16)

    python benchmarks/bench_large_text.py [--max-kb 5120] [--figures samples/renshe-2024/figures.yaml]

Builds texts of 10 KB … 5 MB by repeating the sample narrative's paragraphs (so that they
read like 情况说明: sentences with amounts, changes, shares and codes, checked against the
sample's figures) and prints, per size, the seconds of one warm ``check_text`` and the ms per
KB. Flat ms/KB means linear time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.check.checker import check_text  # noqa: E402
from narrator.figures.load import load_figures  # noqa: E402

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-kb", type=int, default=5120)
    ap.add_argument("--figures", default=str(SAMPLE / "figures.yaml"), help="'' to check without figures")
    args = ap.parse_args()
    fig = load_figures(args.figures) if args.figures else None
    unit = (SAMPLE / "narrative.txt").read_text(encoding="utf-8")
    check_text(text_of(10, unit), "<warm-up>", fig, "standard")
    print(f"{'size':>8}  {'seconds':>8}  {'ms/KB':>7}")
    for kb in (s for s in SIZES_KB if s <= args.max_kb):
        text = text_of(kb, unit)
        real_kb = len(text.encode("utf-8")) / 1024
        t = time.perf_counter()
        check_text(text, "<bench>", fig, "standard")
        sec = time.perf_counter() - t
        print(f"{real_kb:>6.0f}KB  {sec:>8.2f}  {sec * 1000 / real_kb:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
