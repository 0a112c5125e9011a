"""The ``narrator`` command line."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperOption

from narrator import __version__
from narrator.core.errors import InputError, UsageError
from narrator.cli.helptext import LocalisedGroup
from narrator.core.messages import LANGS, msg, set_lang
from narrator.core.outputs import guard_outputs, is_stdout, stdout_write, write_output
from narrator.pipeline import (
    WORKBOOK_SUFFIXES, check_file, figures_from_document, load_any_figures, load_text_or_document,
)
from narrator.report.text import check_report, severity_counts, validate_report

_display_type = getattr(TyperOption, "display_type_rich", None)


def _flag_without_type(self, ctx):
    """A flag takes no value: show none in --help (some typer versions print "<bool>")."""
    return None if self.is_flag else _display_type(self, ctx)


if _display_type is not None:
    TyperOption.display_type_rich = _flag_without_type

# help texts are keys of rules/messages.yaml, resolved in the chosen language when the command runs
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,  # plain help: rich costs ~150 ms
                  pretty_exceptions_enable=False, cls=LocalisedGroup, help="help.narrator")


class GenFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    docx = "docx"


def _fail(e: Exception) -> None:
    typer.echo(msg("cli.usage" if isinstance(e, UsageError) else "cli.error", message=e), err=True)
    raise typer.Exit(2)


def _emit(data: str | bytes, output: Optional[Path]) -> None:
    if output is None or is_stdout(output):
        if isinstance(data, bytes):
            raise UsageError(msg("cli.binary_needs_file"))
        stdout_write(data)
    else:
        write_output(output, data)


def _audit_before_generate(fig, strict: bool) -> list[str]:
    """The table audit's errors: one warning line each (returned, for stderr once the draft is
    written, so that a later error stays the only line), or (``--strict``) one fatal line."""
    from narrator.audit.engine import audit_figures

    errors = [f for f in audit_figures(fig, info=False) if f.severity == "error"]
    if not errors:
        return []
    if strict:
        first = errors[0]
        more = msg("cli.strict_more", count=len(errors) - 1) if len(errors) > 1 else ""
        raise InputError(msg("cli.strict_refused", code=first.code, message=first.message, more=more),
                         first.file, first.line, first.column)
    return [msg("cli.warning", message=msg("cli.audit_warning", where=f.location(), code=f.code, message=f.message))
            for f in errors]


@app.command(help="help.generate")
def generate(
    figures: Path = typer.Argument(..., help="help.figures_source"),
    pack: str = typer.Option("standard", "--pack", "-p", help="help.pack"),
    fmt: GenFormat = typer.Option(GenFormat.text, "--format", "-f", help="help.format"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="help.generate.output"),
    like: Optional[Path] = typer.Option(None, "--like", help="help.generate.like"),
    like_figures: Optional[Path] = typer.Option(None, "--like-figures", help="help.generate.like_figures"),
    save_pack: Optional[Path] = typer.Option(None, "--save-pack", metavar="help.metavar.dir", help="help.generate.save_pack"),
    strict: bool = typer.Option(False, "--strict", help="help.generate.strict"),
) -> None:
    from narrator.figures.load import load_figures
    from narrator.render.engine import render
    from narrator.report import markdown as out

    try:
        guard_outputs([("-o", output)], [figures, like, like_figures])
        if fmt == GenFormat.docx and (output is None or is_stdout(output)):
            raise UsageError(msg("cli.docx_needs_file"))
        if save_pack is not None and like is not None:
            from narrator.render.like_pack import check_pack_folder
            check_pack_folder(save_pack)        # refused before anything is read or written
        fig = load_figures(figures)
        warnings = _audit_before_generate(fig, strict)
        if like is not None:
            from narrator.render.like import render_like
            last = load_any_figures(like_figures) if like_figures is not None else None
            text = load_text_or_document(like)
            # a whole disclosure: its 情况说明 is the wording, its tables last year's figures
            tables, _findings, region = figures_from_document(text, str(like))
            if region is not None:
                text = text[region[0]:region[1]]
            draft, _ = render_like(text, fig, last if last is not None else tables, save_pack, str(like))
        elif like_figures is not None or save_pack is not None:
            raise UsageError(msg("cli.like_options_need_like"))
        else:
            draft = render(fig, pack)
        if fmt == GenFormat.json:
            data = json.dumps(draft.to_json(), ensure_ascii=False, indent=2)
        elif fmt == GenFormat.markdown:
            data = out.draft_markdown(draft)
        elif fmt == GenFormat.docx:
            if output is None or is_stdout(output):
                raise UsageError(msg("cli.docx_needs_file"))
            from narrator.report.docx import draft_docx
            data = draft_docx(draft, fig)
        else:
            data = out.draft_text(draft)
        _emit(data, output)
    except (InputError, UsageError) as e:
        _fail(e)
    for w in warnings:
        typer.echo(w, err=True)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    docx = "docx"


@app.command(help="help.check")
def check(
    text: Path = typer.Argument(..., help="help.check.text"),
    figures: Optional[Path] = typer.Option(None, "--figures", help="help.check.figures"),
    pack: str = typer.Option("auto", "--pack", "-p", help="help.pack_auto"),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f", help="help.format"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="help.output_report"),
    fix: Optional[Path] = typer.Option(None, "--fix", help="help.check.fix"),
    no_figures: bool = typer.Option(False, "--no-figures", help="help.check.no_figures"),
    show_info: bool = typer.Option(False, "--show-info", help="help.show_info"),
) -> None:
    try:
        if is_stdout(fix):
            raise UsageError(msg("cli.fix_needs_file"))
        if figures is not None and no_figures:
            raise UsageError(msg("cli.figures_and_no_figures"))
        guard_outputs([("-o", output), ("--fix", fix)], [text, figures])
        result = check_file(text, figures, pack, no_figures)
        if fmt == CheckFormat.json:
            data = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
        elif fmt == CheckFormat.html:
            from narrator.report.html import check_html
            data = check_html(result)
        elif fmt == CheckFormat.docx:
            if output is None or is_stdout(output):
                raise UsageError(msg("cli.docx_needs_file"))
            from narrator.report.docx import review_docx
            data = review_docx(result)
        else:
            data = check_report(result, show_info)
        if fix is not None:
            write_output(fix, result.fixed_text(), "--fix")
        _emit(data, output)
    except (InputError, UsageError) as e:
        _fail(e)
    raise typer.Exit(1 if result.summary["errors"] else 0)


@app.command(help="help.validate")
def validate(
    figures: Path = typer.Argument(..., help="help.figures_source"),
    fmt: str = typer.Option("text", "--format", "-f", metavar="text|json", help="help.format"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="help.output_report"),
    show_info: bool = typer.Option(False, "--show-info", help="help.validate.show_info"),
) -> None:
    from narrator.audit.engine import audit_figures

    try:
        guard_outputs([("-o", output)], [figures])
        fig = load_any_figures(figures)
        findings = audit_figures(fig)
        counts = severity_counts(findings)
        if fmt == "json":
            data = json.dumps({"file": str(figures), "summary": counts,
                               "findings": [f.to_json() for f in findings]}, ensure_ascii=False, indent=2)
        elif fmt == "text":
            data = validate_report(str(figures), findings, show_info)
        else:
            raise UsageError(msg("cli.unknown_format", fmt=fmt, choices="text | json"))
        _emit(data, output)
    except (InputError, UsageError) as e:
        _fail(e)
    raise typer.Exit(1 if counts["error"] else 0)


@app.command(help="help.extract")
def extract(
    document: Path = typer.Argument(..., help="help.extract.document"),
    fmt: str = typer.Option("yaml", "--format", "-f", metavar="yaml|json", help="help.format"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="help.extract.output"),
) -> None:
    from narrator.figures.dump import dump_yaml, figures_to_tree

    try:
        guard_outputs([("-o", output)], [document])
        if document.suffix.lower() in WORKBOOK_SUFFIXES:      # a workbook of the tables: read as by convert
            fig, repairs = load_any_figures(document), []
        else:
            text = load_text_or_document(document)
            fig, repairs, _region = figures_from_document(text, str(document))
        if fig is None:
            raise InputError(msg("cli.no_tables_found"), str(document))
        for f in repairs:
            typer.echo(f.render(), err=True)
        if fmt == "json":
            data = json.dumps(figures_to_tree(fig), ensure_ascii=False, indent=2, default=str)
        elif fmt == "yaml":
            data = dump_yaml(fig)
        else:
            raise UsageError(msg("cli.unknown_format", fmt=fmt, choices="yaml | json"))
        _emit(data, output)
    except (InputError, UsageError) as e:
        _fail(e)


@app.command("rules", help="help.rules")
def rules_cmd(
    code: Optional[str] = typer.Argument(None, help="help.rules.code"),
    fmt: str = typer.Option("text", "--format", "-f", metavar="text|json", help="help.format"),
) -> None:
    from narrator.core.catalogue import catalogue
    from narrator.core.messages import severity_label

    cat = catalogue()
    if fmt == "json":
        typer.echo(json.dumps({c: r.__dict__ for c, r in cat.items()}, ensure_ascii=False, indent=2))
        return
    if code:
        r = cat.get(code.upper())
        if r is None:
            typer.echo(msg("cli.usage", message=msg("cli.unknown_rule", code=code)), err=True)
            raise typer.Exit(2)
        typer.echo(f"{r.code} {r.name} [{severity_label(r.severity)}] {r.message}\n\n{r.doc}\n\n"
                   + msg("cli.rule_examples", wrong=r.wrong, right=r.right))
        return
    group = None
    for r in cat.values():
        if r.group != group:
            group = r.group
            typer.echo({"prose": msg("cli.rules_group_prose"), "tables": msg("cli.rules_group_tables")}.get(group, group))
        typer.echo(f"{r.code}  {r.name:<28} {severity_label(r.severity):<8} {r.message}")


@app.command("init-workbook", help="help.init_workbook")
def init_workbook(out: Path = typer.Argument(..., help="help.init_workbook.out")) -> None:
    from narrator.sources.workbook import write_workbook

    try:
        if out.suffix.lower() != ".xlsx":
            raise UsageError(msg("cli.workbook_must_be_xlsx", path=out))
        if out.exists() or out.is_symlink():
            raise UsageError(msg("cli.workbook_exists", path=out))
        guard_outputs([("init-workbook", out)], [])
        write_workbook(None, out)
    except (InputError, UsageError) as e:
        _fail(e)
    typer.echo(msg("cli.wrote", path=out))


@app.command(help="help.convert")
def convert(
    source: Path = typer.Argument(..., help="help.figures_source"),
    output: Path = typer.Option(..., "-o", "--output", help="help.convert.output"),
) -> None:
    from narrator.figures.dump import dump_yaml, figures_to_tree
    from narrator.sources.workbook import write_workbook

    try:
        guard_outputs([("-o", output)], [source])
        fig = load_any_figures(source)
        suffix = output.suffix.lower()
        if suffix == ".xlsx":
            write_workbook(fig, output)
        elif suffix in (".yaml", ".yml"):
            write_output(output, dump_yaml(fig))
        elif suffix == ".json":
            write_output(output, json.dumps(figures_to_tree(fig), ensure_ascii=False, indent=2, default=str))
        else:
            raise UsageError(msg("cli.convert_suffix", path=output))
    except (InputError, UsageError) as e:
        _fail(e)


@app.command(help="help.version")
def version() -> None:
    typer.echo(__version__)


from narrator.cli.batch import batch_app  # noqa: E402

app.add_typer(batch_app, name="batch")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback(help="help.narrator")
def _root(
    debug: bool = typer.Option(False, "--debug", help="help.narrator.debug"),
    show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="help.narrator.version"),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh|en", help="help.narrator.lang"),
) -> None:
    value = (lang or "").strip().lower() or None
    if value is not None and value not in LANGS:
        set_lang(None)
        typer.echo(msg("cli.usage", message=msg("cli.bad_lang", value=lang)), err=True)
        raise typer.Exit(2)
    set_lang(value)


def _lang_first(args: list[str]) -> list[str]:
    """``--lang X`` may be given anywhere (like ``--debug``): move it before the command."""
    end = args.index("--") if "--" in args else len(args)
    for i, a in enumerate(args[:end]):
        if a.startswith("--lang="):
            return [a, *args[:i], *args[i + 1:]]
        if a == "--lang" and i + 1 < end:
            return [a, args[i + 1], *args[:i], *args[i + 2:]]
    return args


def main(argv: Optional[List[str]] = None) -> None:
    """The ``narrator`` command: every failure ends in one line on stderr.

    Exit codes: 0 clean, 1 errors found, 2 unusable input or usage (including an internal
    error: one line asking for a report; ``--debug`` shows the traceback), 130 interrupted.
    """
    from narrator.cli.errors import install_usage_messages, run_guarded

    install_usage_messages()
    args = _lang_first(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    run_guarded(lambda: app(args=args, prog_name="narrator"), debug)


if __name__ == "__main__":
    main()
