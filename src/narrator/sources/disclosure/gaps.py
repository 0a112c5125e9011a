"""What a disclosure's tables did not give: the figures the schema requires (单位, 年度, the
totals of 收入支出决算总表 …) that could not be read.

A disclosure read in part is still checked — the prose against itself and against every table
that was read — so a missing figure is a warning, one line each (``D004``), never an abort.
Tables whose titles were not found at all are already reported by the reader (``D003``).
"""

from __future__ import annotations

from narrator.core.findings import Finding
from narrator.core.messages import msg

_NAME = {"D003": "table-not-found", "D004": "figure-not-read", "D005": "table-not-read-reliably"}


def d_finding(code: str, message: str, source: str, unread: str, *, line: int | None = None,
              column: int | None = None, start: int | None = None) -> Finding:
    """A D-code warning (reading the document), one line; ``unread`` names what was not read."""
    return Finding(code, _NAME[code], "warning", message, file=source, line=line, column=column, start=start,
                   extra={"unread": unread})


def missing_figures(tree: dict, source: str, reported_tables: set[str] = frozenset()) -> list[Finding]:
    """One ``D004`` warning per figure the schema marks 必填 that ``tree`` lacks.

    A table in ``reported_tables`` (already reported as not found or not read) is not reported
    again, nor is anything inside it."""
    from narrator.figures.model import schema

    out: list[Finding] = []

    def walk(node, value: dict, path: tuple) -> None:
        for name, child in node.children.items():
            if child.kind == "same" or (not path and name in reported_tables):
                continue
            here = path + (name,)
            if name not in value or value[name] is None:
                if child.required:
                    named = " ".join(here)  # in the tables' words, never a dotted path
                    out.append(d_finding("D004", msg("reading.figure_not_read", name=named), source, named))
            elif child.kind in ("map", "table") and isinstance(value[name], dict) and child.required:
                walk(child, value[name], here)

    walk(schema(), tree or {}, ())
    return out


def unread_summary(findings: list[Finding]) -> list[str]:
    """What could not be checked, for the summary: the tables and figures named by the D-warnings."""
    return list(dict.fromkeys(f.extra["unread"] for f in findings
                              if f.code.startswith("D") and f.extra.get("unread")))
