"""Whole-process start-up and first-call cost: ``narrator --help`` and ``narrator check`` of the
sample narrative with its figures, median wall and CPU (user+sys) time of N runs.

    python benchmarks/bench_startup.py [N] [--before PYTHONPATH]

With ``--before``, each run is paired with one of another checkout (e.g. main exported with
``git archive main | tar -x -C /tmp/main-src``, and its dependencies in a --target folder:
``--before /tmp/ty29:/tmp/main-src/src``), interleaved so that both see the same machine load.
PYTHONDONTWRITEBYTECODE is dropped from the children's environment (set, every run would compile
narrator's sources: ~0.3 s).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CMDS = {"--help": ["--help"],
        "check": ["check", "samples/renshe-2024/narrative.txt", "--figures", "samples/renshe-2024/figures.yaml"]}


def main() -> None:
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 7
    # a user's installation has its .pyc files: without them every run compiles narrator's sources
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    envs = {"after": dict(base, PYTHONPATH=str(ROOT / "src"))}
    if "--before" in args:
        envs = {"before": dict(base, PYTHONPATH=args[args.index("--before") + 1]), **envs}
    wall = {(e, c): [] for e in envs for c in CMDS}
    cpu = {(e, c): [] for e in envs for c in CMDS}
    for e in envs:          # warm: .pyc files, the Jinja bytecode cache
        for c in CMDS:
            subprocess.run([sys.executable, "-m", "narrator.cli", *CMDS[c]], cwd=ROOT, env=envs[e],
                           capture_output=True)
    for _ in range(n):
        for c in CMDS:
            for e in envs:
                u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                r = subprocess.run([sys.executable, "-m", "narrator.cli", *CMDS[c]], cwd=ROOT, env=envs[e],
                                   capture_output=True)
                wall[(e, c)].append(time.perf_counter() - t)
                u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[(e, c)].append(u1.ru_utime - u0.ru_utime + u1.ru_stime - u0.ru_stime)
                assert r.returncode in (0, 1), r.stderr[-400:]
    for (e, c), ts in wall.items():
        print(f"{c:7} {e:7} wall median {statistics.median(ts):.3f} s (min {min(ts):.3f}, max {max(ts):.3f})"
              f"  cpu median {statistics.median(cpu[(e, c)]):.3f} s  n={len(ts)}")
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()), "cores", os.cpu_count())


if __name__ == "__main__":
    main()
