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
  by document content (narrator.caches) and collects the few reference cycles documents
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
* **Interruptible.** Workers ignore SIGINT; on Ctrl-C the parent cancels pending work,
  lets running documents finish (or terminates them after a grace period), removes any
  leftover ``.*.tmp`` under ``--out``, writes the summary of what was done (marked
  ``interrupted``) and exits 130. Every file is written to a temporary name and renamed,
  so no half-written output can exist. Run one batch per ``--out`` at a time.
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
against itself (``--no-figures`` forces that).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import gc
import glob
import json
import multiprocessing
import os
import re
import signal
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from narrator.core.caches import clear_per_document
from narrator.core.errors import InputError, UsageError
from narrator.report.text import check_report, validate_report

COMMANDS = ("generate", "check", "validate")
FIGURES_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm")
TEXT_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
INPUT_SUFFIXES = {"generate": FIGURES_SUFFIXES, "validate": FIGURES_SUFFIXES, "check": TEXT_SUFFIXES}
STATE_FILE = ".narrator-batch.sqlite"
SUMMARY_FILES = ("summary.csv", "summary.json")
TOP_FINDINGS = 3
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
RECYCLE_EVERY = 2_000  # documents per worker before it is replaced by a fresh fork (a guard; see _Run._recycle_due)
# --jobs 1 runs in this process up to this many inputs; above, in one forked worker, so that
# it is renewed like the others and the planning, state and summary here run beside it on
# another core
INLINE_MAX = 50
MAX_CHUNK = 16  # documents per chunk sent to a worker (fewer round trips; see _Run._chunks)
_TMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")


# =====================================================================================
# Writing files
# =====================================================================================
def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Temporary file in the same folder, then rename: never a half-written ``path``.

    Unlike ``textio.atomic_write`` there is no fsync per file (2–3 ms each here); the batch
    calls ``os.sync()`` once at the end instead. Safe against Ctrl-C and crashes of the
    program; a power cut during the run may lose the latest outputs, never corrupt one
    in place.
    """
    p = Path(path)
    fd, tmp = _mkstemp(p)
    try:
        with contextlib.suppress(AttributeError, OSError):
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for sharing
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def _mkstemp(p: Path):
    try:
        return tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except FileNotFoundError:
        p.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)


def sweep_tmp(out_dir: Path) -> int:
    """Remove leftover ``.NAME.XXXX.tmp`` files (from an interrupted write) under ``out_dir``."""
    n = 0
    for root, _dirs, files in os.walk(out_dir):
        for f in files:
            if f.endswith(".tmp") and _TMP_RE.match(f):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(root, f))
                    n += 1
    return n


# =====================================================================================
# Figures-tree → YAML (for synthetic departments)
# =====================================================================================
_PLAIN = re.compile(r"[\u3400-\u9fffA-Za-z_（）()“”‘’、·\u3000-\u303f\uff00-\uffef0-9-]+")
_RESOLVES = re.compile(r"[-+.0-9].*|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|<<|=")


def _yaml_str(s: str) -> str:
    """A plain scalar when that reads back as the same text, else a double-quoted one."""
    if _PLAIN.fullmatch(s) and not _RESOLVES.fullmatch(s):
        return s
    return json.dumps(s, ensure_ascii=False)


def _yaml_scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")  # exact: 1234.50 stays 1234.50
    if isinstance(v, int):
        return str(v)
    if v is None:
        return "null"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return _yaml_str(str(v))


def _yaml_flow(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_yaml_str(str(k))}: {_yaml_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_yaml_flow(x) for x in v) + "]"
    return _yaml_scalar(v)


def dump_figures_yaml(tree: dict, header: str | None = None) -> str:
    """A figures tree as block YAML: exact decimals, codes quoted, one 科目 row per line."""
    out: list[str] = [f"# {line}" for line in header.splitlines()] if header else []

    def emit(node, pad: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)) and v:
                    out.append(f"{pad}{_yaml_str(str(k))}:")
                    emit(v, pad + "  ")
                else:
                    out.append(f"{pad}{_yaml_str(str(k))}: {_yaml_flow(v)}")
        else:
            for v in node:
                out.append(f"{pad}- {_yaml_flow(v)}")

    emit(tree, "")
    return "\n".join(out) + "\n"


def mutate_numbers(text: str, slots, rng, count: int) -> str:
    """Change ``count`` printed amounts/percentages of a draft (for ``batch check`` tests)."""
    cands = [s for s in slots if s.kind in ("amount", "percent") and s.start >= 0 and any(c.isdigit() for c in s.text)]
    chosen = sorted(rng.sample(cands, min(count, len(cands))), key=lambda s: s.start, reverse=True)
    for s in chosen:
        old = text[s.start:s.end]
        digits = [i for i, c in enumerate(old) if c.isdigit()]
        i = digits[-1] if rng.random() < 0.5 or len(digits) < 2 else digits[rng.randrange(len(digits))]
        new = old[:i] + str((int(old[i]) + rng.randint(1, 8)) % 10) + old[i + 1:]
        text = text[:s.start] + new + text[s.end:]
    return text


def synth_one(out_dir: str, index: int, seed: int, rows: int | None, width: int,
              with_narrative: bool, mutations: int = 3) -> None:
    """Write one synthetic department (``deptNNNN.yaml``, and optionally ``deptNNNN.txt``)."""
    import random

    from narrator.figures.model import figures_from_tree
    from narrator.render.engine import render
    from narrator.batch.synth import department

    dseed = seed * 1_000_003 + index
    tree = department(dseed, rows)
    name = f"dept{index:0{width}d}"
    yaml_text = dump_figures_yaml(tree, header=f"narrator synth: seed {seed}, department {index} (department({dseed}))")
    write_atomic(Path(out_dir) / f"{name}.yaml", yaml_text)
    if with_narrative:
        fig = figures_from_tree(tree, f"{name}.yaml")
        draft = render(fig, "standard")
        rng = random.Random(dseed ^ 0x5EED)
        write_atomic(Path(out_dir) / f"{name}.txt", mutate_numbers(draft.text, draft.slots, rng, mutations))


def _synth_chunk(args) -> int:
    out_dir, indices, seed, rows, width, with_narrative = args
    for i in indices:
        synth_one(out_dir, i, seed, rows, width, with_narrative)
    return len(indices)


def synth_many(out_dir: Path, count: int, seed: int = 0, rows: int | None = None,
               with_narrative: bool = False, jobs: int | None = None,
               on_progress: Callable[[int], None] | None = None) -> None:
    """Write ``count`` synthetic departments under ``out_dir`` (reproducible from ``seed``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(count)))
    jobs = jobs or os.cpu_count() or 1
    chunks = [(str(out_dir), list(range(a, min(a + 50, count + 1))), seed, rows, width, with_narrative)
              for a in range(1, count + 1, 50)]
    done = 0
    if jobs == 1 or count <= 50:
        for c in chunks:
            done += _synth_chunk(c)
            if on_progress:
                on_progress(done)
        return
    import multiprocessing

    with multiprocessing.get_context().Pool(jobs, initializer=_ignore_sigint) as pool:
        for n in pool.imap_unordered(_synth_chunk, chunks):
            done += n
            if on_progress:
                on_progress(done)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# =====================================================================================
