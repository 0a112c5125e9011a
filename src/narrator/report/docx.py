"""Word output: the drafted 情况说明 (with its charts) and the review of a checked text.

``draft_docx(draft, figures)`` writes the draft as officers deliver it: the pack title as
the document title, the official headings as Heading 1, （一）… sub-headings as Heading 2,
body text in the 公文 fonts (仿宋_GB2312 body, 黑体 / 楷体_GB2312 headings, set as the
East Asian font of each style, with 仿宋 / 楷体 / 宋体 as alternates in the font table for
machines without the GB2312 fonts), every 【待填：…】/【缺数：…】 placeholder highlighted in
yellow, and each chart (PNG, narrator.report.charts) inserted just BEFORE its caption line
"图N：…" (the caption sits under the figure, as in the published disclosures).

``review_docx(result)`` writes a checked text for the officer to fix in Word: a summary
table and the list of findings at the top, then the text paragraph by paragraph with one
Word comment per finding anchored on the written number (found → expected, formula);
the number's run is highlighted red for an error, yellow for a warning.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from functools import cache

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file
from narrator.core.messages import msg
from narrator.report.html import severity_labels

# -- the house style (GB/T 9704 公文格式) -------------------------------------------------

LATIN = "Times New Roman"


@cache
def house_style() -> dict:
    """rules/docx.yaml: the Chinese font of each Word style (字体) and their substitutes (字体替代)."""
    return load_rule_file(rules_dir() / "docx.yaml")


def _font(style: str) -> str:
    return house_style()["字体"][style]

HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
PLACEHOLDER = re.compile(r"【[^】\n]{0,120}】")
LIST_WIDTHS = (1.0, 1.7, 1.4, 1.2, 2.0, 2.0, 6.3)   # 问题清单 columns (cm), 15.6 cm in all
AUTHOR = "narrator"
INITIALS = "NR"
HIGHLIGHT = {"error": WD_COLOR_INDEX.RED, "warning": WD_COLOR_INDEX.YELLOW, "info": WD_COLOR_INDEX.TURQUOISE}


def _set_fonts(rpr_owner, east_asia: str, latin: str = LATIN) -> None:
    """Explicit fonts on a style or run: ascii/hAnsi latin, eastAsia CJK; theme fonts removed."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()     # python-docx keeps the schema order of rPr children
    for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(a), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")
    lang = rpr.find(qn("w:lang"))
    if lang is None:   # w:lang comes after every child python-docx writes: append is in order
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(doc, name: str, east_asia: str, size: float, *, bold: bool | None = None,
           align=None, before: float = 0, after: float = 0, line: float | None = None,
           first_line_chars: int | None = None):
    st = doc.styles[name]
    _set_fonts(st.element, east_asia)
    f = st.font
    f.size = Pt(size)
    f.bold = bold
    f.italic = False
    f.color.rgb = RGBColor(0, 0, 0)
    rpr = st.element.get_or_add_rPr()
    color = rpr.find(qn("w:color"))
    if color is not None:
        for a in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(a), None)
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    if first_line_chars is not None:
        ind = st.element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(first_line_chars))
        ind.set(qn("w:firstLine"), str(int(size * 20 * first_line_chars / 100)))
    # the default Title has a coloured bottom border: the 公文 title has none
    ppr = st.element.pPr
    if ppr is not None:
        for b in ppr.findall(qn("w:pBdr")):
            ppr.remove(b)
    return st


def _font_table(doc) -> None:
    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, panose) in house_style()["字体替代"].items():
        if name in have:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:panose1", panose), ("w:charset", "86"),
                         ("w:family", "modern" if name != "宋体" else "auto"), ("w:pitch", "fixed")):
            e = etree.SubElement(font, qn(tag))
            e.set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(section) -> None:
    """Centred "— N —" page number in the footer (公文 style)."""
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        elif text == " PAGE ":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    p.add_run(" —")
    for r in p.runs:
        r.font.size = Pt(14)
        _set_fonts(r._r, "宋体")


