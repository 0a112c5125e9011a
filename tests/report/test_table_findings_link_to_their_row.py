"""Issue 17: in the HTML and Word reviews of a whole disclosure, each table finding links to
the row of the table it is about (an HTML anchor; a Word bookmark and internal hyperlink)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from narrator.pipeline import check_file

ROOT = Path(__file__).resolve().parents[2]
DISCLOSURE = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def result():
    return check_file(DISCLOSURE, None, "auto")


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


def _table_findings(result):
    return [f for f in result.findings if f.code.startswith("T") and f.start is None and f.line]


def test_html_table_findings_jump_to_their_row(result):
    from narrator.report.html import check_html

    page = check_html(result)
    lines = result.text.split("\n")
    links = re.findall(r'<li class="item \w+" id="l(\d+)">\s*<a href="#r(\d+)" class="goto row">(.*?)</a>', page, re.S)
    assert len(links) >= len(_table_findings(result)) > 0
    for item, target, entry in links:
        assert item == target
        anchor = f'<span class="row-anchor" id="r{target}"></span>'
        assert page.count(anchor) == 1
        line = int(re.search(r"第(\d+)行", entry).group(1))
        after = _bare(re.sub(r"<[^>]+>", "", page.split(anchor, 1)[1]))[:4]
        assert after and _bare(lines[line - 1]).startswith(after), (line, after, lines[line - 1][:20])
    assert "点击跳到正文中的表格行" in page


def test_html_of_a_narrative_with_a_figures_file_has_no_row_links():
    from narrator.report.html import check_html

    sample = ROOT / "samples" / "renshe-2024"
    r = check_file(sample / "narrative.txt", sample / "figures.yaml", "auto")
    page = check_html(r)
    assert "row-anchor" not in page.split("</style>", 1)[1] and "指向决算数据文件" in page


def test_docx_table_findings_link_to_a_bookmark_at_their_row(result):
    from narrator.report.docx import review_docx

    data = review_docx(result)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    body = root.find(f"{W}body")
    anchors = [h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink")]
    assert len(anchors) == len(_table_findings(result)) > 0
    marks = {b.get(f"{W}name"): b for b in body.iter(f"{W}bookmarkStart")}
    lines = result.text.split("\n")
    for h in body.iter(f"{W}hyperlink"):
        name = h.get(f"{W}anchor")
        assert name in marks, name
        where = "".join(t.text for t in h.iter(f"{W}t"))
        line = int(re.fullmatch(r"第(\d+)行", where).group(1))
        run = marks[name].getnext()
        while run is not None and run.tag != f"{W}r":
            run = run.getnext()
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        assert _bare(text) and _bare(lines[line - 1]).startswith(_bare(text)[:4]), (name, line, text)