# Inputs
# =====================================================================================
@dataclass(slots=True)
class Item:
    seq: int
    input: str            # the path as found (for messages and the summary)
    rel: str              # relative to its SOURCE folder, posix separators
    output: str = ""      # relative to --out
    figures: str | None = None
    error: str | None = None   # a SOURCE that could not be used


def _has_magic(s: str) -> bool:
    return glob.has_magic(s)


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    base: list[str] = []
    for part in parts:
        if _has_magic(part):
            break
        base.append(part)
    return Path(*base) if base else Path(".")


def _eligible(name: str, suffixes: tuple[str, ...], command: str) -> bool:
    if name.startswith(".") or name.endswith(".tmp") or name in SUMMARY_FILES:
        return False
    low = name.lower()
    if command == "check" and (".check." in low or ".validate." in low):
        return False
    return low.endswith(suffixes)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def iter_sources(sources: Iterable[str], command: str, out_dir: Path | None = None) -> Iterator[tuple[str, str | None]]:
    """Yield (path, path relative to its SOURCE) of every input, lazily, in a stable (sorted) order.

    Folders are walked recursively for the command's input suffixes; a glob takes every file
    it matches (and walks the folders it matches). Hidden files, ``*.tmp``, our summaries
    and (for check) our own ``*.check.*`` reports are left out, and so is the ``--out``
    folder when it lies inside a SOURCE folder. A SOURCE that names nothing yields
    (source, None) so that it is reported, not silently ignored.
    """
    suffixes = INPUT_SUFFIXES[command]
    out_res = out_dir.resolve() if out_dir is not None else None
    for src in sources:
        if _has_magic(src):
            base = _glob_base(src)
            skip = _skip_folder(base, out_res)
            found = False
            for p in sorted(glob.iglob(src, recursive=True)):
                pp = Path(p)
                if skip is not None and _inside(pp.resolve(), skip):
                    continue
                if pp.is_file():
                    if pp.name.startswith(".") or pp.name.endswith(".tmp") or pp.name in SUMMARY_FILES:
                        continue
                    found = True
                    yield p, _rel(pp, base)
                elif pp.is_dir():
                    for q, _r in _walk(pp, suffixes, command, skip):
                        found = True
                        yield q, _rel(Path(q), base)
            if not found:
                yield src, None
        else:
            p = Path(src)
            if p.is_dir():
                yield from _walk(p, suffixes, command, _skip_folder(p, out_res))
            elif p.is_file():
                yield src, p.name
            else:
                yield src, None


