"""The ``narrator`` command line."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import InputError, UsageError
from .textio import atomic_write

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="narrator: generate and check 部门决算情况说明 (rule-based, no language model).")


class GenFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    docx = "docx"


def _fail(e: Exception) -> None:
    typer.echo(f"narrator: {e}" if isinstance(e, UsageError) else f"narrator: error: {e}", err=True)
    raise typer.Exit(2)


def _emit(data: str | bytes, output: Optional[Path]) -> None:
    if output is None:
        if isinstance(data, bytes):
            raise UsageError("this format is binary: give -o FILE")
        sys.stdout.write(data)
        if not data.endswith("\n"):
            sys.stdout.write("\n")
    else:
        atomic_write(output, data)


@app.command()
def generate(
    figures: Path = typer.Argument(..., help="figures file (YAML/JSON), workbook (.xlsx) or disclosure"),
    pack: str = typer.Option("standard", "--pack", "-p", help="standard | shanghai | a template folder"),
    fmt: GenFormat = typer.Option(GenFormat.text, "--format", "-f", help="text | markdown | json | docx"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="write here (atomically) instead of stdout"),
) -> None:
    """Write the whole 情况说明 from the figures."""
    from .figures import load_figures
    from .render import render
    from . import output as out

    try:
        fig = load_figures(figures)
        draft = render(fig, pack)
        if fmt == GenFormat.json:
            data = json.dumps(draft.to_json(), ensure_ascii=False, indent=2)
        elif fmt == GenFormat.markdown:
            data = out.draft_markdown(draft)
        elif fmt == GenFormat.docx:
            if output is None:
                raise UsageError("--format docx needs -o FILE")
            from .docx_out import draft_docx
            data = draft_docx(draft, fig)
        else:
            data = draft.text
        _emit(data, output)
    except (InputError, UsageError) as e:
        _fail(e)


@app.command()
def version() -> None:
    """Print narrator's version."""
    typer.echo(__version__)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