def _new_document(title: str, *, body_size: float, line: float | None, indent: bool) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    # document defaults: every run (tables, comments too) gets the CJK body font
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
        if rpr is not None:
            rfonts = rpr.find(qn("w:rFonts"))
            if rfonts is not None:
                for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    rfonts.attrib.pop(qn(a), None)
                for a in ("w:ascii", "w:hAnsi", "w:cs"):
                    rfonts.set(qn(a), LATIN)
                rfonts.set(qn("w:eastAsia"), _font("Normal"))
    _style(doc, "Normal", _font("Normal"), body_size, line=line, first_line_chars=200 if indent else None,
           align=WD_ALIGN_PARAGRAPH.JUSTIFY if indent else WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, "Title", _font("Title"), 22, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, before=0, after=12,
           line=36 if line else None, first_line_chars=0)
    _style(doc, "Heading 1", _font("Heading 1"), body_size, bold=False, before=6 if line else 12, after=0,
           line=line, first_line_chars=200 if indent else 0)
    _style(doc, "Heading 2", _font("Heading 2"), body_size, bold=False, before=0, after=0, line=line,
           first_line_chars=200 if indent else 0)
    _style(doc, "Heading 3", _font("Heading 2"), body_size, bold=False, before=0, after=0, line=line,
           first_line_chars=200 if indent else 0)
    _style(doc, "Caption", _font("Caption"), max(body_size - 4, 10.5), bold=False, align=WD_ALIGN_PARAGRAPH.CENTER,
           before=0, after=6, first_line_chars=0)
    _font_table(doc)
    _page_number(sec)
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = title, AUTHOR, AUTHOR
    cp.created = cp.modified = now
    cp.revision = 1
    cp.comments = "narrator"
    return doc


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _lines(text: str, start: int = 0, end: int | None = None):
    """(start, end, line) for each line of text[start:end]."""
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, stop, text[pos:stop]
        pos = stop + 1


# -- the draft ----------------------------------------------------------------------------

def _placeholder_spans(draft) -> list[tuple[int, int]]:
    spans = {(s.start, s.end) for s in draft.slots if s.kind == "placeholder" and s.start >= 0}
    spans |= {(m.start(), m.end()) for m in PLACEHOLDER.finditer(draft.text)}
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _add_text(paragraph, text: str, start: int, end: int, marks: list[tuple[int, int]]) -> None:
    """Runs for text[start:end]; spans in ``marks`` become yellow-highlighted runs."""
    pos = start
    for a, b in marks:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        if a > pos:
            paragraph.add_run(text[pos:a])
        run = paragraph.add_run(text[a:b])
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        pos = b
    if pos < end:
        paragraph.add_run(text[pos:end])


def draft_docx(draft, figures) -> bytes:
    """The drafted 情况说明 as a Word document (bytes), with its charts."""
    from narrator.report.charts import build_charts, render_chart

    text = draft.text
    first = draft.sections[0].start if draft.sections else len(text)
    head = [ln for ln in _lines(text, 0, first) if ln[2].strip()]
    title = head[0][2].strip() if head else (draft.title or "部门决算情况说明")
    doc = _new_document(title, body_size=16, line=28, indent=True)
    marks = _placeholder_spans(draft)
    h1 = {s.start: s for s in draft.sections if s.title}
    captions = {c["start"]: c for c in draft.charts if c.get("start", -1) >= 0}
    charts = {c.key: c for c in build_charts(figures, draft)} if figures is not None else {}
    seen_title = False
    for a, b, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        a2, b2 = a + lead, a + len(line.rstrip())
        if not seen_title and a < first:
            p = doc.add_paragraph(style="Title")
            _add_text(p, text, a2, b2, marks)
            seen_title = True
        elif a in h1 or a2 in h1:
            p = doc.add_paragraph(style="Heading 1")
            _add_text(p, text, a2, b2, marks)
        elif a in captions or a2 in captions:
            cap = captions.get(a) or captions.get(a2)
            chart = charts.get(cap["key"])
            if chart is not None and not chart.empty:
                pic = doc.add_paragraph()
                pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
                pic.paragraph_format.first_line_indent = Pt(0)
                pic.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                pic.paragraph_format.keep_with_next = True
                pic.add_run().add_picture(io.BytesIO(render_chart(chart, "png")), width=Cm(15))
            else:
                miss = doc.add_paragraph()
                miss.alignment = WD_ALIGN_PARAGRAPH.CENTER
                why = "、".join(chart.missing) if chart is not None and chart.missing else cap["key"]
                r = miss.add_run(f"【缺数：{why}】")
                r.font.highlight_color = WD_COLOR_INDEX.YELLOW
            p = doc.add_paragraph(style="Caption")
            _add_text(p, text, a2, b2, marks)
        elif HEADING_2.match(stripped) and len(stripped) <= 40:
            p = doc.add_paragraph(style="Heading 2")
            _add_text(p, text, a2, b2, marks)
        else:
            p = doc.add_paragraph()
            _add_text(p, text, a2, b2, marks)
    return _save(doc)