def _skip_folder(root: Path, out_res: Path | None) -> Path | None:
    """The --out folder, when it must be left out of a walk from ``root`` (it lies below it)."""
    if out_res is None:
        return None
    r = root.resolve()
    return None if _inside(r, out_res) else out_res  # --out is root or above it: rely on names


def _rel(p: Path, base: Path) -> str:
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return p.name


def _walk(folder: Path, suffixes, command, skip: Path | None) -> Iterator[tuple[str, str]]:
    """Files of ``folder`` and below, one directory at a time, sorted; symlinked folders are
    followed once (a link cycle is not walked twice)."""
    stack = [folder]
    visited: set[str] = set()  # one entry per folder, not per file
    while stack:
        d = stack.pop()
        real = os.path.realpath(d)
        if real in visited or (skip is not None and d is not folder and Path(real) == skip):
            continue
        visited.add(real)
        try:
            names, subdirs = _listing(d, suffixes, command)
        except OSError:
            continue
        prefix = "" if d is folder else d.relative_to(folder).as_posix() + "/"
        base = "" if str(d) == "." else os.path.join(str(d), "")  # str(d / name), without a Path per file
        for name in _names(names):
            yield base + name, prefix + name
        stack.extend(reversed(subdirs))


def _listing(d: Path, suffixes, command) -> tuple[str, list[Path]]:
    """A directory's input files, sorted, as one "\0"-separated string, and its sub-folders, sorted.

    A folder of a province's 100,000 departments is listed at ~20 bytes a file (a list of
    names would take ~130), and the names are yielded one by one from that string.
    """
    files: list[str] = []
    subdirs: list[str] = []
    with os.scandir(d) as it:
        for e in it:
            name = e.name
            if name.startswith("."):
                continue
            if e.is_dir():
                subdirs.append(name)
            elif e.is_file() and _eligible(name, suffixes, command):
                files.append(name)
    files.sort()
    subdirs.sort()
    return "\0".join(files), [d / n for n in subdirs]


def _names(joined: str) -> Iterator[str]:
    start, end = 0, len(joined)
    while start < end:
        stop = joined.find("\0", start)
        if stop < 0:
            stop = end
        yield joined[start:stop]
        start = stop + 1


def count_inputs(sources, command: str, out_dir: Path | None) -> int:
    """How many documents (for the progress line); a quick walk that keeps nothing per file
    for one SOURCE folder."""
    local = len(sources) == 1 and not _has_magic(sources[0]) and Path(sources[0]).is_dir()
    seen: set[str] = set()
    n = 0
    for path, rel in iter_sources(sources, command, out_dir):
        if rel is not None and not local:
            key = os.path.realpath(path)
            if key in seen:
                continue
            seen.add(key)
        n += 1
    return n


def find_figures(text_path: Path, rel: str, figures_dir: Path | None) -> Path | None:
    """The figures file for a narrative in ``batch check`` (see the module docstring)."""
    stem = text_path.stem
    cands: list[Path] = []
    if figures_dir is not None:
        relp = Path(rel)
        for folder in ((figures_dir / relp.parent) if relp.parent != Path(".") else None, figures_dir):
            if folder is None:
                continue
            cands += [folder / f"{stem}{s}" for s in (".yaml", ".yml", ".json", ".xlsx")]
            cands += [folder / f"{stem}.figures{s}" for s in (".yaml", ".yml", ".json")]
    d = text_path.parent
    cands += [d / f"{stem}.figures{s}" for s in (".yaml", ".yml", ".json")]
    cands += [d / f"{stem}{s}" for s in (".yaml", ".yml", ".json", ".xlsx")]
    for c in cands:
        if c.is_file():
            return c
    return None


# =====================================================================================
# Output formats (dicts so new formats slot in)
# =====================================================================================
def check_report_text(result) -> str:
    """The text report of ``narrator check`` (same lines as the single command)."""
    return check_report(result)


