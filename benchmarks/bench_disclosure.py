"""A whole disclosure as text, in-process and warm: ``pipeline.check_file`` of the sample
disclosure (samples/renshe-2024/disclosure.txt, its tables read, audited and its 情况说明 checked
against them) and the reading of its tables alone (``parse_tables``); median CPU time of N runs.

    python benchmarks/bench_disclosure.py [N]
    PYTHONPATH=/path/to/other/src python benchmarks/bench_disclosure.py [N]    # another checkout
    python benchmarks/bench_disclosure.py N --stages    # and check_file split by stage (median CPU
                                                        # of each stage's calls; wrapping adds ~1 %)
    python benchmarks/bench_disclosure.py R --against OTHER/src [--runs K]
        # R rounds of fresh processes alternating this checkout and OTHER (order swapped every
        # round), each timing K (default 7) warm check_file + parse_tables after 3 warm-ups:
        # median, lower quartile and least of all R*K runs per checkout. On a shared machine
        # one process's median swings by 25 % or more: compare checkouts in the same run only.
    python benchmarks/bench_disclosure.py N --instructions [--against OTHER/src]
        # instructions per warm check_file, counted by valgrind's cachegrind (N runs after 3
        # warm-ups, less the 3 warm-ups alone; PYTHONHASHSEED=0, a warmed cache folder of its
        # own per checkout): the same count run after run, whatever else the machine does

Target (issue 15): the whole disclosure ≤ 50 ms. The reader and the checker keep labels, lines,
amounts and name matches in bounded caches (they recur within a document and across a batch); the
second line gives the figures with those caches (narrator.core.caches) emptied before each run: a
document read for the first time.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT / "src"))


def median_cpu(fn, n: int) -> float:
    fn()
    ts = []
    for _ in range(n):
        t = time.process_time()
        fn()
        ts.append(time.process_time() - t)
    return statistics.median(ts)


def clear_text_caches() -> None:
    """Empty the caches keyed by what documents say (narrator.core.caches, as a batch worker does
    every few documents) so that a run reads the disclosure as if for the first time; the rule
    files' caches stay, as in any process after its first document."""
    from narrator.core.caches import clear_per_document

    clear_per_document()


# (module, function): the stages of check_file on a disclosure, as its modules call them
STAGES = [("narrator.pipeline", "load_text_or_document"), ("narrator.sources.disclosure", "split_disclosure"),
          ("narrator.sources.disclosure", "parse_tables"), ("narrator.figures.model", "figures_from_tree"),
          ("narrator.audit.engine", "audit_figures"), ("narrator.check.checker", "check_text"),
          ("narrator.check.checker", "simplified"), ("narrator.check.checker", "extract"),
          ("narrator.check.checker", "structure"), ("narrator.check.checker", "_choose_draft"),
          ("narrator.check.checker", "_against_draft"), ("narrator.check.checker", "lookup"),
          ("narrator.check.checker", "read_claims"), ("narrator.check.checker", "words_win"),
          ("narrator.check.checker", "relate")]


def stages(path: Path, n: int) -> dict[str, float]:
    """check_file's CPU time by stage: each stage function wrapped where its caller finds it."""
    import importlib
    from collections import defaultdict

    from narrator.pipeline import check_file

    spent: dict[str, float] = defaultdict(float)
    for mod_name, fn_name in STAGES:
        mod = importlib.import_module(mod_name)
        fn = getattr(mod, fn_name, None)
        if fn is None:
            continue

        def timed(*a, _fn=fn, _name=fn_name, **k):
            t = time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                spent[_name] += time.process_time() - t

        setattr(mod, fn_name, timed)
    runs: dict[str, list[float]] = defaultdict(list)
    for i in range(n + 2):
        spent.clear()
        t = time.process_time()
        check_file(path, None, "auto")
        if i >= 2:
            runs["check_file"].append(time.process_time() - t)
            for k, v in spent.items():
                runs[k].append(v)
    return {k: statistics.median(v) for k, v in runs.items()}


def _one_process(k: int) -> None:
    """(child of --against) k warm runs after 3 warm-ups, as JSON [check_file, parse_tables]."""
    import json

    from narrator.pipeline import check_file
    from narrator.sources.disclosure import parse_tables

    path = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
    text = path.read_text(encoding="utf-8")
    for _ in range(3):
        check_file(path, None, "auto")
    whole, tables = [], []
    for _ in range(k):
        t = time.process_time()
        check_file(path, None, "auto")
        whole.append(time.process_time() - t)
        t = time.process_time()
        parse_tables(text, str(path))
        tables.append(time.process_time() - t)
    print(json.dumps([whole, tables]))


