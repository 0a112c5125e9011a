"""The work of one document in a batch, as a worker process does it: load, render, check or
validate one input and write its output (``process``), the warm-up a parent does once before
forking its workers, and the worker's own set-up and housekeeping. batch/run.py plans the run,
hands out the chunks and records the rows."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from narrator.batch.files import write_atomic
from narrator.batch.plan import CHECK_FORMATS, GENERATE_FORMATS, VALIDATE_FORMATS, _counts
from narrator.batch.state import TOP_FINDINGS, _SEVERITY_ORDER
from narrator.core.caches import clear_per_document
from narrator.core.errors import InputError, UsageError
from narrator.core.messages import lang, msg, set_lang


@dataclass
class Options:
    command: str
    out_dir: str
    fmt: str = "text"
    pack: str = "standard"
    no_figures: bool = False
    lang: str = field(default_factory=lang)   # the messages' language, for the workers too
    strict: bool = False  # generate: departments whose tables fail the audit are failed, nothing written

    def signature(self, figures: str | None) -> str:
        sig = [self.command, self.fmt, self.pack, self.no_figures, figures, self.lang] + (["strict"] if self.strict else [])
        return json.dumps(sig, ensure_ascii=False)


_OPTS: Options | None = None


def _top(findings) -> list[str]:
    ranked = sorted(enumerate(findings), key=lambda p: (_SEVERITY_ORDER.get(p[1].severity, 3), p[0]))
    return [f.render() for _i, f in ranked[:TOP_FINDINGS]]


def _one_line(e: BaseException) -> str:
    if isinstance(e, (InputError, UsageError)):
        text = str(e)
    else:
        text = msg("batch.internal_error", kind=type(e).__name__, detail=e)
    return " ".join(text.split())


def process(item: dict, opts: Options) -> dict:
    """Run one document; always returns a row (never raises for a bad input)."""
    t0 = time.perf_counter()
    row = {"seq": item["seq"], "input": item["input"], "output": item["output"], "figures": item.get("figures") or "",
           "status": "ok", "errors": 0, "warnings": 0, "info": 0, "numbers": None, "confirmed": None,
           "unverifiable": None, "placeholders": None, "top": [], "error": ""}
    out_path = Path(opts.out_dir) / item["output"]
    try:
        table_errors = []
        if opts.command == "generate":
            from narrator.render.engine import render

            from narrator.figures.load import load_figures

            fig = load_figures(item["input"])
            table_errors = _audit_before_generate(fig, opts.strict)
            draft = render(fig, opts.pack)
            data = GENERATE_FORMATS[opts.fmt][1](draft, fig)
            findings = []  # the draft has no findings; the gaps it leaves are counted
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
        if table_errors:  # like generate: the tables' errors are warnings about the draft
            row["warnings"] += len(table_errors)
            row["top"] = [f"{f.location()}: {f.code} {f.message}" for f in table_errors[:TOP_FINDINGS]]
        row["status"] = "error" if row["errors"] else "ok"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - one bad document must not stop the batch
        row.update(status="failed", error=_one_line(e), errors=None, warnings=None, info=None)
        with contextlib.suppress(OSError):
            out_path.unlink()  # a stale output of an input that now fails would mislead
    row["seconds"] = round(time.perf_counter() - t0, 4)
    return row


def _audit_before_generate(fig, strict: bool) -> list:
    """The table audit's errors (generate audits first); with ``strict`` the first is fatal."""
    from narrator.audit.engine import audit_figures

    errors = [f for f in audit_figures(fig, info=False) if f.severity == "error"]
    if errors and strict:
        first = errors[0]
        more = msg("cli.strict_more", count=len(errors) - 1) if len(errors) > 1 else ""
        raise InputError(msg("cli.strict_refused", code=first.code, message=first.message, more=more),
                         first.file, first.line, first.column)
    return errors


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
    with contextlib.suppress(Exception):
        from narrator.audit.engine import audit_figures

        audit_figures(fig)  # reads rules/audit.yaml and compiles the 等式 rules (generate audits first too)
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


# Set by the parent on Ctrl-C or SIGTERM: a worker ends its chunk after the document at hand,
# so that every output it wrote comes back as a row (see _Run.stop)
_STOP = None


def _die_with_parent(parent: int | None) -> None:
    """Linux: the kernel sends this worker SIGTERM when the parent dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if parent is not None and os.getppid() != parent:  # the parent died before prctl
            os._exit(1)


def _init_worker(opts: Options, stop=None, parent: int | None = None) -> None:
    global _OPTS, _STOP
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's SIGTERM handler is not inherited
    _die_with_parent(parent)
    _OPTS = opts
    _STOP = stop
    set_lang(opts.lang)
    if _WARM != (opts.command, opts.pack):
        _warm_up(opts)


def _run_chunk(items: list[dict]) -> list[dict]:
    assert _OPTS is not None
    rows = []
    for it in items:
        if _STOP is not None and _STOP.is_set():
            break  # interrupted: hand back what is done; the rest is not run
        rows.append(process(it, _OPTS))
        _after_document()
    return rows


# The caches keyed by document content (narrator.core.caches) pay off within a document and the
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
