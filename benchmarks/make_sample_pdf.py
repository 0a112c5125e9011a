"""Write the sample disclosure (samples/renshe-2024/disclosure.txt) as a PDF: lines with tabs as ruled
tables (one cell per tab-separated field), the other lines as paragraphs; reportlab, CID font.

    python benchmarks/make_sample_pdf.py [OUT]     # default tests/fixtures/renshe-2024-disclosure.pdf

The PDF is a test fixture (tests/sources/test_pdf_engines_agree.py) and what bench_pdf.py reads.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
OUT = ROOT / "tests" / "fixtures" / "renshe-2024-disclosure.pdf"


def printable(text: str) -> str:
    """Characters outside GB 2312 (the sample's OCR noise: Hangul, kana, ☑, ·) as □: the CID font,
    not embedded, has no glyph for them, and a reader can only guess what they were."""
    out = []
    for c in text:
        try:
            ok = c in "\t\n" or (c.isprintable() and (c.isascii() or c.encode("gb2312")))
        except UnicodeEncodeError:
            ok = False
        out.append(c if ok and c != "·" else "□")
    return "".join(out)


def build(text: str) -> bytes:
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    width = landscape(A4)[0] - 72
    story: list = []
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        n = max(len(r) for r in rows)
        data = [[Paragraph(escape(c), cell) for c in r + [""] * (n - len(r))] for r in rows]
        story.append(Table(data, colWidths=[width / n] * n, style=grid, repeatRows=0))
        rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        if line.strip():
            story.append(Paragraph(escape(line), body))
    flush()
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=36, rightMargin=36, topMargin=36, bottomMargin=36,
                      invariant=1).build(story)
    return buf.getvalue()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.write_bytes(build(printable(SAMPLE.read_text(encoding="utf-8"))))
    print(out, out.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