def _gen_json(draft, fig):
    return json.dumps(draft.to_json(), ensure_ascii=False, indent=2)


def _gen_markdown(draft, fig):
    from narrator.report.markdown import draft_markdown

    return draft_markdown(draft)


def _gen_docx(draft, fig):
    from narrator.report.docx import draft_docx

    return draft_docx(draft, fig)


def _check_html(result):
    from narrator.report.html import check_html

    return check_html(result)


def _check_docx(result):
    from narrator.report.docx import review_docx

    return review_docx(result)


GENERATE_FORMATS: dict[str, tuple[str, Callable]] = {
    "text": (".txt", lambda draft, fig: draft.text),
    "markdown": (".md", _gen_markdown),
    "json": (".json", _gen_json),
    "docx": (".docx", _gen_docx),
}
CHECK_FORMATS: dict[str, tuple[str, Callable]] = {
    "text": (".check.txt", check_report_text),
    "json": (".check.json", lambda r: json.dumps(r.to_json(), ensure_ascii=False, indent=2)),
    "html": (".check.html", _check_html),
    "docx": (".check.docx", _check_docx),
}


def _validate_text(name: str, findings) -> str:
    return validate_report(name, findings, info_count=True)


def _validate_json(name: str, findings) -> str:
    return json.dumps({"file": name, "summary": _counts(findings), "findings": [f.to_json() for f in findings]},
                      ensure_ascii=False, indent=2)


VALIDATE_FORMATS: dict[str, tuple[str, Callable]] = {
    "text": (".validate.txt", _validate_text),
    "json": (".validate.json", _validate_json),
}
FORMATS = {"generate": GENERATE_FORMATS, "check": CHECK_FORMATS, "validate": VALIDATE_FORMATS}


def output_suffix(command: str, fmt: str) -> str:
    return FORMATS[command][fmt][0]


# =====================================================================================
# The work of one document (runs in a worker)
# =====================================================================================
@dataclass
class Options:
    command: str
    out_dir: str
    fmt: str = "text"
    pack: str = "standard"
    no_figures: bool = False

    def signature(self, figures: str | None) -> str:
        return json.dumps([self.command, self.fmt, self.pack, self.no_figures, figures], ensure_ascii=False)


_OPTS: Options | None = None


def _counts(findings) -> dict:
    c = {"errors": 0, "warnings": 0, "info": 0}
    for f in findings:
        key = {"error": "errors", "warning": "warnings"}.get(f.severity, "info")
        c[key] += 1
    return c


def _top(findings) -> list[str]:
    ranked = sorted(enumerate(findings), key=lambda p: (_SEVERITY_ORDER.get(p[1].severity, 3), p[0]))
    return [f.render() for _i, f in ranked[:TOP_FINDINGS]]


def _one_line(e: BaseException) -> str:
    if isinstance(e, (InputError, UsageError)):
        msg = str(e)
    else:
        msg = f"internal error: {type(e).__name__}: {e}"
    return " ".join(msg.split())


def process(item: dict, opts: Options) -> dict:
    """Run one document; always returns a row (never raises for a bad input)."""
    t0 = time.perf_counter()
    row = {"seq": item["seq"], "input": item["input"], "output": item["output"], "figures": item.get("figures") or "",
           "status": "ok", "errors": 0, "warnings": 0, "info": 0, "numbers": None, "confirmed": None,
           "unverifiable": None, "placeholders": None, "top": [], "error": ""}
    out_path = Path(opts.out_dir) / item["output"]
    try:
        if opts.command == "generate":
            from narrator.render.engine import render

            from narrator.figures.model import load_figures

            fig = load_figures(item["input"])
            draft = render(fig, opts.pack)
            data = GENERATE_FORMATS[opts.fmt][1](draft, fig)
            findings = []  # generate has no findings; the gaps it leaves are counted
            row["placeholders"] = sum(1 for s in draft.slots if s.kind in ("placeholder", "missing"))
        elif opts.command == "check":
            from narrator.pipeline import check_file

            figs = Path(item["figures"]) if item.get("figures") else None
            result = check_file(Path(item["input"]), figs, opts.pack, opts.no_figures)
            data = CHECK_FORMATS[opts.fmt][1](result)
            findings = result.findings
            s = result.summary
            row.update(numbers=s["numbers"], confirmed=s["confirmed"], unverifiable=s["unverifiable"],
                       figures=result.figures or ("" if figs is None else str(figs)))
        else:
            findings = _validate(item["input"])
            data = VALIDATE_FORMATS[opts.fmt][1](item["input"], findings)
        write_atomic(out_path, data)
        row.update(_counts(findings))
        row["top"] = _top(findings)
        row["status"] = "error" if row["errors"] else "ok"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - one bad document must not stop the batch
        row.update(status="failed", error=_one_line(e), errors=None, warnings=None, info=None)
        with contextlib.suppress(OSError):
            out_path.unlink()  # a stale output of an input that now fails would mislead
    row["seconds"] = round(time.perf_counter() - t0, 4)
    return row


