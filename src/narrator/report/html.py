"""HTML review reports: one self-contained page per checked document, and a batch index.

``check_html(result)`` shows the checked text with every finding highlighted where it is
(severity colour, the expected value and the formula on hover, a numbered side list that links
to each place and back), confirmed and unverifiable numbers marked subtly, and a summary on top.
``batch_index_html(rows)`` is a sortable, filterable table over many such reports.

Both pages work offline: CSS and JavaScript are inline, no fonts or scripts are fetched. The
templates live in ``templates/report/`` and are rendered with their own autoescaping Jinja
environment (the draft templates produce plain text and do not autoescape).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from narrator import __version__
from narrator.core.messages import msg
from narrator.core.resources import templates_dir

_RANK = {"error": 0, "warning": 1, "info": 2}
_STATUSES = ("ok", "failed", "skipped")
# the page's fixed words (rules/messages.yaml html.*), handed to the templates as ``w``
_WORDS = ("html.lang", "html.found", "html.expected", "html.formula", "html.heading", "html.meta_file",
          "html.meta_figures", "html.meta_no_figures", "html.meta_pack", "html.count_numbers",
          "html.claim_confirmed", "html.count_unverifiable", "html.legend", "html.legend_label", "html.legend_hint",
          "html.toggle_claims", "html.text_heading", "html.findings_heading", "html.show",
          "html.no_findings_in_text", "html.tables_heading", "html.batch_heading", "html.documents",
          "html.document", "html.with_errors", "html.failed", "html.skipped", "html.filter", "html.filter_label",
          "html.shown", "html.sort_hint", "html.status", "html.top", "html.no_documents", "html.verdict_clean")


def severity_labels() -> dict[str, str]:
    """error / warning / info → the page's word for it (错误 / 警告 / 提示)."""
    return {"error": msg("report.severity.error"), "warning": msg("report.severity.warning"), "info": msg("report.severity.info")}


def _status_label(status: str) -> str:
    return {"ok": msg("html.status.ok"), "failed": msg("html.status.failed"),
            "skipped": msg("html.status.skipped")}.get(status, status)


def _words() -> dict[str, str]:
    return {key.removeprefix("html."): msg(key) for key in _WORDS}


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir() / "report")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# -- one document -------------------------------------------------------------------------
@dataclass
class _Span:
    start: int
    end: int
    prio: int            # 0 finding, 1 claim
    seq: int             # finding number (1-based) or claim index
    open_tag: Markup
    close_tag: Markup
    cont_tag: Markup | None = None   # opening tag for the rest of a finding cut by an enclosing one
    point: bool = False
    rank: int = 9        # 0 error, 1 warning, 2 info: the more severe of two crossing findings stays whole

    def key(self):
        return (self.start, -self.end, self.prio, self.seq)


def _sev(f) -> str:
    return f.severity if f.severity in _RANK else "info"


def _finding_title(f) -> str:
    title = f"{f.code} {f.message}"
    if f.found is not None or f.expected is not None:
        title = msg("html.title_values", title=title, found=f.found if f.found is not None else "?",
                    expected=f.expected if f.expected is not None else "?")
    if f.formula:
        title += f"  {f.formula}"
    return title


def _finding_tip(f) -> str:
    lines = [f"{severity_labels()[_sev(f)]} · {f.code} {f.message}"]
    if f.found is not None:
        lines.append(msg("html.tip_found", value=f.found))
    if f.expected is not None:
        lines.append(msg("html.tip_expected", value=f.expected))
    if f.formula:
        lines.append(msg("html.tip_formula", formula=f.formula))
    return "\n".join(lines)


def _attr(value: str) -> Markup:
    return escape(value)


def _claim_span(i: int, c) -> _Span | None:
    m = c.mention
    status = getattr(c, "status", "unverifiable")
    slot = getattr(c, "slot", None)
    formula = None
    if slot is not None:
        try:
            formula = slot.formula
        except Exception:  # pragma: no cover - an explanation that cannot be worked out is no reason to fail
            formula = None
        label = getattr(slot, "label", None)
    else:
        label = None
    if status == "confirmed":
        cls, title = "claim ok", msg("html.claim_confirmed_as", label=label) if label else msg("html.claim_confirmed")
        if formula:
            title += f"  {formula}"
    elif status == "mismatch":
        cls = "claim bad"
        title = (msg("html.claim_mismatch_expected", expected=c.expected) if c.expected is not None
                 else msg("html.claim_mismatch"))
    else:
        cls, title = "claim unv", msg("html.claim_unverifiable")
    open_tag = Markup(f'<span class="{cls}" title="{_attr(title)}">')
    return _Span(m.start, m.end, 1, i, open_tag, Markup("</span>"))