# -- the review ---------------------------------------------------------------------------

def _comment_text(f) -> str:
    out = f"{f.code} {f.message}"
    if f.found is not None or f.expected is not None:
        out += msg("report.comment_values", found=f.found if f.found is not None else "—",
                   expected=f.expected if f.expected is not None else "—")
    if f.formula:
        out += msg("report.comment_formula", formula=f.formula)
    return out


def _paragraphs(text: str):
    """(start, end) of each blank-line-separated paragraph, whitespace trimmed."""
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t\u3000\xa0]*\n))+", text):
        a, b = m.start(), m.end()
        seg = text[a:b]
        a += len(seg) - len(seg.lstrip())
        b -= len(seg) - len(seg.rstrip())
        if b > a:
            yield a, b


def _cell(cell, text: str, bold: bool = False, size: float = 10.5, align=None) -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.LEFT
    r = p.add_run(text)
    r.bold = bold
    r.font.size = Pt(size)


def _in_text(f, result) -> bool:
    """A finding about the checked text (not about a table of the figures file)."""
    return f.file is None or f.file == result.file or (f.start is not None and f.end is not None)


def _bookmark(run, name: str, bid: int) -> None:
    """A Word bookmark ``name`` around ``run`` (the target of an internal hyperlink)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    run._r.addprevious(start)
    run._r.addnext(end)


def _internal_link(cell, text: str, anchor: str, size: float = 9) -> None:
    """``cell`` holding ``text`` as a hyperlink to the bookmark ``anchor`` in the same document."""
    cell.text = ""
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    for tag, val in (("w:color", "0563C1"), ("w:u", "single"), ("w:sz", str(int(size * 2)))):
        el = OxmlElement(tag)
        el.set(qn("w:val"), val)
        rpr.append(el)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    r.append(t)
    link.append(r)
    p._p.append(link)


def _row_line(f, result) -> int | None:
    """The line of the checked document a table finding is about (a whole disclosure's table row)."""
    if f.start is None and f.line is not None and f.file is not None and f.file == result.file:
        return f.line
    return None


def _findings_table(doc, findings, result, where_of, links: dict | None = None) -> None:
    cols = tuple(msg("review.finding_columns").split(","))
    ft = doc.add_table(rows=1 + len(findings), cols=len(cols))
    ft.style = "Table Grid"
    ft.autofit = False
    for col, w in zip(ft.columns, LIST_WIDTHS):
        col.width = Cm(w)
        for c in col.cells:
            c.width = Cm(w)
    for i, h in enumerate(cols):
        _cell(ft.cell(0, i), h, bold=True, size=9, align=WD_ALIGN_PARAGRAPH.CENTER)
    for n, f in enumerate(findings, 1):
        message = f.message + (f"（{f.formula}）" if f.formula else "")
        for i, v in enumerate((str(n), where_of(f), f.code, severity_labels().get(f.severity, f.severity),
                               "" if f.found is None else str(f.found),
                               "" if f.expected is None else str(f.expected), message)):
            if i == 1 and links and id(f) in links:
                _internal_link(ft.cell(n, i), v, links[id(f)])
            else:
                _cell(ft.cell(n, i), v, size=9)


def review_docx(result) -> bytes:
    """The checked text as a Word document (bytes): summary, findings, commented text.

    Every finding about the text gets one Word comment, anchored on the runs of its span
    (the written number); one without a span is anchored on the first run, marked（全文）.
    Findings about the figures file's tables (narrator's table audit) are listed in their
    own table after the text, by file and line, without a comment: they are not in the text.
    """
    text = result.text
    findings = [f for f in result.findings if _in_text(f, result)]
    tables = [f for f in result.findings if not _in_text(f, result)]
    doc = _new_document(msg("review.title"), body_size=12, line=None, indent=False)
    doc.add_paragraph(msg("review.title"), style="Title")
    info = doc.add_paragraph()
    info.add_run(msg("review.about", file=result.file, figures=result.figures or msg("review.no_figures"))
                 + (msg("review.pack", pack=result.pack) if result.pack else ""))
    s = result.summary
    heads = tuple(msg("review.summary_columns").split(","))
    keys = ("numbers", "confirmed", "errors", "warnings", "unverifiable")
    table = doc.add_table(rows=2, cols=len(heads))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (h, k) in enumerate(zip(heads, keys)):
        _cell(table.cell(0, i), h, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(table.cell(1, i), str(s.get(k, 0)), align=WD_ALIGN_PARAGRAPH.CENTER)

    doc.add_paragraph(msg("review.findings"), style="Heading 1")
    # a table finding of a whole disclosure: its place links to a bookmark at the table's row
    rows = {id(f): line for f in findings if (line := _row_line(f, result)) is not None}
    links = {fid: f"row_{n}" for n, fid in enumerate(rows, 1)}
    if findings:
        _findings_table(doc, findings, result,
                        lambda f: (msg("review.line", line=f.line) if f.column is None else f"{f.line}:{f.column}")
                        if f.line is not None else msg("review.whole_text"), links)
    else:
        doc.add_paragraph(msg("review.no_findings"))

    doc.add_paragraph(msg("review.text"), style="Heading 1")
    anchored = [f for f in findings if f.start is not None and f.end is not None and f.end > f.start]
    runs_of: dict[int, list] = {id(f): [] for f in anchored}
    first_run = None
    line_runs: dict[int, object] = {}   # line → its first run (where a table row's bookmark goes)
    wanted_lines = set(rows.values())
    for pa, pb in _paragraphs(text):
        para = text[pa:pb]
        style = None
        if "\n" not in para and len(para) <= 40:
            if HEADING_1.match(para):
                style = "Heading 2"
            elif HEADING_2.match(para):
                style = "Heading 3"
        p = doc.add_paragraph(style=style)
        if style is None:
            p.paragraph_format.space_after = Pt(4)
        cuts = {pa, pb}
        for f in anchored:
            if f.start < pb and f.end > pa:
                cuts.add(min(max(f.start, pa), pb))
                cuts.add(min(max(f.end, pa), pb))
        for i in range(pa, pb):
            if text[i] == "\n":
                cuts.update((i, i + 1))
        points = sorted(cuts)
        for a, b in zip(points, points[1:]):
            seg = text[a:b]
            if seg == "\n":
                if p.runs:
                    p.runs[-1].add_break()
                continue
            run = p.add_run(seg)
            if first_run is None:
                first_run = run
            if wanted_lines:
                line = text.count("\n", 0, a) + 1
                if line in wanted_lines and line not in line_runs:
                    line_runs[line] = run
            hits = [f for f in anchored if f.start <= a and b <= f.end]
            for f in hits:
                runs_of[id(f)].append(run)
            if hits:
                worst = min(hits, key=lambda f: ("error", "warning", "info").index(f.severity)
                            if f.severity in ("error", "warning", "info") else 3)
                run.font.highlight_color = HIGHLIGHT.get(worst.severity, WD_COLOR_INDEX.YELLOW)
                run.bold = True
    if first_run is None:
        first_run = doc.add_paragraph().add_run(" ")
    for bid, (fid, line) in enumerate(rows.items(), 1):
        if line in line_runs:
            _bookmark(line_runs[line], links[fid], 1000 + bid)
            runs_of[fid] = [line_runs[line]]   # its comment sits on the row too
    for f in findings:
        runs = runs_of.get(id(f))
        where = "" if runs else msg("review.comment_where", where=msg("review.line", line=f.line) if f.line is not None
                                    else msg("review.whole_text"))
        doc.add_comment(runs or [first_run], text=_comment_text(f) + where, author=AUTHOR, initials=INITIALS)
    if tables:   # after the text: the officer works on the text first
        doc.add_paragraph(msg("review.tables"), style="Heading 1")
        _findings_table(doc, tables, result, lambda f: (f.file or "").replace("\\", "/").rsplit("/", 1)[-1]
                        + (f":{f.line}" if f.line is not None else ""))
    return _save(doc)
