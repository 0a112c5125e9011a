"""Each fast path against its reference, on the bundled sample and in batches: CPU time, median of runs.

    python benchmarks/bench_fast_paths.py [--runs 7] [--n 20] [--batch 30] [--data DIR]

For every fast path the same work is timed with the path on and with its reference, the two
alternating run by run (back to back, same process, caches warm); each figure is the median
over ``--runs`` of the CPU time (``time.process_time``) of ``--n`` calls. The switches used
are the ones the dispatchers read: ``core.fast.ENABLED`` (figures.load, audit.engine,
checker._align) and ``render.engine._FAST_JINJA``. The batch rows run ``batch.worker.process``
(load, audit, check or render, write) over ``--batch`` synthetic departments (``batch synth``:
200 功能分类 rows each, and 10–200), with only the alignment's or the Jinja switch flipped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.audit.engine import audit_figures  # noqa: E402
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


_ALIGN_ONLY = types.SimpleNamespace(ENABLED=True)


def _switch_align(on: bool) -> None:
    """The alignment's switch alone (core.fast.ENABLED also picks the figures loader and the audit)."""
    from narrator.check import checker

    checker.fast = _ALIGN_ONLY
    _ALIGN_ONLY.ENABLED = on


def _synth(data: Path, count: int, rows: int | None) -> Path:
    from narrator.batch.synth import synth_many

    folder = data / f"fast-paths-{count}-r{rows or 'x'}"
    if not (folder / ".complete").exists():
        synth_many(folder, count, 3, rows, with_narrative=True, jobs=1)
        (folder / ".complete").write_text("ok")
    return folder


def _batch(command: str, folder: Path):
    """One pass of ``batch.worker.process`` over the folder's documents (a warm worker)."""
    from narrator.batch.worker import Options, _warm_up, process

    out = Path(tempfile.mkdtemp(prefix="bench-fast-paths-"))
    opts = Options(command, str(out), "text", "standard" if command == "generate" else "auto")
    _warm_up(opts)
    suffix = ".yaml" if command == "generate" else ".txt"
    items = [{"seq": i, "input": str(p), "output": p.stem + ".out",
              "figures": str(p.with_suffix(".yaml")) if command == "check" else None}
             for i, p in enumerate(sorted(p for p in folder.iterdir() if p.suffix == suffix))]

    def run():
        for it in items:
            process(it, opts)
    return run, len(items)


def compare(name: str, switch, fn, runs: int, n: int, per: int = 1) -> tuple[float, float]:
    """Median CPU seconds of ``fn`` with the path on and off (divided by ``per``: a batch's documents)."""
    on, off = [], []
    for _ in range(runs):
        for state, out in ((True, on), (False, off)):
            switch(state)
            fn()                                  # warm after the switch
            out.append(_cpu(fn, n))
    switch(True)
    f, r = statistics.median(on) / per, statistics.median(off) / per
    print(f"{name:<46} fast {f * 1000:8.3f} ms   reference {r * 1000:8.3f} ms   {r / f:5.2f}x", flush=True)
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
    ap.add_argument("--batch", type=int, default=30, help="synthetic departments per batch row (0: none)")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "narrator-bench-batch")
    a = ap.parse_args()
    print(f"$ python benchmarks/bench_fast_paths.py --runs {a.runs} --n {a.n} --batch {a.batch}")
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
    compare("check (narrative, all of it)", _switch_align, lambda: check_text(narrative, "n", fig), a.runs, a.n)
    if a.batch:
        a.data.mkdir(parents=True, exist_ok=True)
        for rows in (200, None):
            folder = _synth(a.data, a.batch, rows)
            label = f"{rows} rows" if rows else "10-200 rows"
            for command, switch, what in (("check", _switch_align, "alignment"), ("check", _switch_jinja, "Jinja"),
                                          ("generate", _switch_jinja, "Jinja")):
                run, count = _batch(command, folder)
                compare(f"batch {command}, {label}, per doc ({what})", switch, run, a.runs, 1, count)


if __name__ == "__main__":
    main()