def in_text(f, n: int, file: str | None = None) -> bool:
    """Whether a finding points into the checked text (table-audit findings point into the figures)."""
    if f.start is None or not (0 <= f.start <= n):
        return False
    return file is None or f.file is None or f.file == file


def _finding_span(i: int, f, n: int, file: str | None) -> _Span | None:
    if not in_text(f, n, file):
        return None
    end = f.end if f.end is not None else f.start
    end = max(f.start, min(end, n))
    sev = _sev(f)
    title, tip = _attr(_finding_title(f)), _attr(_finding_tip(f))
    point = end == f.start
    open_tag = Markup(f'<mark id="f{i}" class="finding {sev}{" point" if point else ""}" tabindex="-1" '
                      f'data-n="{i}" title="{title}" data-tip="{tip}">')
    label = escape(msg("html.finding_ref", n=i, label=severity_labels()[sev]))
    ref = Markup(f'<a class="ref {sev}" href="#l{i}" data-n="{i}" aria-label="{label}"></a>')
    cont = Markup(f'<mark class="finding {sev} cont" data-n="{i}" title="{title}" data-tip="{tip}">')
    return _Span(f.start, end, 0, i, open_tag, Markup("</mark>") + ref, cont, point, _RANK[sev])


def _line_start(text: str, line: int) -> int | None:
    """The offset of 1-based ``line`` in ``text`` (None past its end)."""
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    return pos


def row_line(f, file: str | None) -> int | None:
    """The line of the checked document a table finding is about (a whole disclosure's table
    row or title), or None when it points elsewhere (a separate figures file)."""
    if f.start is not None or f.line is None or file is None or f.file != file:
        return None
    return f.line


def highlight(text: str, findings: list, claims: list, file: str | None = None) -> Markup:
    """The checked text as HTML, each finding in a ``<mark id="fN">`` and each claim underlined.

    Spans are nested where one lies inside another. Of two findings that cross, the more severe
    stays whole and the other is split where they meet, its second part a continuation ``<mark>``
    without an id (on a tie the later one is split). A claim that overlaps a finding without lying
    inside it is left unmarked (the finding says more), as is a claim that crosses another claim.
    """
    n = len(text)
    fspans = [s for i, f in enumerate(findings, 1) if (s := _finding_span(i, f, n, file)) is not None]
    franges = [(s.start, s.end) for s in fspans]
    spans: list[_Span] = list(fspans)
    for i, f in enumerate(findings, 1):   # a table finding of the document: an anchor at its row
        if (line := row_line(f, file)) is not None and (at := _line_start(text, line)) is not None:
            spans.append(_Span(at, at, 0, i, Markup(f'<span class="row-anchor" id="r{i}"></span>'), Markup(""),
                               point=True))
    seen: set[tuple[int, int]] = set()
    for i, c in enumerate(claims):
        m = c.mention
        if m.start is None or m.end is None or not (0 <= m.start < m.end <= n) or (m.start, m.end) in seen:
            continue
        inside_or_clear = all(m.end <= a or m.start >= b or (a <= m.start and m.end <= b and (a, b) != (m.start, m.end))
                              for a, b in franges if b > a)
        if not inside_or_clear:
            continue
        seen.add((m.start, m.end))
        spans.append(_claim_span(i, c))

    heap = [(s.key(), k, s) for k, s in enumerate(spans)]
    heapq.heapify(heap)
    counter = len(spans)
    out: list[str] = []
    pos = 0
    stack: list[_Span] = []

    def emit_to(p: int):
        nonlocal pos
        if p > pos:
            out.append(escape(text[pos:p]))
            pos = p

    def close_until(p: int):
        while stack and stack[-1].end <= p:
            top = stack.pop()
            emit_to(top.end)
            out.append(top.close_tag)

    while heap:
        _, _, s = heapq.heappop(heap)
        close_until(s.start)
        if s.point:
            emit_to(s.start)
            out.append(s.open_tag + s.close_tag)
            continue
        if stack and s.end > stack[-1].end:
            if s.prio != 0:
                continue            # a claim crossing another span: leave it unmarked
            top = stack[-1]
            if (top.prio == 0 and s.rank < top.rank and s.start > top.start and top.cont_tag is not None
                    and (len(stack) == 1 or s.end <= stack[-2].end)):
                # the new finding is more severe: end the enclosing one here, continue it inside
                stack.pop()
                emit_to(s.start)
                out.append(top.close_tag)
                rest = _Span(s.start, top.end, 0, top.seq, top.cont_tag, Markup("</mark>"), top.cont_tag,
                             rank=top.rank)
                counter += 1
                heapq.heappush(heap, (rest.key(), counter, rest))
            else:
                cut = top.end
                if cut > s.start and s.cont_tag is not None:
                    rest = _Span(cut, s.end, 0, s.seq, s.cont_tag, Markup("</mark>"), s.cont_tag, rank=s.rank)
                    counter += 1
                    heapq.heappush(heap, (rest.key(), counter, rest))
                    s = _Span(s.start, cut, s.prio, s.seq, s.open_tag, s.close_tag, s.cont_tag, rank=s.rank)
        emit_to(s.start)
        out.append(s.open_tag)
        stack.append(s)
    close_until(n + 1)
    emit_to(n)
    return Markup("".join(out))


