"""narrator batch never loses a user's file and stops cleanly (issue 16).

* ``--out`` must be new, empty or narrator's own (its ``.narrator-output`` marker) unless
  ``--force``; even then a file narrator did not write is never overwritten.
* SIGTERM stops a run like Ctrl-C; every complete output on disk is in the summary; a failed
  input's row names no output; workers die with their parent.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1", COLUMNS="200", NARRATOR_LANG="en")


def narrator(*args, cwd=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd, env=_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def one_line_error(r, *needles, code=2) -> str:
    assert r.returncode == code, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr[-3000:]
    assert lines[0].startswith("narrator: ") and "Traceback" not in r.stderr, lines[0]
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def summary_rows(out: Path) -> list[dict]:
    text = (out / "summary.csv").read_text(encoding="utf-8-sig")
    return [row for row in csv.DictReader(text.splitlines()) if row["input"] != "(total)"]


def _side_by_side(folder: Path) -> None:
    """The layout README documents for batch check: dept01.yaml next to dept01.txt."""
    folder.mkdir()
    (folder / "dept01.yaml").write_bytes((SAMPLE / "figures.yaml").read_bytes())
    (folder / "dept01.txt").write_bytes((SAMPLE / "narrative.txt").read_bytes())


# ---------------------------------------------------------------------------------------------
# --out is narrator's own folder; an input is never written over
# ---------------------------------------------------------------------------------------------
def test_batch_refuses_an_out_folder_it_did_not_write(tmp_path: Path):
    same = tmp_path / "same"
    _side_by_side(same)
    before = digest(same)
    r = narrator("batch", "generate", same, "--out", same, "--no-progress", cwd=tmp_path)
    one_line_error(r, str(same), "--force")
    assert digest(same) == before and sorted(p.name for p in same.iterdir()) == ["dept01.txt", "dept01.yaml"]


def test_batch_with_force_never_writes_over_a_users_file_and_goes_on(tmp_path: Path):
    same = tmp_path / "same"
    _side_by_side(same)
    (same / "dept02.yaml").write_bytes((SAMPLE / "figures.yaml").read_bytes())  # no dept02.txt beside it
    before = digest(same)
    r = narrator("batch", "generate", same, "--out", same, "--force", "--no-progress", "--jobs", "1", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    after = digest(same)
    assert all(after[name] == h for name, h in before.items())  # every input unchanged
    rows = {Path(row["input"]).name: row for row in summary_rows(same)}
    assert rows["dept01.yaml"]["status"] == "failed" and "not overwritten" in rows["dept01.yaml"]["error"]
    assert rows["dept01.yaml"]["output"] == ""  # a failed input's row names no output file
    assert rows["dept02.yaml"]["status"] == "ok" and (same / "dept02.txt").is_file()  # the run went on
    docs = {Path(d["input"]).name: d for d in json.loads((same / "summary.json").read_text("utf-8"))["documents"]}
    assert docs["dept01.yaml"]["output"] == ""
    assert (same / ".narrator-output").is_file()


def test_batch_reuses_its_own_out_folder_but_not_a_file_put_there(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "dept01.yaml").write_bytes((SAMPLE / "figures.yaml").read_bytes())
    out = tmp_path / "out"
    for _ in range(2):
        r = narrator("batch", "generate", src, "--out", out, "--no-progress", "--force", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    assert (out / ".narrator-output").is_file() and (out / "dept01.txt").is_file()
    # a person's file at the path of a new input's output, in narrator's own folder
    (src / "dept02.yaml").write_bytes((SAMPLE / "figures.yaml").read_bytes())
    (out / "dept02.txt").write_text("mine", encoding="utf-8")
    r = narrator("batch", "generate", src, "--out", out, "--no-progress", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert (out / "dept02.txt").read_text(encoding="utf-8") == "mine"
    rows = {Path(row["input"]).name: row for row in summary_rows(out)}
    assert rows["dept01.yaml"]["status"].startswith("skipped")
    assert rows["dept02.yaml"]["status"] == "failed" and "not overwritten" in rows["dept02.yaml"]["error"]


def test_an_out_folder_from_before_the_marker_is_still_narrators(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "dept01.yaml").write_bytes((SAMPLE / "figures.yaml").read_bytes())
    out = tmp_path / "out"
    assert narrator("batch", "generate", src, "--out", out, "--no-progress").returncode == 0
    (out / ".narrator-output").unlink()  # written by a narrator that had no marker: its state file is there
    r = narrator("batch", "generate", src, "--out", out, "--no-progress", "--force")
    assert r.returncode == 0, r.stderr
    r = narrator("batch", "generate", src, "--out", src / "dept01.yaml", "--no-progress")
    one_line_error(r, "not a folder")


# ---------------------------------------------------------------------------------------------
# SIGTERM, bookkeeping after an interrupt, workers die with their parent
# ---------------------------------------------------------------------------------------------
def _synth(folder: Path, count: int) -> None:
    r = narrator("batch", "synth", folder, "--count", count, "--rows", 30, "--jobs", 2)
    assert r.returncode == 0, r.stderr


def _start_batch(src: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "narrator.cli", "batch", "generate", str(src), "--out", str(out),
                             "--jobs", "3", "--no-progress"], env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _wait_for_outputs(proc: subprocess.Popen, out: Path, n: int) -> list[psutil.Process]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and len(list(out.glob("dept*.txt"))) >= n:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "no worker processes"
    return workers


def _all_gone(procs: list[psutil.Process], timeout: float = 10.0) -> list[psutil.Process]:
    _gone, alive = psutil.wait_procs(procs, timeout=timeout)
    return alive


def test_sigterm_stops_the_batch_like_ctrl_c(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    total = 600  # enough that the run cannot end before the signal reaches it
    _synth(src, total)
    proc = _start_batch(src, out)
    workers = _wait_for_outputs(proc, out, 20)
    proc.send_signal(signal.SIGTERM)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert not _all_gone(workers), "worker processes left behind"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]  # no partial file
    js = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert js["interrupted"] is True
    listed = {d["output"] for d in js["documents"] if d["output"]}
    on_disk = {p.name for p in out.glob("dept*.txt")}
    assert listed <= on_disk, sorted(listed - on_disk)[:5]     # every file listed exists
    assert on_disk <= listed, sorted(on_disk - listed)[:5]     # every complete output is listed
    assert 20 <= len(on_disk) < total
    assert all(d["status"] != "failed" for d in js["documents"])
    # the next run redoes nothing that is listed, and finishes the job
    r = narrator("batch", "generate", src, "--out", out, "--jobs", 3, "--no-progress")
    assert r.returncode == 0, r.stderr
    js = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert js["totals"]["skipped"] == len(listed) and js["totals"]["ok"] == total


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_workers_die_with_a_killed_parent(tmp_path: Path):
    src, out = tmp_path / "in", tmp_path / "out"
    _synth(src, 600)
    proc = _start_batch(src, out)
    workers = _wait_for_outputs(proc, out, 5)
    proc.kill()  # SIGKILL: no handler runs in the parent
    proc.communicate(timeout=30)
    alive = _all_gone(workers)
    for p in alive:
        p.kill()
    assert not alive, "workers outlived their parent"
