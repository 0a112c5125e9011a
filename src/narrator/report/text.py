"""The text reports of ``check`` and ``validate``, one for the single command and batch alike."""

from __future__ import annotations

from narrator.core.messages import msg

WIDTH = 120   # a finding's first line; a longer formula goes on indented lines below it


def check_report(result, show_info: bool = True) -> str:
    """One line per finding, then a summary line. Without ``show_info`` the info findings are
    left out and the summary says how many."""
    lines = [f.render(WIDTH) for f in result.findings if show_info or f.severity != "info"]
    hidden = sum(f.severity == "info" for f in result.findings) if not show_info else 0
    s = result.summary
    lines.append(msg("report.check_summary", file=result.file, numbers=s["numbers"], confirmed=s["confirmed"],
                     errors=s["errors"], warnings=s["warnings"], unverifiable=s["unverifiable"])
                 + (msg("report.hidden_info", count=hidden) if hidden else "")
                 + (msg("report.against_figures", figures=result.figures, pack=result.pack) if result.figures
                    else msg("report.without_figures"))
                 + (msg("report.unread", parts="、".join(unread))
                    if (unread := getattr(result, "unread", None)) else ""))
    return "\n".join(lines) + "\n"


def severity_counts(findings) -> dict[str, int]:
    return {sev: sum(f.severity == sev for f in findings) for sev in ("error", "warning", "info")}


def validate_report(name: str, findings, show_info: bool = True, info_count: bool = False) -> str:
    """One line per finding, then ``NAME: E errors, W warnings``. Without ``show_info`` the info
    findings are left out and the summary says how many; ``info_count`` (batch) always ends the
    summary with the number of info findings instead."""
    counts = severity_counts(findings)
    lines = [f.render(WIDTH) for f in findings if show_info or f.severity != "info"]
    if info_count:
        tail = msg("report.info_count", count=counts["info"])
    else:
        tail = "" if show_info or not counts["info"] else msg("report.hidden_info", count=counts["info"])
    lines.append(msg("report.validate_summary", file=name, errors=counts["error"], warnings=counts["warning"],
                     tail=tail))
    return "\n".join(lines) + "\n"