def _item(i: int, f, n: int, file: str | None) -> dict:
    sev = _sev(f)
    located = in_text(f, n, file)
    where = ""
    if f.line is not None:
        where = (msg("html.where_line_column", line=f.line, column=f.column) if f.column is not None
                 else msg("html.where_line", line=f.line))
    return {"n": i, "severity": sev, "label": severity_labels()[sev], "code": f.code, "name": f.name,
            "message": f.message, "found": f.found, "expected": f.expected, "formula": f.formula,
            "where": where, "file": f.file, "linked": located, "row": row_line(f, file) is not None}


def check_html(result) -> str:
    """The review page for one ``CheckResult``: a self-contained HTML string."""
    text = result.text
    # numbered in reading order: the findings in the text first, then those about the tables (most severe first)
    findings = [f for f in result.findings if in_text(f, len(text), result.file)]
    findings += sorted((f for f in result.findings if not in_text(f, len(text), result.file)),
                       key=lambda f: _RANK[_sev(f)])
    body = highlight(text, findings, list(result.claims), result.file)
    items = [_item(i, f, len(text), result.file) for i, f in enumerate(findings, 1)]
    text_items = [it for it in items if it["linked"]]
    tables = [it for it in items if not it["linked"]]
    table_counts = {sev: sum(it["severity"] == sev for it in tables) for sev in _RANK}
    s = result.summary
    counts = {
        "numbers": s.get("numbers", 0),
        "confirmed": s.get("confirmed", 0),
        "unverifiable": s.get("unverifiable", 0),
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
        "info": sum(_sev(f) == "info" for f in findings),
    }
    more = (msg("html.more_warnings", count=counts["warnings"]) if counts["errors"] and counts["warnings"] else "") \
        + (msg("html.more_info", count=counts["info"]) if counts["info"] else "")
    if counts["errors"]:
        verdict = msg("html.verdict_errors", errors=counts["errors"], rest=more)
    elif counts["warnings"]:
        verdict = msg("html.verdict_warnings", warnings=counts["warnings"], rest=more)
    else:
        verdict = None
    tables_note = (msg("html.tables_in_document", count=len(tables)) if any(it["row"] for it in tables)
                   else msg("html.tables_in_figures", count=len(tables)))
    return _env().get_template("check.html.j2").render(
        file=result.file, figures=result.figures, pack=result.pack, counts=counts,
        text_items=text_items, table_items=tables, total=len(items), body=body, version=__version__,
        labels=severity_labels(), w=_words(), verdict=verdict, tables_note=tables_note,
        title=msg("html.title", file=result.file), total_note=msg("html.findings_total", count=len(items)),
        table_counts=msg("html.table_counts", errors=table_counts["error"], warnings=table_counts["warning"],
                         info=table_counts["info"]), footer=msg("html.footer", version=__version__),
    )


# -- batch index --------------------------------------------------------------------------
_NUM_KEYS = ("errors", "warnings", "info", "numbers", "confirmed", "unverifiable")


def batch_index_html(rows: list[dict]) -> str:
    """An index page over a batch run: one row per document, sortable, filterable, totals on top."""
    clean = []
    for r in rows:
        row = {k: int(r.get(k) or 0) for k in _NUM_KEYS}
        status = r.get("status") or "ok"
        row.update(document=str(r.get("document", "")), output=r.get("output") or None, status=status,
                   status_label=_status_label(status), error_message=r.get("error_message"),
                   top=[str(t) for t in (r.get("top") or [])])
        clean.append(row)
    clean.sort(key=lambda r: (-r["errors"], -r["warnings"], r["document"]))
    totals = {k: sum(r[k] for r in clean) for k in _NUM_KEYS}
    totals.update(documents=len(clean), with_errors=sum(r["errors"] > 0 for r in clean),
                  **{st: sum(r["status"] == st for r in clean) for st in _STATUSES})
    return _env().get_template("batch.html.j2").render(
        rows=clean, totals=totals, version=__version__, w=_words(), labels=severity_labels(),
        title=msg("html.batch_title", count=len(clean)), footer=msg("html.footer", version=__version__))
