"""Load, audit and check one document: the use case the CLI and batch share.

A whole disclosure (its tables and its 情况说明) needs no figures file: the figures come from
its own tables, every repair of extraction noise is reported, and only the numbers of the
情况说明 are checked as claims.
"""

from __future__ import annotations

from decimal import Decimal

from pathlib import Path
from typing import Optional

from narrator.core.errors import InputError
from narrator.core.messages import msg

FIGURES_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".xlsm", ".xls")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def load_text_or_document(path: Path) -> str:
    """The text of a narrative (text) or of a whole disclosure (text, PDF, docx, HTML, .xlsx/.xls sheets)."""
    from narrator.core.textio import read_text

    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx", ".html", ".htm", ".xhtml", ".shtml") or suffix in WORKBOOK_SUFFIXES:
        from narrator.sources.documents import load_document

        doc = load_document(path)
        return doc.text
    text, _enc = read_text(path)
    return text


def figures_from_document(text: str, name: str):
    """(figures, reading findings, narrative region) from a whole disclosure; Nones for a bare narrative.

    A disclosure read in part gives the figures that were read: every table or required figure
    that could not be read is a D-warning (D003 not found, D004 not read, D005 not read
    reliably), never an abort."""
    from narrator.sources.disclosure import parse_tables, split_disclosure

    parts = split_disclosure(text)
    if parts is None or not getattr(parts, "has_tables", False):
        return None, [], None
    from narrator.figures.model import figures_from_tree
    from narrator.sources.disclosure.gaps import missing_figures

    where: dict = {}
    tree, repairs = parse_tables(text, name, where, parts)
    nine = _nine_tables()
    if not tree or not any(k in tree for k in nine):
        return None, list(repairs), parts.narrative
    reported = {f.extra.get("unread") for f in repairs if f.code in ("D003", "D005")}
    gaps = missing_figures(tree, name, reported)
    fig = figures_from_tree(tree, name, required=False)
    fig.lines.update(where)  # table findings point at the row's line in the document
    for f in repairs:         # cells the reader could not complete (D002): the audit gives them room
        if f.extra.get("uncertain"):
            path, room = f.extra["uncertain"]
            fig.uncertain[tuple(path)] = Decimal(room)
    return fig, list(repairs) + gaps, parts.narrative


def _nine_tables() -> list[str]:
    from narrator.sources.disclosure import vocabulary

    return [t["键"] for t in vocabulary()["表"]]


def load_any_figures(source: Path):
    """A figures file, a workbook, or a whole disclosure (its tables)."""
    from narrator.figures.load import load_figures

    if source.suffix.lower() in FIGURES_SUFFIXES:
        try:
            return load_figures(source)
        except InputError:
            fig = _disclosure_workbook(source)        # a whole disclosure in a workbook's sheets
            if fig is None:
                raise
            return fig
    text = load_text_or_document(source)
    fig, _repairs, _region = figures_from_document(text, str(source))
    if fig is None:
        raise InputError(msg("cli.no_tables_found"), str(source))
    return fig


def _disclosure_workbook(source: Path):
    """The figures of a workbook that holds a whole disclosure (its tables and its 情况说明 as
    sheet rows), or None when it is not one (then the workbook reader's error stands)."""
    if source.suffix.lower() not in WORKBOOK_SUFFIXES:
        return None
    from narrator.sources.disclosure import split_disclosure

    try:
        text = load_text_or_document(source)
    except InputError:
        return None
    parts = split_disclosure(text)
    if parts is None or not parts.has_tables or not parts.narrative:
        return None
    fig, _repairs, _region = figures_from_document(text, str(source))
    return fig


def check_file(path: Path, figures_path: Optional[Path], pack: str, no_figures: bool = False):
    """Load, audit and check one document: a CheckResult.

    With ``figures_path`` the text is checked against that figures file; otherwise, unless
    ``no_figures``, against the figures of its own tables when it is a whole disclosure.
    """
    from narrator.core.collector import fewer_collections
    from narrator.core.messages import one_language

    with fewer_collections(), one_language():
        return _check_file(path, figures_path, pack, no_figures)


def _check_file(path: Path, figures_path: Optional[Path], pack: str, no_figures: bool):
    from narrator.audit.engine import audit_figures
    from narrator.check.checker import check_text
    from narrator.figures.load import load_figures

    text = load_text_or_document(path)
    findings: list = []
    fig, region = None, None
    if figures_path is not None:
        fig = load_figures(figures_path)
    elif not no_figures:
        fig, findings, region = figures_from_document(text, str(path))
    if fig is not None:
        findings = findings + audit_figures(fig)
    result = check_text(text, str(path), fig, pack, audit=findings, region=region)
    result.unread = []
    if any(f.code.startswith("D") for f in findings):   # (the disclosure reader is not imported otherwise)
        from narrator.sources.disclosure.gaps import unread_summary

        result.unread = unread_summary(findings)      # what could not be checked, for the summary
    return result
