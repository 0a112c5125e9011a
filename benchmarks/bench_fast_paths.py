"""Each fast path against its reference, on the bundled sample: CPU time, median of runs.

    python benchmarks/bench_fast_paths.py [--runs 7] [--n 20]

For every fast path the same work is timed with the path on and with its reference, the two
alternating run by run (back to back, same process, caches warm); each figure is the median
over ``--runs`` of the CPU time (``time.process_time``) of ``--n`` calls. The switches used
are the ones the dispatchers read: ``core.fast.ENABLED`` (figures.load, audit.engine,
checker._align), ``render.engine._FAST_JINJA`` and ``check.extract._MEMO``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.audit.engine import audit_figures  # noqa: E402
from narrator.check import extract as E  # noqa: E402
from narrator.check.checker import check_text  # noqa: E402
from narrator.core import fast  # noqa: E402
from narrator.figures.load import load_figures  # noqa: E402
from narrator.render import engine as R  # noqa: E402

SAMPLE = ROOT / "samples" / "renshe-2024"


def _cpu(fn, n: int) -> float:
    t = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t) / n


def _switch_fast(on: bool) -> None:
    fast.ENABLED = on


def _switch_jinja(on: bool) -> None:
    R._FAST_JINJA = on
    R._environment.cache_clear()


def _switch_memo(on: bool) -> None:
    E._MEMO = on


def compare(name: str, switch, fn, runs: int, n: int) -> tuple[float, float]:
    on, off = [], []
    for _ in range(runs):
        for state, out in ((True, on), (False, off)):
            switch(state)
            fn()                                  # warm after the switch
            out.append(_cpu(fn, n))
    switch(True)
    f, r = statistics.median(on), statistics.median(off)
    print(f"{name:<34} fast {f * 1000:8.3f} ms   reference {r * 1000:8.3f} ms   {r / f:5.2f}x")
    return f, r


def _align_calls(text: str, fig) -> list[tuple]:
    """The inputs of every ``checker._align`` call of one check of ``text``."""
    from narrator.check import checker

    calls, real = [], checker._align

    def spy(hs, ds, ordered):
        calls.append((hs, ds, ordered))
        return real(hs, ds, ordered)

    checker._align = spy
    try:
        check_text(text, "spy", fig)
    finally:
        checker._align = real
    return calls


def _align_all(calls: list[tuple]):
    from narrator.check.checker import _align

    return lambda: [_align(hs, ds, ordered) for hs, ds, ordered in calls]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--n", type=int, default=20)
    a = ap.parse_args()
    print(f"$ python benchmarks/bench_fast_paths.py --runs {a.runs} --n {a.n}")
    fig_path = SAMPLE / "figures.yaml"
    fig = load_figures(fig_path)
    narrative = (SAMPLE / "narrative.txt").read_text(encoding="utf-8")
    disclosure = (SAMPLE / "disclosure.txt").read_text(encoding="utf-8")
    compare("figures loader (figures.yaml)", _switch_fast, lambda: load_figures(fig_path), a.runs, a.n)
    compare("render environment (standard)", _switch_jinja, lambda: R.render(fig, "standard"), a.runs, a.n)
    compare("table audit (sample)", _switch_fast, lambda: audit_figures(fig), a.runs, a.n)
    compare("alignment (narrative's sections)", _switch_fast, _align_all(_align_calls(narrative, fig)), a.runs, a.n)
    compare("alignment (disclosure's sections)", _switch_fast, _align_all(_align_calls(disclosure, fig)), a.runs, a.n)
    long_text = "\n".join([narrative] * 4)
    compare("alignment (narrative x4: long lists)", _switch_fast, _align_all(_align_calls(long_text, fig)), a.runs,
            max(1, a.n // 4))
    compare("check (narrative, all of it)", _switch_fast, lambda: check_text(narrative, "n", fig), a.runs, a.n)
    compare("extract memo (narrative)", _switch_memo, lambda: E.extract(narrative), a.runs, a.n)


if __name__ == "__main__":
    main()
