"""An interrupted batch leaves no output that passes for current (issue 16).

Real subprocesses stopped with SIGTERM over an --out folder filled by an earlier, complete
run: the summary lists every input; an output on disk is either rewritten by this run or up
to date (``skipped``); an older one of an input this run did not reach is removed and its
row says ``interrupted``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 400  # enough that the run cannot end before the signal reaches it


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1", COLUMNS="200")


def _narrator(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], env=_env(),
                          capture_output=True, text=True, timeout=300)


def _batch(src: Path, out: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "narrator.cli", "batch", "generate", str(src), "--out", str(out),
                             "--jobs", "2", "--no-progress", *extra], env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _interrupt_after(proc: subprocess.Popen, out: Path, since: float, n: int) -> str:
    """SIGTERM once ``n`` outputs were written after ``since``; the run's stderr."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if sum(1 for p in out.glob("dept*.txt") if p.stat().st_mtime > since) >= n:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    return stderr


def _documents(out: Path) -> dict[str, dict]:
    js = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert js["interrupted"] is True
    return {Path(d["input"]).name: d for d in js["documents"]}


def test_an_interrupted_batch_leaves_no_stale_output_unlisted(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    r = _narrator("batch", "synth", src, "--count", TOTAL, "--rows", 30, "--jobs", 2)
    assert r.returncode == 0, r.stderr
    r = _narrator("batch", "generate", src, "--out", out, "--jobs", 2, "--no-progress")
    assert r.returncode == 0, r.stderr
    first = {p.name: p.read_bytes() for p in out.glob("dept*.txt")}
    assert len(first) == TOTAL

    # 1. --force over up-to-date outputs, interrupted: those not redone are current, kept and listed
    time.sleep(0.05)
    since = time.time()
    _interrupt_after(_batch(src, out, "--force"), out, since, 20)
    docs = _documents(out)
    assert len(docs) == TOTAL
    statuses = {d["status"] for d in docs.values()}
    assert statuses <= {"ok", "skipped"}, statuses
    assert sum(d["status"] == "ok" for d in docs.values()) >= 20
    assert {d["output"] for d in docs.values()} == set(first)  # every output listed, none removed
    assert {p.name: p.read_bytes() for p in out.glob("dept*.txt")} == first  # same inputs, same drafts

    # 2. every input changed (a new department name), interrupted: no old draft survives
    for p in src.glob("dept*.yaml"):
        text = p.read_text(encoding="utf-8")
        p.write_text(text.replace("单位: ", "单位: 新", 1), encoding="utf-8")
    time.sleep(0.05)
    since = time.time()
    stderr = _interrupt_after(_batch(src, out), out, since, 20)
    docs = _documents(out)
    assert len(docs) == TOTAL
    done = {name for name, d in docs.items() if d["status"] == "ok"}
    undone = {name for name, d in docs.items() if d["status"] == "interrupted"}
    assert done | undone == set(docs) and len(done) >= 20 and undone, stderr
    on_disk = {p.name for p in out.glob("dept*.txt")}
    assert on_disk == {docs[name]["output"] for name in done}  # exactly the rewritten ones
    for name in on_disk:
        assert (out / name).read_bytes() != first[name]  # each rewritten from the new input
    for name in undone:
        assert docs[name]["output"] == "" and "中断" in docs[name]["error"]
    total_row = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()[-1]
    assert f"中断未处理 {len(undone)}" in total_row and total_row.rstrip().split(",")[-2] == "已中断"
    assert f"中断未处理 {len(undone)}" in stderr.splitlines()[-1]

    # 3. the next run does the rest and redoes nothing it listed as done
    r = _narrator("batch", "generate", src, "--out", out, "--jobs", 2, "--no-progress")
    assert r.returncode == 0, r.stderr
    js = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert js["totals"]["skipped"] == len(done) and js["totals"]["ok"] == TOTAL
    assert js["totals"]["interrupted"] == 0