def _validate(path: str):
    from narrator.audit.engine import validate_file

    return list(validate_file(Path(path)))


# What this process has warmed up for, (command, pack): workers forked from a warm parent
# inherit it and skip their own warm-up.
_WARM: tuple[str, str] | None = None


def _warm_up(opts: Options) -> None:
    """Load packs and rules and compile every template once (per process).

    The pool's parent calls it before forking the workers, so it is done once and the
    warm state is shared copy-on-write; a worker started another way (spawn) or for other
    options warms itself in ``_init_worker``.
    """
    global _WARM
    from narrator.figures.model import figures_from_tree
    from narrator.figures.metrics import load_rules
    from narrator.render.engine import load_pack, render
    from narrator.batch.synth import department

    packs = ["standard", "shanghai"] if opts.pack == "auto" else [opts.pack]
    fig = figures_from_tree(department(7, rows=12), "<warm-up>")
    for p in packs:
        with contextlib.suppress(Exception):
            pk = load_pack(p)
            load_rules(pk.rules_dir)
            draft = render(fig, p)
    if opts.command in ("check", "validate"):
        with contextlib.suppress(Exception):
            from narrator.audit.engine import audit_figures

            audit_figures(fig)  # reads rules/audit.yaml and compiles the 等式 rules
    if opts.command == "check":
        with contextlib.suppress(Exception):
            from narrator.check.checker import check_text

            check_text(draft.text, "<warm-up>", fig, opts.pack)
            # the alignment of long 项 lists uses numpy; the small warm-up department has none,
            # and a first import inside a worker would cost ~0.1 s there
            import numpy  # noqa: F401
    _tune_gc()
    _WARM = (opts.command, opts.pack)


def _tune_gc() -> None:
    """After warm-up: keep the collector off the templates, rules and caches just loaded.

    A document makes tens of thousands of short-lived objects and almost no cycles; with
    the default threshold (700) the young generation is collected dozens of times per
    document and every full collection walks the warm state again. Freezing that state and
    collecting the young generation less often saved 5–10 % per document before the loader
    and render were made faster; now the gain is within the machine's noise (A/B runs of
    process() with the default, these and disabled thresholds). With these thresholds a full
    collection is rare, so the few objects a document leaves in cycles (~24) would pile up
    between them (~1 MB per 1,000 documents); ``_after_document`` collects them every
    _TRIM_EVERY documents instead (~1–2 ms each time).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def _init_worker(opts: Options) -> None:
    global _OPTS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the parent handles Ctrl-C
    _OPTS = opts
    if _WARM != (opts.command, opts.pack):
        _warm_up(opts)


def _run_chunk(items: list[dict]) -> list[dict]:
    assert _OPTS is not None
    rows = []
    for it in items:
        rows.append(process(it, _OPTS))
        _after_document()
    return rows


# The caches keyed by document content (narrator.caches) pay off within a document and the
# next few; kept across thousands they only fill (check's text normalisation alone: ~70 MB
# per worker once full) and, full, keep replacing entries, which scatters the allocator's
# memory. Emptied every _TRIM_EVERY documents, and the cycles documents leave collected
# (see _tune_gc), a worker's memory levels off after a few hundred documents, whatever the
# size of the batch (benchmarks/bench_batch.py).
_TRIM_EVERY = 100
_done_here = 0


def _after_document() -> None:
    global _done_here
    _done_here += 1
    if _done_here % _TRIM_EVERY == 0:
        clear_per_document()
        gc.collect()


# =====================================================================================
# State (skip logic) and summary rows
# =====================================================================================
class State:
    """``--out/.narrator-batch.sqlite``: the last row per output (skip logic) and this run's rows.

    Only the parent process touches it. This run's rows go to table ``run`` as they arrive
    (so nothing is held in memory) and come back in input order for the summaries.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_FILE
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-256")  # KiB: rows are appended and looked up one by one; keeps the parent flat
        self.db.execute("CREATE TABLE IF NOT EXISTS done (output TEXT PRIMARY KEY, input TEXT, sig TEXT, row TEXT)")
        self.db.execute("DROP TABLE IF EXISTS run")
        self.db.execute("CREATE TABLE run (seq INTEGER PRIMARY KEY, row TEXT)")
        self.db.execute("BEGIN")
        self._pending = 0
        self._last_commit = time.monotonic()

    def previous(self, output: str, input: str, sig: str) -> dict | None:
        r = self.db.execute("SELECT input, sig, row FROM done WHERE output = ?", (output,)).fetchone()
        if r is None or r[0] != input or r[1] != sig:
            return None
        return json.loads(r[2])

    def record(self, row: dict, sig: str | None) -> None:
        text = json.dumps(row, ensure_ascii=False)
        self.db.execute("INSERT OR REPLACE INTO run (seq, row) VALUES (?, ?)", (row["seq"], text))
        if row["status"] == "failed" and row.get("output"):
            self.db.execute("DELETE FROM done WHERE output = ?", (row["output"],))
        elif sig is not None:
            self.db.execute("INSERT OR REPLACE INTO done (output, input, sig, row) VALUES (?, ?, ?, ?)",
                            (row["output"], row["input"], sig, text))
        self._pending += 1
        if self._pending >= 500 or time.monotonic() - self._last_commit > 2:
            self.commit()

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")
        self._pending = 0
        self._last_commit = time.monotonic()

    def rows(self) -> Iterator[dict]:
        cur = self.db.cursor()
        for (text,) in cur.execute("SELECT row FROM run ORDER BY seq"):
            yield json.loads(text)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("COMMIT")
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("DROP TABLE IF EXISTS run")
        self.db.close()


