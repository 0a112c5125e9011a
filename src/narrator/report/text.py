"""The text reports of ``check`` and ``validate``, one for the single command and batch alike."""

from __future__ import annotations

WIDTH = 120   # a finding's first line; a longer formula goes on indented lines below it


def check_report(result, show_info: bool = True) -> str:
    """One line per finding, then a summary line. Without ``show_info`` the info findings are
    left out and the summary says how many."""
    lines = [f.render(WIDTH) for f in result.findings if show_info or f.severity != "info"]
    hidden = sum(f.severity == "info" for f in result.findings) if not show_info else 0
    s = result.summary
    lines.append(f"{result.file}: 数字{s['numbers']}个，已核实{s['confirmed']}个，错误{s['errors']}处，"
                 f"警告{s['warnings']}处，无法核对{s['unverifiable']}个"
                 + (f"，另有{hidden}条信息未显示（--show-info）" if hidden else "")
                 + (f"（决算数据：{result.figures}；模板：{result.pack}）" if result.figures
                    else "（未提供决算数据：只核对文字自身）")
                 + (f"；未能读出、因而未核对：{'、'.join(unread)}"
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
        tail = f"，信息{counts['info']}条"
    else:
        tail = "" if show_info or not counts["info"] else f"，另有{counts['info']}条信息未显示（--show-info）"
    lines.append(f"{name}: 错误{counts['error']}处，警告{counts['warning']}处{tail}")
    return "\n".join(lines) + "\n"
