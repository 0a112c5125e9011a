"""``narrator batch generate|check|validate``: one command over a whole folder of departments.

Wired into the main command line by ``app.add_typer(batch_app, name="batch")`` in cli.py.
Also runnable on its own: ``python -m narrator.cli.batch generate SOURCE… --out DIR``.
``narrator batch synth OUTDIR --count N`` writes synthetic departments for tests and
benchmarks (listed in ``batch --help``, as the README mentions it).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from narrator.core.errors import InputError, UsageError
from narrator.core.messages import msg

batch_app = typer.Typer(
    add_completion=False, no_args_is_help=True,
    help="Run generate, check or validate over many departments in parallel, with a summary.")

_SOURCES = typer.Argument(..., help="folders, globs (quote them) or files: figures files, workbooks or disclosures")
_OUT = typer.Option(..., "--out", "-o", help="output folder: one output per input (mirroring the input's path), "
                                              "plus summary.csv and summary.json")
_JOBS = typer.Option(None, "--jobs", "-j", min=1, help="worker processes (default: all cores)")
_FORCE = typer.Option(False, "--force", help="redo every input, even when its output is up to date; also use an "
                                              "--out folder holding files narrator did not write (never overwritten)")
_PROGRESS = typer.Option(True, "--progress/--no-progress", help="progress on stderr (a live line on a terminal)")


class BatchGenFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    docx = "docx"


class BatchCheckFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    docx = "docx"


class BatchValidateFormat(str, Enum):
    text = "text"
    json = "json"


def _run(command: str, sources: List[str], out: Path, **kw) -> None:
    from narrator.batch.run import run_batch

    try:
        result = run_batch(command, list(sources), out, **kw)
    except (InputError, UsageError) as e:
        typer.echo(msg("cli.usage" if isinstance(e, UsageError) else "cli.error", message=e), err=True)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        typer.echo(msg("cli.interrupted"), err=True)
        raise typer.Exit(130)
    from narrator.batch.progress import command_name

    t = result.totals
    if command == "generate":  # like generate: each department's table errors, as warnings
        for name, count, top in t.first_noted:
            for line in top:
                typer.echo(msg("cli.warning", message=msg("batch.audit_warning", line=line)), err=True)
            if count > len(top):
                typer.echo(msg("cli.warning", message=msg("batch.audit_more", name=name, count=count - len(top))),
                           err=True)
        if t.noted > len(t.first_noted):
            typer.echo(msg("batch.audit_departments_more", count=t.noted - len(t.first_noted)), err=True)
    for line in t.first_failures:
        typer.echo(msg("batch.failed", message=line), err=True)
    if t.failed > len(t.first_failures):
        typer.echo(msg("batch.more_failed", count=t.failed - len(t.first_failures)), err=True)
    undone = msg("summary.undone", count=t.interrupted) if t.interrupted else ""
    typer.echo(msg("batch.done", command=command_name(command), documents=t.documents, ok=t.ok,
                   with_errors=t.with_errors, failed=t.failed, skipped=t.skipped, undone=undone, errors=t.errors,
                   warnings=t.warnings, summary=out / "summary.csv",
                   interrupted=msg("batch.interrupted_tail") if result.interrupted else ""), err=True)
    raise typer.Exit(result.exit_code)


@batch_app.command("generate")
def batch_generate(
    sources: List[str] = _SOURCES,
    out: Path = _OUT,
    jobs: Optional[int] = _JOBS,
    pack: str = typer.Option("standard", "--pack", "-p", help="standard | shanghai | a template folder"),
    fmt: BatchGenFormat = typer.Option(BatchGenFormat.text, "--format", "-f", help="text | markdown | json | docx"),
    force: bool = _FORCE,
    progress: bool = _PROGRESS,
    strict: bool = typer.Option(False, "--strict", help="a department whose tables fail the audit (validate's "
                                                         "errors) is failed: nothing written for it"),
) -> None:
    """Write the 情况说明 of every department (SOURCE: figures files or workbooks; the tables are audited
    first: their errors are warned about)."""
    _run("generate", sources, out, jobs=jobs, pack=pack, fmt=fmt.value, force=force, progress=progress,
         strict=strict)


@batch_app.command("check")
def batch_check(
    sources: List[str] = _SOURCES,
    out: Path = _OUT,
    jobs: Optional[int] = _JOBS,
    figures_dir: Optional[Path] = typer.Option(
        None, "--figures-dir", help="figures files matched by name: DIR/<stem>.yaml for <stem>.txt "
                                    "(else a sibling <stem>.figures.yaml or <stem>.yaml, else none)"),
    pack: str = typer.Option("auto", "--pack", "-p", help="auto | standard | shanghai | a template folder"),
    fmt: BatchCheckFormat = typer.Option(BatchCheckFormat.text, "--format", "-f", help="text | json | html | docx"),
    no_figures: bool = typer.Option(False, "--no-figures", help="check every text against itself only"),
    force: bool = _FORCE,
    progress: bool = _PROGRESS,
) -> None:
    """Check every 情况说明 or disclosure (SOURCE: texts, PDFs, docx) against its figures."""
    _run("check", sources, out, jobs=jobs, pack=pack, fmt=fmt.value, force=force, progress=progress,
         figures_dir=figures_dir, no_figures=no_figures)


@batch_app.command("validate")
def batch_validate(
    sources: List[str] = _SOURCES,
    out: Path = _OUT,
    jobs: Optional[int] = _JOBS,
    fmt: BatchValidateFormat = typer.Option(BatchValidateFormat.text, "--format", "-f", help="text | json"),
    force: bool = _FORCE,
    progress: bool = _PROGRESS,
) -> None:
    """Audit the tables of every department (SOURCE: figures files or workbooks)."""
    _run("validate", sources, out, jobs=jobs, fmt=fmt.value, force=force, progress=progress)


def synth_command(
    outdir: Path = typer.Argument(..., help="folder to write deptNNNN.yaml (and .txt) into"),
    count: int = typer.Option(100, "--count", "-n", min=1, help="how many departments"),
    seed: int = typer.Option(0, "--seed", help="same seed, same departments"),
    rows: Optional[int] = typer.Option(None, "--rows", min=1, help="功能分类 rows per department (default: 10–200)"),
    with_narrative: bool = typer.Option(False, "--with-narrative",
                                        help="also deptNNNN.txt: the standard draft with 3 numbers altered"),
    jobs: Optional[int] = _JOBS,
) -> None:
    """Write synthetic departments: random but internally consistent figures (for tests and benchmarks)."""
    from narrator.batch.synth import synth_many

    last = [0.0]

    def tick(done: int) -> None:
        import time

        now = time.monotonic()
        if sys.stderr.isatty() and (now - last[0] > 0.1 or done == count):
            sys.stderr.write(f"\r[{done}/{count}]")
            sys.stderr.flush()
            last[0] = now

    synth_many(outdir, count, seed, rows, with_narrative, jobs, tick)
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    typer.echo(msg("batch.synth_wrote", count=count, path=outdir), err=True)


batch_app.command("synth")(synth_command)


def main() -> None:
    batch_app(prog_name="narrator batch")


if __name__ == "__main__":
    main()