@dataclass
class Totals:
    documents: int = 0
    ok: int = 0            # done (now or, for skipped ones, before) without error findings
    with_errors: int = 0   # done, with error-severity findings
    failed: int = 0        # could not be done: the row carries the one-line error
    skipped: int = 0       # up to date: not redone (also counted in ok / with_errors)
    errors: int = 0
    warnings: int = 0
    info: int = 0

    def __post_init__(self) -> None:
        self.first_failures: list[str] = []   # the first few one-line errors, for the terminal

    def add(self, row: dict) -> None:
        self.documents += 1
        status = row["status"]
        if status == "skipped":
            self.skipped += 1
            status = row.get("previous_status") or "ok"
        if status == "failed":
            self.failed += 1
            if len(self.first_failures) < 20:
                self.first_failures.append(row.get("error") or row["input"])
            return
        if status == "error":
            self.with_errors += 1
        else:
            self.ok += 1
        self.errors += row.get("errors") or 0
        self.warnings += row.get("warnings") or 0
        self.info += row.get("info") or 0

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "first_failures"}


CSV_COLUMNS = ("input", "output", "status", "errors", "warnings", "info", "numbers", "confirmed", "unverifiable",
               "placeholders", "figures", "top_findings", "error", "seconds")


def write_index_html(out_dir: Path, state: State) -> None:
    """index.html over all documents of an HTML batch (sortable by errors), written atomically."""
    from narrator.report.html import batch_index_html
    from narrator.core.textio import atomic_write

    rows = []
    for row in state.rows():
        status = row.get("status", "")
        rows.append({"document": row.get("input", ""), "output": row.get("output") or "",
                     "status": "failed" if status == "failed" else "skipped" if status == "skipped" else "ok",
                     "errors": row.get("errors") or 0, "warnings": row.get("warnings") or 0,
                     "info": row.get("info") or 0, "numbers": row.get("numbers") or 0,
                     "confirmed": row.get("confirmed") or 0, "unverifiable": row.get("unverifiable") or 0,
                     "error_message": row.get("error") or None, "top": list(row.get("top") or [])})
    atomic_write(out_dir / "index.html", batch_index_html(rows))


def write_summary(out_dir: Path, state: State, meta: dict) -> Totals:
    """summary.csv (UTF-8 with BOM, for Excel) and summary.json, streamed from the state, written atomically.

    The totals are counted from the same rows, so they always agree with them.
    """
    totals = Totals()
    tmp_files: list[str] = []
    try:
        fd, csv_tmp = _mkstemp(out_dir / "summary.csv")
        tmp_files.append(csv_tmp)
        fd2, json_tmp = _mkstemp(out_dir / "summary.json")
        tmp_files.append(json_tmp)
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fc, \
                os.fdopen(fd2, "w", encoding="utf-8") as fj:
            w = csv.writer(fc)
            w.writerow(CSV_COLUMNS)
            head = json.dumps(meta, ensure_ascii=False, indent=2)
            fj.write(head[:-2] + ',\n  "documents": [')
            first = True
            for row in state.rows():
                totals.add(row)
                w.writerow(_csv_row(row))
                row.pop("seq", None)
                fj.write(("\n    " if first else ",\n    ") + json.dumps(row, ensure_ascii=False))
                first = False
            t = totals
            w.writerow(["(total)", "", f"{t.documents} documents: {t.ok} ok, {t.with_errors} with errors, "
                        f"{t.failed} failed, {t.skipped} skipped", t.errors, t.warnings, t.info,
                        "", "", "", "", "", "", "interrupted" if meta.get("interrupted") else "",
                        meta.get("seconds", "")])
            fj.write(("\n  ],\n" if not first else "],\n") + '  "totals": '
                     + json.dumps(totals.to_json(), ensure_ascii=False) + "\n}\n")
        os.replace(csv_tmp, out_dir / "summary.csv")
        os.replace(json_tmp, out_dir / "summary.json")
        tmp_files.clear()
    finally:
        for t in tmp_files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(t)
    return totals


