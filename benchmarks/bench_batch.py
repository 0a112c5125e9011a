"""Benchmark: narrator batch generate/check over thousands of synthetic departments.

    python benchmarks/bench_batch.py [--n 10000] [--small 1000] [--beyond 30000] [--jobs 1,2] [--commands generate,check]

Writes synthetic departments (``narrator batch synth``: figures YAML of 10–200 功能分类 rows,
plus the standard draft with 3 numbers altered, for check) once under --data, then for each
command, each size (--small and --n) and each --jobs runs the real command line

    python -m narrator.cli.batch COMMAND DATA/nN --out OUT --jobs J --force --no-progress

in a subprocess, and prints documents per second, the peak memory of the whole process tree
(parent + workers; RSS summed, and PSS when the kernel reports it, which counts pages shared
by the forked workers once), and the ratio of the batch time to single_doc_time × N, where
single_doc_time is the same single-document function (``narrator.batch.process``) run
in-process, warm, on 50 documents of the set. It also prints where a document's time goes.
--beyond runs larger sets with the largest --jobs only, to show that the peak levels off.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrator.batch.worker import Options, _warm_up, process  # noqa: E402
from narrator.batch.synth import synth_many

TARGETS = {"generate": 300.0, "check": 100.0}  # documents per second on the 2-core machine
MEM_TARGET_MB = 300.0


# -- memory of a process tree -------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak RSS (and PSS) of a process and all its descendants, sampled every ``every`` s."""

    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.workers: list[tuple[float, int]] = []  # (time, largest worker's RSS in KB): does it grow?
        self.stopped = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stopped.is_set():
            pids = _tree(self.pid)
            each = [_kb(f"/proc/{p}/status", "VmRSS:") for p in pids]
            rss = sum(each)
            self.workers.append((time.perf_counter(), max(each[1:] or each)))  # --jobs 1: the process itself
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_procs = max(self.peak_procs, len(pids))
            if n % 4 == 0:  # smaps_rollup costs more: every 4th sample
                pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
                self.peak_pss = max(self.peak_pss, pss)
            n += 1
            self.stopped.wait(self.every)


# -- runs ---------------------------------------------------------------------------------
def make_data(data: Path, n: int, seed: int, rows: int | None, narratives: bool) -> Path:
    folder = data / f"n{n}-s{seed}-r{rows or 'x'}{'-t' if narratives else ''}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    t = time.perf_counter()
    synth_many(folder, n, seed, rows, with_narrative=narratives, jobs=os.cpu_count())
    stamp.write_text("ok")
    print(f"  wrote {n} synthetic departments to {folder} in {time.perf_counter() - t:.1f} s", flush=True)
    return folder


