"""The text reports of ``check`` and ``validate``, one for the single command and batch alike."""

from __future__ import annotations


def check_report(result, show_info: bool = True) -> str:
    """One line per finding, then a summary line. Without ``show_info`` the info findings are
    left out and the summary says how many."""
    lines = [f.render() for f in result.findings if show_info or f.severity != "info"]
    hidden = sum(f.severity == "info" for f in result.findings) if not show_info else 0
    s = result.summary
    lines.append(f"{result.file}: {s['numbers']} numbers, {s['confirmed']} confirmed, "
                 f"{s['errors']} errors, {s['warnings']} warnings, {s['unverifiable']} unverifiable"
                 + (f", {hidden} info not shown (--show-info)" if hidden else "")
                 + (f" (figures: {result.figures}; pack: {result.pack})" if result.figures
                    else " (no figures: text checked against itself)")
                 + (f"; not read, so not checked: {'、'.join(unread)}"
                    if (unread := getattr(result, "unread", None)) else ""))
    return "\n".join(lines) + "\n"


def severity_counts(findings) -> dict[str, int]:
    return {sev: sum(f.severity == sev for f in findings) for sev in ("error", "warning", "info")}


def validate_report(name: str, findings, show_info: bool = True, info_count: bool = False) -> str:
    """One line per finding, then ``NAME: E errors, W warnings``. Without ``show_info`` the info
    findings are left out and the summary says how many; ``info_count`` (batch) always ends the
    summary with the number of info findings instead."""
    counts = severity_counts(findings)
    lines = [f.render() for f in findings if show_info or f.severity != "info"]
    if info_count:
        tail = f", {counts['info']} info"
    else:
        tail = "" if show_info or not counts["info"] else f", {counts['info']} info not shown (--show-info)"
    lines.append(f"{name}: {counts['error']} errors, {counts['warning']} warnings{tail}")
    return "\n".join(lines) + "\n"
