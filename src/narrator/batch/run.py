"""Batch mode: generate, check or validate a whole folder of departments in parallel.

``narrator batch generate|check|validate SOURCE… --out DIR`` runs the single-document
command over every input, one output per input under ``--out`` (mirroring the input's
path relative to the SOURCE folder it came from), and writes ``summary.csv`` and
``summary.json``. Design:

* **Streamed.** Inputs are walked lazily; at most ``jobs × 2`` chunks (≤ 16 documents) are in flight;
  each worker writes its output itself and hands back one small row (status, counts by
  severity, top 3 findings, error). The parent appends rows to an SQLite file under
  ``--out`` and assembles both summaries from it at the end, in input order, by streaming.
  Memory does not grow with the number of documents. A worker empties every cache keyed
  by document content (narrator.core.caches) and collects the few reference cycles documents
  leave every 100 documents, so it levels off within the first few hundred. With one
  SOURCE folder the parent holds one directory listing at a time (~20 bytes a file) and
  the output names of one group of inputs that could collide; with several SOURCEs or
  globs it keeps one path per document (~0.3 KB) to run an input named twice once and to
  keep two inputs from writing the same output. Workers are still replaced every
  RECYCLE_EVERY documents, a guard against what libraries may keep (PDF and Word readers).
* **Robust.** An input that fails (broken YAML, empty file, undecodable bytes, a template
  error, even an internal error) becomes a ``failed`` row with its one-line error; the run
  goes on. A worker process that dies is replaced; the documents it held are rerun one at
  a time, alone, and the one that kills a worker when alone is recorded as failed.
* **Incremental.** An input is skipped when its output exists, is newer than the input,
  the figures it was checked against, every file under templates/, rules/ and the pack
  folder, and the previous run recorded it with the same options (the state lives in
  ``--out/.narrator-batch.sqlite``). A skipped document appears in the summary as
  ``skipped`` with the counts recorded when it was done. ``--force`` redoes everything.
  The output of an input that now fails is removed, so the outputs match the summary.
* **Interruptible.** Workers ignore SIGINT; on Ctrl-C or SIGTERM the parent cancels pending
  work, lets running documents finish (or terminates them after a grace period), removes any
  leftover ``.*.tmp`` under ``--out``, writes the summary of what was done (marked
  ``interrupted``) and exits 130. Every file is written to a temporary name and renamed,
  so no half-written output can exist. The summary of an interrupted run still lists every
  input: those not done are ``interrupted`` rows, and an output at their path that is not
  up to date (left by an earlier run, or written by this one with its row lost with a
  terminated worker) is removed, so that no file under ``--out`` passes for current when
  it is not; an up-to-date one is kept and listed as ``skipped``. On Linux workers die with the
  parent (PR_SET_PDEATHSIG), even when it is killed outright. Run one batch per ``--out`` at a time.
* **Safe outputs.** ``--out`` must be new, empty or narrator's own (its ``.narrator-output``
  marker, written in every ``--out`` it uses), unless ``--force``; an existing file that
  narrator did not write there (an input beside its output) is never overwritten: that
  input fails with "not overwritten" and the run goes on. A failed input's row names no output.
* **Fast.** The parent warms up once (packs, rules, every template compiled by rendering a
  tiny department) and then forks the workers, which share that state and only load, render
  or check. Outputs are renamed into place
  without a per-file fsync (2–3 ms each on this disk); one ``os.sync()`` at the end of the
  run makes it durable.

Exit codes: 0 every document fine (or skipped and fine before); 1 any document had an
error-severity finding or failed; 2 nothing could run (no inputs, bad options, or every
input failed); 130 interrupted.

Figures for ``batch check`` (the first that exists wins): ``--figures-dir DIR`` holding
``DIR/<relative folder>/<stem>.{yaml,yml,json,xlsx}`` or ``DIR/<stem>.…``; then a sibling
``<stem>.figures.{yaml,yml,json}`` or ``<stem>.{yaml,yml,json,xlsx}`` next to the text;
otherwise none: a whole disclosure is checked against its own tables, a bare narrative
against itself (``--no-figures`` forces that)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import multiprocessing
import os
import signal
import sqlite3
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, TextIO

from narrator.batch.files import sweep_tmp, write_atomic
from narrator.batch.plan import (
    COMMANDS, FORMATS, Item, _has_magic, count_inputs, find_figures, iter_sources, output_suffix,
)
from narrator.batch import worker
from narrator.batch.progress import Progress
from narrator.batch.worker import Options
from narrator.batch.state import (
    MARKER_FILE, STATE_FILE, State, marker_text, Totals, write_index_html, write_summary,
)
from narrator.core.errors import UsageError
from narrator.core.messages import msg


RECYCLE_EVERY = 2_000  # documents per worker before it is replaced by a fresh fork (a guard; see _Run._recycle_due)
# --jobs 1 runs in this process up to this many inputs; above, in one forked worker, so that
# it is renewed like the others and the planning, state and summary here run beside it on
# another core
INLINE_MAX = 50
MAX_CHUNK = 16  # documents per chunk sent to a worker (fewer round trips; see _Run._chunks)



# =====================================================================================
# The run
# =====================================================================================
def resources_mtime(pack: str) -> float:
    """Newest mtime under templates/, rules/ and a user pack folder: outputs older than it are redone."""
    from narrator.core.resources import rules_dir, templates_dir

    newest = 0.0
    roots = [templates_dir(), rules_dir()]
    if pack != "auto" and Path(pack).is_dir():
        roots.append(Path(pack))
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                with contextlib.suppress(OSError):
                    newest = max(newest, os.stat(os.path.join(dirpath, f)).st_mtime)
    return newest


@dataclass
class RunResult:
    totals: Totals
    exit_code: int
    interrupted: bool = False
    summary: dict = field(default_factory=dict)


def _mtime(p: str | Path | None) -> float:
    if not p:
        return 0.0
    try:
        return os.stat(p).st_mtime
    except OSError:
        return 0.0


def _plan(sources, opts: Options, out_dir: Path, figures_dir: Path | None) -> Iterator[Item]:
    """Every input as an Item with its output name and (for check) its figures, lazily.

    With one SOURCE folder, two outputs can only collide (x.yaml and x.json → x.txt) when
    their inputs share a directory and the part of their names before the first "." (an
    output is the input's stem or name plus a suffix that starts with "."). The walk gives
    a directory's files in sorted order, where the names starting with "x." are next to one
    another, so only the current such group is remembered: the parent keeps nothing per
    document however large the folder. With several SOURCEs or globs it keeps one path per
    document (to run an input named twice once, and to keep two inputs from writing the
    same output).
    """
    suffix = output_suffix(opts.command, opts.fmt)
    local = len(sources) == 1 and not _has_magic(sources[0]) and Path(sources[0]).is_dir()
    taken: set[str] = set()
    seen_inputs: set[str] = set()
    current_group = None
    seq = 0
    for path, rel in iter_sources(sources, opts.command, out_dir):
        if rel is None:
            seq += 1
            yield Item(seq, path, Path(path).name, error=msg("batch.no_such_input", path=path))
            continue
        relp = Path(rel)
        if local:
            group = (relp.parent, relp.name.partition(".")[0])
            if group != current_group:
                current_group = group
                taken.clear()
        else:
            key = os.path.realpath(path)
            if key in seen_inputs:
                continue  # named twice (a folder and a glob): done once
            seen_inputs.add(key)
        seq += 1
        stem = relp.name[: -len(relp.suffix)] if relp.suffix else relp.name
        out = (relp.parent / (stem + suffix)).as_posix()
        if out in taken:
            out = (relp.parent / (relp.name + suffix)).as_posix()  # x.json and x.yaml → x.txt, x.yaml.txt
        if out in taken:
            yield Item(seq, path, rel, error=msg("batch.output_clash", path=path, output=out))
            continue
        taken.add(out)
        figs = None
        if opts.command == "check" and not opts.no_figures:
            f = find_figures(Path(path), rel, figures_dir)
            figs = str(f) if f is not None else None
        yield Item(seq, path, rel, output=out, figures=figs)


def _failed_row(seq: int, input: str, output: str, error: str, figures: str | None = None) -> dict:
    return {"seq": seq, "input": input, "output": output, "figures": figures or "", "status": "failed",
            "errors": None, "warnings": None, "info": None, "numbers": None, "confirmed": None,
            "unverifiable": None, "placeholders": None, "top": [], "error": error, "seconds": 0}


def _interrupted_row(seq: int, input: str, figures: str | None, removed: bool) -> dict:
    note = msg("batch.interrupted_row") + (msg("batch.interrupted_removed") if removed else "")
    return {**_failed_row(seq, input, "", note, figures), "status": "interrupted"}


class _Run:
    """One batch run: the parent's loop, the pool, the state and the progress line."""

    def __init__(self, opts: Options, out_dir: Path, jobs: int, chunk: int | None, progress: Progress, state: State):
        self.opts = opts
        self.out_dir = out_dir
        self.jobs = jobs
        self.chunk = chunk
        self.progress = progress
        self.state = state
        self.sigs: dict[int, tuple[str, str]] = {}  # seq → (options signature, output) of tasks handed out, no row yet
        self.ex: ProcessPoolExecutor | None = None
        self.given = 0                        # documents handed to the current pool
        self.inflight: dict = {}              # future → list of task dicts
        self.suspects: list[dict] = []        # tasks whose worker died: rerun alone, once
        self.stop_event = None                # set on Ctrl-C / SIGTERM (workers end their chunk)
        self._critical = 0                    # > 0 while rows are being recorded (see interrupts)
        self._stop_pending = False            # an interrupt arrived inside a critical section

    # -- interrupts ------------------------------------------------------------------
    @contextlib.contextmanager
    def critical(self):
        """Ctrl-C or SIGTERM arriving here is acted on at the end: a row is never half recorded
        (a finished document's output on disk always has its row in the state)."""
        self._critical += 1
        try:
            yield
        finally:
            self._critical -= 1
        if not self._critical and self._stop_pending:
            self._stop_pending = False
            raise KeyboardInterrupt

    def on_signal(self, signum, frame) -> None:  # noqa: ARG002
        if self._critical:
            self._stop_pending = True
        else:
            raise KeyboardInterrupt

    # -- rows ----------------------------------------------------------------------
    def handle(self, row: dict, sig: str | None = None) -> None:
        with self.critical():
            self.state.record(row, sig)
            self.progress.update(row)

    def tasks(self, plan: Iterator[Item], stamp: float, force: bool) -> Iterator[dict]:
        """Record skipped and unusable inputs at once; yield the rest as task dicts."""
        for it in plan:
            if it.error:
                self.handle(_failed_row(it.seq, it.input, it.output, it.error))
                continue
            sig = self.opts.signature(it.figures)
            out_path = self.out_dir / it.output
            if os.path.lexists(out_path) and (not self.state.owns(it.output)
                                              or _same_file(out_path, it.input) or _same_file(out_path, it.figures)):
                # never write over a file narrator did not write (an input beside its output …)
                self.handle(_failed_row(it.seq, it.input, "", msg("batch.not_overwritten", path=it.input,
                                                                   output=out_path), it.figures))
                continue
            if not force:
                row = self._up_to_date(it, sig, stamp)
                if row is not None:
                    self.handle(row)
                    continue
            with self.critical():
                self.state.claim(it.output)
                self.sigs[it.seq] = (sig, it.output)
            yield {"seq": it.seq, "input": it.input, "output": it.output, "figures": it.figures}

    def _up_to_date(self, it: Item, sig: str, stamp: float) -> dict | None:
        """The skipped row of an input whose output is newer than the input, its figures and
        the resources, and was done with the same options; None when it must be redone."""
        out_m = _mtime(self.out_dir / it.output)
        if out_m and out_m > max(_mtime(it.input), stamp, _mtime(it.figures)):
            prev = self.state.previous(it.output, it.input, sig)
            if prev is not None:
                return {**prev, "seq": it.seq, "status": "skipped",
                        "previous_status": prev.get("previous_status") or prev["status"], "seconds": 0}
        return None

    def settle_unfinished(self, plan: Iterator[Item], stamp: float) -> None:
        """After an interrupt and ``stop`` (no worker left to write): every input of the run
        that has no row gets one, so that the summary lists every input and no output on disk
        can be taken for current when it is not.

        * an output already up to date (the skip rules, even under --force) is kept: "skipped";
        * any other output of narrator's own at its path — left by an earlier run from an older
          input, template or option — is removed, and the row says "interrupted" (not done; the
          next run does it);
        * a file narrator did not write is never touched.
        The rows go to the summary, not to the progress line (the run is over).
        """
        self.sigs.clear()
        for it in plan:
            if self.state.recorded(it.seq):
                continue
            if it.error:
                self.state.record(_failed_row(it.seq, it.input, it.output, it.error), None)
                continue
            out_path = self.out_dir / it.output
            removed = False
            if (os.path.lexists(out_path) and self.state.owns(it.output)
                    and not _same_file(out_path, it.input) and not _same_file(out_path, it.figures)):
                # up to date by the skip rules: an earlier run's output, or this run's whose row was
                # lost (written whole, by an atomic rename, from the same input and options)
                row = self._up_to_date(it, self.opts.signature(it.figures), stamp)
                if row is not None:
                    self.state.record(row, None)
                    continue
                with contextlib.suppress(OSError):
                    out_path.unlink()
                    removed = True
            self.state.record(_interrupted_row(it.seq, it.input, it.figures, removed), None)

    def finish_row(self, row: dict) -> None:
        with self.critical():
            sig = self.sigs.get(row["seq"])
            self.handle(row, sig[0] if sig else None)
            self.sigs.pop(row["seq"], None)

    # -- in this process (--jobs 1) -----------------------------------------------
    def run_inline(self, tasks: Iterator[dict]) -> None:
        worker._warm_up(self.opts)
        for t in tasks:
            self.state.commit_claims()
            self.finish_row(worker.process(t, self.opts))
            worker._after_document()

    # -- in a pool of processes ----------------------------------------------------
    def _new_pool(self) -> None:
        ctx = multiprocessing.get_context()
        if self.stop_event is None:
            self.stop_event = ctx.Event()
        parent = os.getpid() if ctx.get_start_method() == "fork" else None  # a forked worker's parent is us
        self.ex = ProcessPoolExecutor(max_workers=self.jobs, initializer=worker._init_worker,
                                      initargs=(self.opts, self.stop_event, parent))
        self.given = 0

    def _recycle_due(self) -> bool:
        """Fresh workers every RECYCLE_EVERY documents each, forked from the warm parent.

        Since the content caches are emptied and cycles collected every _TRIM_EVERY
        documents, a worker's memory is flat without this (30,000 documents in one pair of
        workers: benchmarks/README.md); it stays as a guard against what a library may keep
        over thousands of documents (the PDF and Word readers of batch check), at the cost
        of one pause per RECYCLE_EVERY × jobs documents. New workers start from the parent's
        warm state in a few ms. The old pool first finishes what it holds
        (no new chunks meanwhile), so there are never more than ``jobs`` workers. Only when
        workers are forked warm: a spawned worker would warm up again.
        """
        if self.given < RECYCLE_EVERY * self.jobs or self.suspects or worker._WARM is None:
            return False
        return multiprocessing.get_start_method(allow_none=True) in (None, "fork") and sys.platform != "darwin"

    def _recycle(self) -> None:
        assert self.ex is not None and not self.inflight
        self.ex.shutdown(wait=True)
        self._new_pool()

    def run_pool(self, tasks: Iterator[dict]) -> None:
        worker._warm_up(self.opts)  # once, here: the forked workers share it (and a replaced pool starts warm)
        self._new_pool()
        limit = self.jobs * 2  # a chunk running and one queued per worker
        chunks = self._chunks(tasks)
        exhausted = False
        while True:
            if self.suspects:
                # a worker died: run the documents it held one at a time, alone, to find the culprit
                if not self.inflight:
                    t = self.suspects.pop()
                    t["alone"] = True
                    self._submit([t])
            else:
                if self._recycle_due() and not self.inflight:
                    self._recycle()
                while not exhausted and len(self.inflight) < limit and not self._recycle_due():
                    c = next(chunks, None)
                    if c is None:
                        exhausted = True
                    else:
                        self._submit(c)
                        self.given += len(c)
            if not self.inflight:
                if exhausted and not self.suspects:
                    break
                continue
            done, _ = wait(list(self.inflight), return_when=FIRST_COMPLETED)
            for fut in done:
                self._collect(fut)

    def _chunks(self, tasks: Iterator[dict]) -> Iterator[list[dict]]:
        """The tasks in chunks: a fixed ``chunk`` when one was given, else guided by what is left.

        Each chunk costs the parent a round trip through the pool (~0.5 ms of its CPU, taken
        from the workers on a machine with as many cores as jobs), so chunks are large while
        much is left and shrink towards the end so that the workers finish together.
        """
        buf: list[dict] = []
        size = self._chunk_size(0)
        for t in tasks:
            buf.append(t)
            if len(buf) >= size:
                yield buf
                buf = []
                size = self._chunk_size(t["seq"])
        if buf:
            yield buf

    def _chunk_size(self, seq: int) -> int:
        if self.chunk:
            return self.chunk
        left = self.progress.total - seq  # inputs not yet planned
        return max(1, min(MAX_CHUNK, left // (self.jobs * 4)))

    def _submit(self, task: list[dict]) -> None:
        assert self.ex is not None
        with self.critical():
            self.state.commit_claims()
            try:
                fut = self.ex.submit(worker._run_chunk, task)
            except BrokenProcessPool:
                self._replace_pool()
                fut = self.ex.submit(worker._run_chunk, task)
            self.inflight[fut] = task

    def _collect(self, fut) -> None:
        with self.critical():
            self._collect_rows(fut)

    def _collect_rows(self, fut) -> None:
        task = self.inflight.get(fut)
        del self.inflight[fut]
        try:
            rows = fut.result()
        except BrokenProcessPool:
            if _broken(self.ex):
                self._replace_pool()
            for t in task:
                if t.get("alone"):  # it ran alone and the worker died: this document is the cause
                    self.sigs.pop(t["seq"], None)
                    self.handle(_failed_row(t["seq"], t["input"], t["output"],
                                            msg("batch.worker_died", path=t["input"]), t["figures"]))
                else:
                    self.suspects.append(t)
            return
        except Exception as e:  # noqa: BLE001 - e.g. a row that cannot be pickled
            for t in task:
                self.sigs.pop(t["seq"], None)
                self.handle(_failed_row(t["seq"], t["input"], t["output"], worker._one_line(e), t["figures"]))
            return
        for row in rows:
            self.finish_row(row)

    def _replace_pool(self) -> None:
        if self.ex is not None:
            with contextlib.suppress(Exception):
                self.ex.shutdown(wait=False, cancel_futures=True)
        self._new_pool()

    def shutdown(self) -> None:
        if self.ex is not None:
            self.ex.shutdown(wait=True)

    def stop(self, grace: float = 5.0) -> None:
        """After Ctrl-C: cancel what has not started, keep what finishes within ``grace`` s, end the rest."""
        if self.ex is None:
            return
        procs = list((getattr(self.ex, "_processes", None) or {}).values())
        if self.stop_event is not None:
            self.stop_event.set()  # running chunks end after their current document
        with contextlib.suppress(Exception):
            self.ex.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        running = [f for f in self.inflight if not f.cancelled()]
        if running:
            wait(running, timeout=max(0.0, deadline - time.monotonic()))
        for fut in list(self.inflight):
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                for row in fut.result():
                    self.finish_row(row)
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(2.0)


def _broken(ex) -> bool:
    return bool(getattr(ex, "_broken", False))


def run_batch(command: str, sources: list[str], out_dir: Path, *, jobs: int | None = None, fmt: str = "text",
              pack: str | None = None, force: bool = False, figures_dir: Path | None = None,
              no_figures: bool = False, progress: bool | None = None, stream: TextIO | None = None,
              chunk: int | None = None, strict: bool = False) -> RunResult:
    """Run ``command`` over every input; returns the totals and the exit code (see the module doc).

    generate audits each department's tables first: their errors are counted as warnings of its
    row (its first few in the row's top findings), or with ``strict`` make it a failed row."""
    sources = [str(x) for x in sources]
    if command not in COMMANDS:
        raise UsageError(msg("batch.unknown_command", command=command))
    if fmt not in FORMATS[command]:
        raise UsageError(msg("batch.format_unavailable", fmt=fmt, command=command, choices=", ".join(FORMATS[command])))
    if strict and command != "generate":
        raise UsageError(msg("batch.strict_only_generate", command=command))
    if pack is None:
        pack = "auto" if command == "check" else "standard"
    if figures_dir is not None and not figures_dir.is_dir():
        raise UsageError(msg("batch.no_figures_dir", path=figures_dir))
    if pack != "auto":
        from narrator.render.engine import load_pack

        load_pack(pack)  # an unknown pack is a usage error before anything runs
    jobs = max(1, jobs or os.cpu_count() or 1)
    _check_out_dir(out_dir, force)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if not (out_dir / MARKER_FILE).exists():
            write_atomic(out_dir / MARKER_FILE, marker_text())
    except OSError as e:
        raise UsageError(msg("batch.cannot_create_out", path=out_dir, reason=e.strerror)) from None
    total = count_inputs(sources, command, out_dir)
    if total == 0:
        raise UsageError(msg("batch.no_inputs", sources=" ".join(sources)))
    opts = Options(command, str(out_dir), fmt, pack, no_figures, strict=strict)
    stamp = resources_mtime(pack)
    sweep_tmp(out_dir)  # leftovers of a run that was killed outright
    prog = Progress(total, stream or sys.stderr, enabled=True if progress is None else progress,
                    command=command)
    try:
        state = State(out_dir)
    except (sqlite3.Error, OSError) as e:
        raise UsageError(msg("batch.no_state", path=out_dir, reason=e)) from None
    run = _Run(opts, out_dir, jobs, max(1, chunk) if chunk else None, prog, state)
    started = time.time()
    interrupted = False
    try:
        with _stop_signals(run.on_signal):
            tasks = run.tasks(_plan(sources, opts, out_dir, figures_dir), stamp, force)
            if jobs == 1 and total <= INLINE_MAX:
                run.run_inline(tasks)
            else:
                run.run_pool(tasks)
                run.shutdown()
    except KeyboardInterrupt:
        interrupted = True
    with _sigint_ignored(interrupted):
        if interrupted:
            run.stop()
            run.settle_unfinished(_plan(sources, opts, out_dir, figures_dir), stamp)
            sweep_tmp(out_dir)
        prog.finish()
        meta = {"command": command, "format": fmt, "pack": pack, "jobs": jobs, "sources": list(sources),
                "out": str(out_dir), "started": _dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
                "seconds": round(time.time() - started, 3), "interrupted": interrupted}
        try:
            state.commit()
            totals = write_summary(out_dir, state, meta)
            if fmt == "html":
                write_index_html(out_dir, state)
        finally:
            state.close()
        if not interrupted:
            with contextlib.suppress(AttributeError, OSError):
                os.sync()  # one flush for the whole run (outputs were not fsynced one by one)
    if interrupted:
        code = 130
    elif totals.ok + totals.with_errors == 0:
        code = 2  # nothing could run
    elif totals.failed or totals.with_errors:
        code = 1
    else:
        code = 0
    return RunResult(totals, code, interrupted, meta)


def _check_out_dir(out_dir: Path, force: bool) -> None:
    """--out must be new, empty, or narrator's own (its marker or state file), unless --force."""
    if not out_dir.exists():
        if out_dir.is_symlink() or (out_dir.parent.exists() and not out_dir.parent.is_dir()):
            raise UsageError(msg("batch.out_unusable", path=out_dir))
        return
    if not out_dir.is_dir():
        raise UsageError(msg("batch.out_not_folder", path=out_dir))
    if force or (out_dir / MARKER_FILE).exists() or (out_dir / STATE_FILE).exists():
        return
    with os.scandir(out_dir) as it:
        first = next((e.name for e in it), None)
    if first is not None:
        raise UsageError(msg("batch.out_foreign_files", path=out_dir, first=first))


def _same_file(a: Path, b: str | None) -> bool:
    if not b:
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def _stop_signals(handler):
    """Ctrl-C and SIGTERM stop the run the same way (the summary marked interrupted, exit 130);
    ``handler`` raises KeyboardInterrupt, deferred while a row is being recorded."""
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread
            old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, h in old.items():
            with contextlib.suppress(ValueError):
                signal.signal(sig, h)


@contextlib.contextmanager
def _sigint_ignored(active: bool):
    """While cleaning up after Ctrl-C or SIGTERM (bounded: the grace period of ``_Run.stop``),
    a second one must not leave a half-written summary."""
    old = {}
    if active:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):  # not the main thread
                old[sig] = signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)