def _csv_row(row: dict) -> list:
    def v(k):
        x = row.get(k)
        return "" if x is None else x

    status = row["status"]
    if status == "skipped" and row.get("previous_status"):
        status = f"skipped ({row['previous_status']})"
    return [row["input"], row["output"], status, v("errors"), v("warnings"), v("info"), v("numbers"),
            v("confirmed"), v("unverifiable"), v("placeholders"), v("figures"), " | ".join(row.get("top") or []),
            v("error"), v("seconds")]


# =====================================================================================
# Progress
# =====================================================================================
class Progress:
    """One updating line on a terminal; plain lines (every 5 s or 10 %) otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True, label: str = ""):
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self.done = 0
        self.skipped = 0
        self.failed = 0
        self.label = label
        self._last = 0.0
        self._last_count = 0
        self._step = max(1, total // 10)

    def line(self) -> str:
        el = time.monotonic() - self.start
        worked = self.done - self.skipped
        rate = worked / el if el > 0 else 0.0
        left = self.total - self.done
        eta = _fmt_secs(left / rate) if rate > 0 else ("0:00" if left == 0 else "?")
        extra = []
        if self.skipped:
            extra.append(f"{self.skipped} skipped")
        if self.failed:
            extra.append(f"{self.failed} failed")
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"[{self.done}/{self.total}] {rate:.1f} doc/s ETA {eta}{tail}"

    def update(self, row: dict) -> None:
        self.done += 1
        if row["status"] == "skipped":
            self.skipped += 1
        elif row["status"] == "failed":
            self.failed += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last >= 0.1 or self.done == self.total:
                self.stream.write("\r\x1b[K" + self.label + self.line())
                self.stream.flush()
                self._last = now
        elif now - self._last >= 5 or self.done - self._last_count >= self._step or self.done == self.total:
            self.stream.write(self.label + self.line() + "\n")
            self.stream.flush()
            self._last = now
            self._last_count = self.done

    def finish(self) -> None:
        if self.enabled and self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()


def _fmt_secs(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


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
            yield Item(seq, path, Path(path).name, error=f"{path}: no such file or folder, or nothing matches")
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
            yield Item(seq, path, rel, error=f"{path}: its output {out} would overwrite another input's")
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


class _Run:
    """One batch run: the parent's loop, the pool, the state and the progress line."""

    def __init__(self, opts: Options, out_dir: Path, jobs: int, chunk: int | None, progress: Progress, state: State):
        self.opts = opts
        self.out_dir = out_dir
        self.jobs = jobs
        self.chunk = chunk
        self.progress = progress
        self.state = state
        self.sigs: dict[int, str] = {}        # seq → options signature, for tasks in flight
        self.ex: ProcessPoolExecutor | None = None
        self.given = 0                        # documents handed to the current pool
        self.inflight: dict = {}              # future → list of task dicts
        self.suspects: list[dict] = []        # tasks whose worker died: rerun alone, once

    # -- rows ----------------------------------------------------------------------
    def handle(self, row: dict, sig: str | None = None) -> None:
        self.state.record(row, sig)
        self.progress.update(row)

    def tasks(self, plan: Iterator[Item], stamp: float, force: bool) -> Iterator[dict]:
        """Record skipped and unusable inputs at once; yield the rest as task dicts."""
        for it in plan:
            if it.error:
                self.handle(_failed_row(it.seq, it.input, it.output, it.error))
                continue
            sig = self.opts.signature(it.figures)
            if not force:
                out_m = _mtime(self.out_dir / it.output)
                if out_m and out_m > max(_mtime(it.input), stamp, _mtime(it.figures)):
                    prev = self.state.previous(it.output, it.input, sig)
                    if prev is not None:
                        self.handle({**prev, "seq": it.seq, "status": "skipped",
                                     "previous_status": prev.get("previous_status") or prev["status"],
                                     "seconds": 0})
                        continue
            self.sigs[it.seq] = sig
            yield {"seq": it.seq, "input": it.input, "output": it.output, "figures": it.figures}

    def finish_row(self, row: dict) -> None:
        self.handle(row, self.sigs.pop(row["seq"], None))

    # -- in this process (--jobs 1) -----------------------------------------------
    def run_inline(self, tasks: Iterator[dict]) -> None:
        _warm_up(self.opts)
        for t in tasks:
            self.finish_row(process(t, self.opts))
            _after_document()

    # -- in a pool of processes ----------------------------------------------------
    def _new_pool(self) -> None:
        self.ex = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker, initargs=(self.opts,))
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
        if self.given < RECYCLE_EVERY * self.jobs or self.suspects or _WARM is None:
            return False
        return multiprocessing.get_start_method(allow_none=True) in (None, "fork") and sys.platform != "darwin"

    def _recycle(self) -> None:
        assert self.ex is not None and not self.inflight
        self.ex.shutdown(wait=True)
        self._new_pool()

    def run_pool(self, tasks: Iterator[dict]) -> None:
        _warm_up(self.opts)  # once, here: the forked workers share it (and a replaced pool starts warm)
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
        try:
            fut = self.ex.submit(_run_chunk, task)
        except BrokenProcessPool:
            self._replace_pool()
            fut = self.ex.submit(_run_chunk, task)
        self.inflight[fut] = task

    def _collect(self, fut) -> None:
        task = self.inflight.pop(fut)
        try:
            rows = fut.result()
        except BrokenProcessPool:
            if _broken(self.ex):
                self._replace_pool()
            for t in task:
                if t.get("alone"):  # it ran alone and the worker died: this document is the cause
                    self.sigs.pop(t["seq"], None)
                    self.handle(_failed_row(t["seq"], t["input"], t["output"],
                                            f"{t['input']}: the worker process died on this document", t["figures"]))
                else:
                    self.suspects.append(t)
            return
        except Exception as e:  # noqa: BLE001 - e.g. a row that cannot be pickled
            for t in task:
                self.sigs.pop(t["seq"], None)
                self.handle(_failed_row(t["seq"], t["input"], t["output"], _one_line(e), t["figures"]))
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
              chunk: int | None = None) -> RunResult:
    """Run ``command`` over every input; returns the totals and the exit code (see the module doc)."""
    sources = [str(x) for x in sources]
    if command not in COMMANDS:
        raise UsageError(f"unknown batch command {command!r}")
    if fmt not in FORMATS[command]:
        raise UsageError(f"--format {fmt} is not available for batch {command}: use one of "
                         + ", ".join(FORMATS[command]))
    if pack is None:
        pack = "auto" if command == "check" else "standard"
    if figures_dir is not None and not figures_dir.is_dir():
        raise UsageError(f"--figures-dir {figures_dir}: no such folder")
    if command == "validate":
        try:
            from narrator.audit import engine as audit  # noqa: F401
        except ImportError:
            raise UsageError("batch validate needs the table audit (narrator.audit), which is not installed") from None
    if pack != "auto":
        from narrator.render.engine import load_pack

        load_pack(pack)  # an unknown pack is a usage error before anything runs
    jobs = max(1, jobs or os.cpu_count() or 1)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {out_dir}: cannot create it: {e.strerror}") from None
    total = count_inputs(sources, command, out_dir)
    if total == 0:
        raise UsageError("no inputs found in " + " ".join(sources))
    opts = Options(command, str(out_dir), fmt, pack, no_figures)
    stamp = resources_mtime(pack)
    sweep_tmp(out_dir)  # leftovers of a run that was killed outright
    prog = Progress(total, stream or sys.stderr, enabled=True if progress is None else progress,
                    label=f"batch {command}: ")
    try:
        state = State(out_dir)
    except (sqlite3.Error, OSError) as e:
        raise UsageError(f"--out {out_dir}: cannot keep the batch state there: {e}") from None
    run = _Run(opts, out_dir, jobs, max(1, chunk) if chunk else None, prog, state)
    started = time.time()
    interrupted = False
    try:
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


@contextlib.contextmanager
def _sigint_ignored(active: bool):
    """While cleaning up after Ctrl-C, a second Ctrl-C must not leave a half-written summary."""
    old = None
    if active:
        with contextlib.suppress(ValueError):  # not the main thread
            old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if old is not None:
            signal.signal(signal.SIGINT, old)
