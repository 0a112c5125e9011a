"""narrator batch, the machinery around the documents: chunking, one warm-up, flat memory.

The behaviour of a batch (outputs, summaries, skips, failures, Ctrl-C) is covered by
tests/batch/test_batch_run.py; these tests pin what the speed work changed: the pool gets guided chunks,
the parent warms up once for all workers, and a pool run gives the same outputs and rows
as an in-process run.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.batch import run as batch
from narrator.batch import worker
from narrator.batch.run import MAX_CHUNK, Options, _Run, run_batch
from narrator.batch.progress import Progress
from narrator.batch.synth import dump_figures_yaml, synth_many
from narrator.batch.synth import department


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """The machinery's tests read summary.csv by its English column names and match English
    errors (NARRATOR_LANG=en, inherited by workers and subprocesses); the Chinese default is
    checked in tests/cli/test_default_output_is_chinese.py."""
    monkeypatch.setenv("NARRATOR_LANG", "en")


def _run_for(total: int, jobs: int, chunk: int | None) -> _Run:
    return _Run(Options("generate", "/nonexistent"), Path("/nonexistent"), jobs, chunk,
                Progress(total, enabled=False), state=None)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 3000), jobs=st.integers(1, 8), chunk=st.one_of(st.none(), st.integers(1, 40)),
       skipped=st.sets(st.integers(1, 3000), max_size=50))
def test_chunks_cover_every_task_once_in_order(total, jobs, chunk, skipped):
    # tasks carry the input's seq; skipped inputs (up to date) leave gaps in it
    tasks = [{"seq": s} for s in range(1, total + 1) if s not in skipped]
    chunks = list(_run_for(total, jobs, chunk)._chunks(iter(tasks)))
    assert [t for c in chunks for t in c] == tasks
    assert all(c for c in chunks)
    if chunk:
        assert all(len(c) == chunk for c in chunks[:-1]) and len(chunks[-1]) <= chunk if chunks else True
    else:
        sizes = [len(c) for c in chunks]
        assert all(s <= MAX_CHUNK for s in sizes)
        # guided: never larger than what is left shared out over the workers, so they finish together
        assert all(a >= b for a, b in zip(sizes[:-2], sizes[1:-1])), sizes
        if total >= MAX_CHUNK * jobs * 8 and not skipped:
            assert sizes[0] == MAX_CHUNK and sizes[-1] <= 2


def _rows(out: Path) -> list[dict]:
    rows = list(csv.DictReader((out / "summary.csv").read_bytes().decode("utf-8-sig").splitlines()))
    for r in rows:
        r.pop("seconds")
    return rows


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith((".", "summary"))}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("fast2") / "in"
    synth_many(src, 45, seed=5, rows=None, with_narrative=True, jobs=1)
    (src / "sub").mkdir()
    (src / "sub" / "dept0001.yaml").write_text(dump_figures_yaml(department(42, rows=20)), encoding="utf-8")
    (src / "broken.yaml").write_text("单位: 坏文件\n年度: 2024\n收入支出决算总表: [\n", encoding="utf-8")
    (src / "broken.txt").write_bytes(b"")  # an empty disclosure fails
    return src


@pytest.mark.parametrize("command", ["generate", "check"])
def test_pool_run_equals_an_in_process_run(folder: Path, tmp_path: Path, command: str):
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = run_batch(command, [str(folder)], one, jobs=1, progress=False)
    r2 = run_batch(command, [str(folder)], two, jobs=2, progress=False)
    assert r1.exit_code == r2.exit_code == 1  # the broken inputs fail (and check finds the altered numbers)
    done = 46 if command == "generate" else 45  # the department in sub/ has no narrative
    assert r1.totals == r2.totals and r1.totals.documents == done + 1
    assert _rows(one)[:-1] == _rows(two)[:-1]  # every row, in input order (the total line holds the time)
    assert _outputs(one) == _outputs(two) and len(_outputs(one)) == done
    # a re-run skips everything done, through the pool as well
    r3 = run_batch(command, [str(folder)], two, jobs=2, progress=False)
    assert r3.totals.skipped == done and r3.totals.failed == 1


def test_one_job_over_many_inputs_runs_in_one_worker_with_the_same_result(folder: Path, tmp_path: Path,
                                                                          monkeypatch):
    inline, worker = tmp_path / "inline", tmp_path / "worker"
    r1 = run_batch("generate", [str(folder)], inline, jobs=1, progress=False)  # 47 inputs: in this process
    monkeypatch.setattr(batch, "INLINE_MAX", 10)

    def not_here(self, tasks):
        raise AssertionError("--jobs 1 over more than INLINE_MAX inputs must use a worker process")

    monkeypatch.setattr(batch._Run, "run_inline", not_here)
    r2 = run_batch("generate", [str(folder)], worker, jobs=1, progress=False)
    assert r1.totals == r2.totals and r2.totals.ok == 46
    assert _rows(inline)[:-1] == _rows(worker)[:-1]
    assert _outputs(inline) == _outputs(worker)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers share the warm-up only when forked")
def test_the_parent_warms_up_once_for_all_workers(folder: Path, tmp_path: Path, monkeypatch):
    log = tmp_path / "warm.log"
    real = worker._warm_up

    def logged(opts):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        real(opts)

    monkeypatch.setattr(worker, "_warm_up", logged)
    monkeypatch.setattr(worker, "_WARM", None)
    res = run_batch("generate", [str(folder)], tmp_path / "out", jobs=2, progress=False)
    assert res.totals.ok == 46
    assert log.read_text().split() == [str(os.getpid())]


def test_a_worker_warms_itself_for_other_options():
    # a worker started by spawn (or forked from a parent warm for something else) must not skip it
    calls = []
    real = worker._warm_up
    try:
        worker._warm_up = lambda opts: calls.append(opts.command)  # type: ignore[assignment]
        old = worker._WARM
        worker._WARM = ("generate", "standard")
        worker._init_worker(Options("check", "/x", pack="auto"))
        worker._init_worker(Options("generate", "/x", pack="standard"))
    finally:
        worker._warm_up = real
        worker._WARM = old
        import signal
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert calls == ["check"]


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers are recycled only when forked warm")
@pytest.mark.parametrize("command", ["generate", "check"])
def test_recycled_workers_give_the_same_run(folder: Path, tmp_path: Path, monkeypatch, command: str):
    # fresh workers every few documents (flat memory): every document still done once, same outputs
    log = tmp_path / "pids.log"
    real = worker.process

    def logged(item, opts):
        with open(log, "a") as f:
            f.write(f"{os.getpid()} {item['seq']}\n")
        return real(item, opts)

    one = tmp_path / "one"
    run_batch(command, [str(folder)], one, jobs=1, progress=False)
    monkeypatch.setattr(worker, "process", logged)
    monkeypatch.setattr(batch, "RECYCLE_EVERY", 3)
    monkeypatch.setattr(batch, "MAX_CHUNK", 2)
    two = tmp_path / "two"
    res = run_batch(command, [str(folder)], two, jobs=2, progress=False)
    pids = [line.split() for line in log.read_text().splitlines()]
    assert len({p for p, _ in pids}) >= 6  # several generations of workers
    assert sorted(int(s) for _, s in pids) == sorted({int(s) for _, s in pids})  # each document once
    assert res.totals.documents == len(pids)
    assert _rows(one)[:-1] == _rows(two)[:-1]
    assert _outputs(one) == _outputs(two)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="workers are recycled only when forked warm")
def test_a_dying_worker_among_recycled_pools_costs_one_document(folder: Path, tmp_path: Path, monkeypatch):
    real = worker.process

    def deadly(item, opts):
        if item["input"].endswith("dept0020.yaml"):
            os._exit(3)
        return real(item, opts)

    monkeypatch.setattr(worker, "process", deadly)
    monkeypatch.setattr(batch, "RECYCLE_EVERY", 4)
    out = tmp_path / "out"
    res = run_batch("generate", [str(folder)], out, jobs=2, progress=False)
    rows = {Path(r["input"]).name: r for r in _rows(out) if r["input"] != "(total)"}
    assert rows["dept0020.yaml"]["status"] == "failed" and "worker process died" in rows["dept0020.yaml"]["error"]
    assert res.totals.failed == 2 and res.totals.ok == 45  # and broken.yaml
    assert len(_outputs(out)) == 45