def single_doc_time(command: str, folder: Path, sample: int = 50) -> tuple[float, float, dict]:
    """Mean warm in-process time of ``process`` over ``sample`` documents of the set; one file ×50; stages."""
    suffix = ".yaml" if command == "generate" else ".txt"
    files = sorted(p for p in folder.iterdir() if p.suffix == suffix)
    step = max(1, len(files) // sample)
    picked = files[::step][:sample]
    out = Path(tempfile.mkdtemp(prefix="bench-single-"))
    opts = Options(command, str(out), "text", "standard" if command == "generate" else "auto")
    _warm_up(opts)

    def item(p: Path, i: int) -> dict:
        figs = p.with_suffix(".yaml") if command == "check" else None
        return {"seq": i, "input": str(p), "output": p.stem + (".txt" if command == "generate" else ".check.txt"),
                "figures": str(figs) if figs else None}

    try:
        for i, p in enumerate(picked[:3]):
            process(item(p, i), opts)
        t = time.perf_counter()
        for i, p in enumerate(picked):
            row = process(item(p, i), opts)
            assert row["status"] != "failed", row
        mean = (time.perf_counter() - t) / len(picked)
        one = picked[len(picked) // 2]
        t = time.perf_counter()
        for i in range(50):
            process(item(one, i), opts)
        one_time = (time.perf_counter() - t) / 50
        stages = _stages(command, picked)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return mean, one_time, stages


def _stages(command: str, files: list[Path]) -> dict:
    """Where the time of one document goes (mean over ``files``), in ms."""
    from narrator.figures.load import load_figures
    from narrator.render.engine import render

    acc: dict[str, float] = {}

    def add(k: str, t0: float) -> float:
        t1 = time.perf_counter()
        acc[k] = acc.get(k, 0.0) + (t1 - t0)
        return t1

    for p in files:
        if command == "generate":
            t = time.perf_counter()
            fig = load_figures(p)
            t = add("load figures (YAML parse + validate)", t)
            draft = render(fig, "standard")
            t = add("render", t)
            _ = draft.text.encode("utf-8")
            add("format", t)
        else:
            from narrator.audit.engine import audit_figures
            from narrator.check.checker import check_text
            from narrator.core.textio import read_text

            t = time.perf_counter()
            text, _ = read_text(p)
            t = add("read text", t)
            fig = load_figures(p.with_suffix(".yaml"))
            t = add("load figures", t)
            audit = audit_figures(fig)
            t = add("table audit", t)
            res = check_text(text, str(p), fig, "auto", audit=audit)
            t = add("check_text (incl. regenerating the draft)", t)
            render(fig, "standard")
            add("  of which, about: render the draft", t)
            _ = res.summary
    return {k: v / len(files) * 1000 for k, v in acc.items()}


def run_batch_cli(command: str, folder: Path, jobs: int, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "narrator.cli.batch", command, str(folder), "--out", str(out), "--jobs", str(jobs),
           "--force", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = MemorySampler(proc.pid)
    mem.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t
    mem.stopped.set()
    mem.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({proc.returncode}): {err.decode()[-2000:]}")
    return {"seconds": elapsed, "rss_mb": mem.peak_rss / 1024, "pss_mb": mem.peak_pss / 1024,
            "procs": mem.peak_procs, "tail": err.decode().strip().splitlines()[-1],
            "worker_mb": _by_tenth(mem.workers)}


def _by_tenth(samples: list[tuple[float, int]]) -> list[float]:
    """The largest worker RSS (MB) in each tenth of the run: flat when memory does not grow with N."""
    if len(samples) < 10:
        return []
    t0, t1 = samples[0][0], samples[-1][0]
    tenths = [0] * 10
    for t, kb in samples:
        i = min(9, int((t - t0) / (t1 - t0 or 1) * 10))
        tenths[i] = max(tenths[i], kb)
    return [kb / 1024 for kb in tenths]


def _load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10000, help="documents in the large run")
    ap.add_argument("--small", type=int, default=1000, help="documents in the small run (memory must not grow)")
    ap.add_argument("--beyond", default="", help="comma-separated larger sizes, run with the largest --jobs only "
                    "(does the peak level off?)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    ap.add_argument("--commands", default="generate,check", help="generate,check")
    ap.add_argument("--large-commands", default=None,
                    help="commands to run at --n (default: all); the rest run at --small only")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rows", type=int, default=None, help="功能分类 rows per department (default: random 10–200)")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "narrator-bench-batch",
                    help="where the synthetic departments are kept (reused across runs)")
    a = ap.parse_args()
    print("$ " + " ".join(shlex.quote(x) for x in [sys.executable.rsplit("/", 1)[-1], *sys.argv]))
    print(f"machine: {os.cpu_count()} cores; {_load()}")
    commands = [c for c in a.commands.split(",") if c]
    large = commands if a.large_commands is None else [c for c in a.large_commands.split(",") if c]
    jobs_list = [int(j) for j in a.jobs.split(",")]
    beyond = sorted({int(x) for x in a.beyond.split(",") if x} - {a.small, a.n})
    sizes = sorted({a.small, a.n, *beyond})
    a.data.mkdir(parents=True, exist_ok=True)
    folders = {}
    for n in sizes:  # narratives (for check) only where check runs
        wants_text = "check" in commands and (n == sizes[0] or "check" in large)
        folders[n] = make_data(a.data, n, a.seed, a.rows, wants_text)
    results = []
    for command in commands:
        single, one, stages = single_doc_time(command, folders[sizes[0]])
        print(f"\n== batch {command} ==")
        print(f"single-document time, in-process, warm: {single * 1000:.1f} ms (mean of 50 documents); "
              f"one file ×50: {one * 1000:.1f} ms")
        for k, v in stages.items():
            print(f"   {k:<45} {v:7.1f} ms")
        for n in sizes:
            if n != sizes[0] and command not in large:
                continue
            for j in jobs_list:
                if n in beyond and j != max(jobs_list):
                    continue
                out = a.data / f"out-{command}-{n}-{j}"
                r = run_batch_cli(command, folders[n], j, out)
                rate = n / r["seconds"]
                ratio = r["seconds"] / (single * n)
                results.append((command, n, j, rate, r))
                print(f"N={n:>6}  jobs={j}  {r['seconds']:8.1f} s  {rate:7.1f} doc/s  "
                      f"peak RSS {r['rss_mb']:6.1f} MB (PSS {r['pss_mb']:6.1f} MB, {r['procs']} processes)  "
                      f"batch/(single×N) = {ratio:.2f}", flush=True)
                if r["worker_mb"]:
                    print("          largest worker RSS (MB) by tenth of the run: "
                          + " ".join(f"{x:.0f}" for x in r["worker_mb"]), flush=True)
                shutil.rmtree(out, ignore_errors=True)
    print("\n== against the targets ==")
    for command in commands:
        rs = [x for x in results if x[0] == command]
        best = max(x[3] for x in rs)
        tgt = TARGETS[command]
        print(f"{command}: best {best:.1f} doc/s (target ≥ {tgt:.0f}) {'OK' if best >= tgt else 'MISSED'}")
        peaks = {(n, j): r["rss_mb"] for c, n, j, _rate, r in rs}
        top = max(peaks.values())
        print(f"{command}: peak RSS {top:.1f} MB (target < {MEM_TARGET_MB:.0f}) {'OK' if top < MEM_TARGET_MB else 'MISSED'}"
              + "".join(f"; N={n} jobs={j}: {v:.1f} MB" for (n, j), v in sorted(peaks.items())))
        for j in jobs_list:
            by_n = sorted((n, v) for (n, jj), v in peaks.items() if jj == j)
            if len(by_n) > 1:
                lo = by_n[0][1]
                print(f"{command}: jobs={j}: peak RSS against N={by_n[0][0]}: "
                      + ", ".join(f"N={n} {v / lo:.3f}×" for n, v in by_n[1:]))
    print(f"machine after: {_load()}")


if __name__ == "__main__":
    main()