def _check_file_runs(n: int) -> None:
    """(child of --instructions) 3 warm-ups, then n calls of check_file."""
    from narrator.pipeline import check_file

    path = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
    for _ in range(3 + n):
        check_file(path, None, "auto")


def instructions(n: int, other: str | None) -> None:
    import re
    import shutil
    import subprocess
    import tempfile

    srcs = {"this": str(ROOT / "src")} | ({"other": other} if other else {})
    for name, src in srcs.items():
        folder = tempfile.mkdtemp(prefix="narrator-bench-cache-")
        env = dict(os.environ, PYTHONPATH=src, NARRATOR_CACHE_DIR=folder, PYTHONHASHSEED="0")
        try:
            subprocess.run([sys.executable, __file__, "--check-file-runs", "0"], env=env, check=True)  # warm
            counts = []
            for k in (0, n):
                r = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                                    sys.executable, __file__, "--check-file-runs", str(k)],
                                   env=env, check=True, capture_output=True, text=True)
                counts.append(int(re.search(r"I\s+refs:\s+([\d,]+)", r.stderr).group(1).replace(",", "")))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"{name} ({src}): {(counts[1] - counts[0]) / n / 1e6:.1f} M instructions per warm check_file")


def against(rounds: int, other: str, k: int) -> None:
    import json
    import subprocess

    srcs = {"this": str(ROOT / "src"), "other": other}
    got: dict[str, tuple[list, list]] = {name: ([], []) for name in srcs}
    for r in range(rounds):
        for name in (("this", "other") if r % 2 else ("other", "this")):
            env = dict(os.environ, PYTHONPATH=srcs[name])
            out = subprocess.run([sys.executable, __file__, "--one-process", str(k)], env=env, check=True,
                                 capture_output=True, text=True).stdout
            whole, tables = json.loads(out.strip().splitlines()[-1])
            got[name][0].extend(whole)
            got[name][1].extend(tables)

    def show(ts: list[float]) -> str:
        ts = sorted(ts)
        return (f"median {statistics.median(ts) * 1000:.1f}, lower quartile {ts[len(ts) // 4] * 1000:.1f}, "
                f"least {ts[0] * 1000:.1f} ms")
    for name in ("other", "this"):
        print(f"{name} ({srcs[name]}), {len(got[name][0])} runs: check_file {show(got[name][0])}; "
              f"parse_tables {show(got[name][1])}")
    print(f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    if "--one-process" in sys.argv:
        _one_process(int(sys.argv[sys.argv.index("--one-process") + 1]))
        return
    if "--check-file-runs" in sys.argv:
        _check_file_runs(int(sys.argv[sys.argv.index("--check-file-runs") + 1]))
        return
    if len(sys.argv) > 1 and not sys.argv[1].isdigit():
        sys.exit(__doc__)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    if "--instructions" in sys.argv:
        instructions(n, sys.argv[sys.argv.index("--against") + 1] if "--against" in sys.argv else None)
        return
    if "--against" in sys.argv:
        k = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 7
        against(n, sys.argv[sys.argv.index("--against") + 1], k)
        return
    import narrator
    from narrator.pipeline import check_file
    from narrator.sources.disclosure import parse_tables

    path = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
    text = path.read_text(encoding="utf-8")
    whole = median_cpu(lambda: check_file(path, None, "auto"), n)
    tables = median_cpu(lambda: parse_tables(text, str(path)), n)
    fresh = median_cpu(lambda: (clear_text_caches(), check_file(path, None, "auto")), n)
    fresh_tables = median_cpu(lambda: (clear_text_caches(), parse_tables(text, str(path))), n)
    print(f"narrator from {Path(narrator.__file__).parent}")
    print(f"check_file(disclosure.txt): {whole * 1000:.1f} ms CPU; parse_tables alone {tables * 1000:.1f} ms "
          f"(median of {n}, warm); load average {os.getloadavg()[0]:.1f}")
    print(f"  with the per-document caches emptied before each run: check_file {fresh * 1000:.1f} ms, "
          f"parse_tables {fresh_tables * 1000:.1f} ms")
    if "--stages" in sys.argv:
        for name, t in stages(path, n).items():
            print(f"  {name:24s} {t * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
