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

from narrator.cli.helptext import LocalisedGroup
from narrator.core.errors import InputError, UsageError
from narrator.core.messages import msg

# help texts: keys of rules/messages.yaml (cli/helptext.py resolves them)
batch_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, cls=LocalisedGroup,
                        help="help.batch")

_SOURCES = typer.Argument(..., help="help.batch.sources")
_OUT = typer.Option(..., "--out", "-o", metavar="help.metavar.dir", help="help.batch.out")
_JOBS = typer.Option(None, "--jobs", "-j", min=1, help="help.batch.jobs")
_FORCE = typer.Option(False, "--force", help="help.batch.force")
_PROGRESS = typer.Option(True, "--progress/--no-progress", help="help.batch.progress")


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


@batch_app.command("generate", help="help.batch.generate")
def batch_generate(
    sources: List[str] = _SOURCES,
    out: Path = _OUT,
    jobs: Optional[int] = _JOBS,
    pack: str = typer.Option("standard", "--pack", "-p", help="help.pack"),
    fmt: BatchGenFormat = typer.Option(BatchGenFormat.text, "--format", "-f", help="help.format"),
    force: bool = _FORCE,
    progress: bool = _PROGRESS,
    strict: bool = typer.Option(False, "--strict", help="help.batch.generate.strict"),
) -> None:
    _run("generate", sources, out, jobs=jobs, pack=pack, fmt=fmt.value, force=force, progress=progress,
         strict=strict)


@batch_app.command("check", help="help.batch.check")
def batch_check(
    sources: List[str] = _SOURCES,
    out: Path = _OUT,
    jobs: Optional[int] = _JOBS,
    figures_dir: Optional[Path] = typer.Option(None, "--figures-dir", metavar="help.metavar.dir", help="help.batch.check.figures_dir"),
    pack: str = typer.Option("auto", "--pack", "-p", help="help.pack_auto"),
    fmt: BatchCheckFormat = typer.Option(BatchCheckFormat.text, "--format", "-f", help="help.format"),
    no_figures: bool = typer.Option(False, "--no-figures", help="help.batch.check.no_figures"),
    force: bool = _FORCE,
    progress: bool = _PROGRESS,
) -> None:
    _run("check", sources, out, jobs=jobs, pack=pack, fmt=fmt.value, force=force, progress=progress,
         figures_dir=figures_dir, no_figures=no_figures)


@batch_app.command("validate", help="help.batch.validate")
def batch_validate(
    sources: List[str] = _SOURCES,
    out: Path = _OUT,
    jobs: Optional[int] = _JOBS,
    fmt: BatchValidateFormat = typer.Option(BatchValidateFormat.text, "--format", "-f", help="help.format"),
    force: bool = _FORCE,
    progress: bool = _PROGRESS,
) -> None:
    _run("validate", sources, out, jobs=jobs, fmt=fmt.value, force=force, progress=progress)


def synth_command(
    outdir: Path = typer.Argument(..., metavar="OUTDIR", help="help.batch.synth.outdir"),
    count: int = typer.Option(100, "--count", "-n", min=1, help="help.batch.synth.count"),
    seed: int = typer.Option(0, "--seed", help="help.batch.synth.seed"),
    rows: Optional[int] = typer.Option(None, "--rows", min=1, help="help.batch.synth.rows"),
    with_narrative: bool = typer.Option(False, "--with-narrative", help="help.batch.synth.with_narrative"),
    jobs: Optional[int] = _JOBS,
) -> None:
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


batch_app.command("synth", help="help.batch.synth")(synth_command)


def main() -> None:
    batch_app(prog_name="narrator batch")


if __name__ == "__main__":
    main()
