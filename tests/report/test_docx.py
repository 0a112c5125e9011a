"""Word output: the draft (headings, fonts, placeholders, charts) and the review (comments)."""

import io
import subprocess
import sys

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn

from conftest import STANDARD_HEADINGS, ROOT, SAMPLE
from narrator.check.checker import check_text
from narrator.report.docx import draft_docx, review_docx
from narrator.render.engine import render



@pytest.fixture(scope="module")
def draft(sample_figures):
    return render(sample_figures, "standard")


@pytest.fixture(scope="module")
def draft_doc(draft, sample_figures):
    data = draft_docx(draft, sample_figures)
    assert data[:2] == b"PK"
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def checked(sample_figures, sample_narrative):
    return check_text(sample_narrative, "narrative.txt", sample_figures)


@pytest.fixture(scope="module")
def review_doc(checked):
    return docx.Document(io.BytesIO(review_docx(checked)))


def _east_asia(style):
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    assert rfonts is not None
    assert rfonts.get(qn("w:eastAsiaTheme")) is None      # a theme font would override it
    return rfonts.get(qn("w:eastAsia"))


def _anchors(doc) -> dict[int, str]:
    """comment id -> the text of the runs between its commentRangeStart and commentRangeEnd."""
    body = doc.element.body
    out, open_ = {}, {}
    for el in body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:t")):
        if el.tag == qn("w:commentRangeStart"):
            open_[int(el.get(qn("w:id")))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            cid = int(el.get(qn("w:id")))
            out[cid] = "".join(open_.pop(cid))
        else:
            for parts in open_.values():
                parts.append(el.text or "")
    return out


def _anchor_runs(doc) -> dict[int, list]:
    out, open_ = {}, {}
    for el in doc.element.body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:r")):
        if el.tag == qn("w:commentRangeStart"):
            open_[int(el.get(qn("w:id")))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            cid = int(el.get(qn("w:id")))
            out[cid] = open_.pop(cid)
        else:
            for runs in open_.values():
                runs.append(el)
    return out


# -- the draft ---------------------------------------------------------------------------

def test_draft_title_and_headings(draft_doc, draft):
    paras = draft_doc.paragraphs
    assert paras[0].style.name == "Title"
    assert paras[0].text == draft.text.splitlines()[0] == "第三部分 区人社局2024年度部门决算情况说明"
    h1 = [p.text for p in paras if p.style.name == "Heading 1"]
    assert h1 == STANDARD_HEADINGS
    h2 = [p.text for p in paras if p.style.name == "Heading 2"]
    assert h2[:3] == ["（一）一般公共预算财政拨款支出决算总体情况", "（二）一般公共预算财政拨款支出决算结构情况",
                      "（三）一般公共预算财政拨款支出决算具体情况"]
    assert "（四）绩效自评结果应用情况" in h2
    assert all(t.startswith("（") for t in h2)
    # every line of the draft is in the document, in order
    lines = [ln.strip() for ln in draft.text.splitlines() if ln.strip()]
    assert [p.text for p in paras if p.text] == lines


def test_draft_chinese_fonts(draft_doc):
    st = draft_doc.styles
    assert _east_asia(st["Normal"]) == "仿宋_GB2312"
    assert _east_asia(st["Heading 1"]) == "黑体"
    assert _east_asia(st["Heading 2"]) == "楷体_GB2312"
    assert _east_asia(st["Title"]) == "方正小标宋简体"
    assert st["Normal"].font.size.pt == 16                          # 三号
    assert st["Normal"].font.name == "Times New Roman"
    # alternates for machines without the GB2312 fonts
    table = next(r.target_part for r in draft_doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    blob = table.blob.decode("utf-8")
    assert 'w:name="仿宋_GB2312"' in blob and 'w:val="仿宋"' in blob


def test_fonts_come_from_rules_docx_yaml(draft, sample_figures, monkeypatch):
    """A font and a substitute changed in a copy of rules/docx.yaml are what the document gets."""
    import copy

    from narrator.report import docx as D

    style = copy.deepcopy(D.house_style())
    style["字体"]["Heading 1"] = "方正黑体简体"
    style["字体替代"]["方正黑体简体"] = ["黑体", "02010609060101010101"]
    monkeypatch.setattr(D, "house_style", lambda: style)
    doc = docx.Document(io.BytesIO(draft_docx(draft, sample_figures)))
    assert _east_asia(doc.styles["Heading 1"]) == "方正黑体简体"
    assert _east_asia(doc.styles["Normal"]) == "仿宋_GB2312"
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    assert 'w:name="方正黑体简体"' in table.blob.decode("utf-8")


def test_draft_placeholders_highlighted(draft_doc, draft):
    runs = [r for p in draft_doc.paragraphs for r in p.runs]
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    placeholders = [s.text for s in draft.placeholders()]
    assert len(placeholders) == 16   # the two comparisons with no prior-year total are left out, not placeholders
    assert marked == placeholders
    assert all(t.startswith(("【待填：", "【缺数：")) and t.endswith("】") for t in marked)
    # nothing else highlighted, and no placeholder left unmarked
    for r in runs:
        if "【" in r.text:
            assert r.font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_draft_charts_before_their_captions(draft_doc, draft):
    assert len(draft_doc.inline_shapes) == 4
    paras = draft_doc.paragraphs
    captions = [i for i, p in enumerate(paras) if p.style.name == "Caption"]
    assert [paras[i].text for i in captions] == [f"图{c['number']}：{c['caption']}" for c in draft.charts]
    for i in captions:
        pic = paras[i - 1]                      # the figure sits right before (above) its caption
        blips = pic._p.findall(".//" + qn("a:blip"))
        assert len(blips) == 1 and pic.text == ""
        part = draft_doc.part.related_parts[blips[0].get(qn("r:embed"))]
        assert part.blob.startswith(b"\x89PNG")
    widths = {s.width for s in draft_doc.inline_shapes}
    assert all(w > 0 for w in widths)


def test_draft_without_figures_has_no_images(draft):
    doc = docx.Document(io.BytesIO(draft_docx(draft, None)))
    assert len(doc.inline_shapes) == 0
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == STANDARD_HEADINGS


# -- the review --------------------------------------------------------------------------

def test_review_one_comment_per_finding(review_doc, checked):
    findings = checked.findings
    assert sum(f.severity == "error" for f in findings) == 7
    assert sum(f.severity == "warning" for f in findings) == 1
    comments = list(review_doc.comments)
    assert len(comments) == len(findings) == 8
    for c, f in zip(comments, findings):
        assert c.author == "narrator"
        assert f.code in c.text
        assert str(f.found) in c.text and str(f.expected) in c.text
        if f.formula:
            assert f.formula in c.text


def test_review_comments_anchor_on_the_wrong_number(review_doc, checked):
    anchors = _anchors(review_doc)
    runs = _anchor_runs(review_doc)
    comments = list(review_doc.comments)
    for c, f in zip(comments, checked.findings):
        anchored = anchors[c.comment_id]
        assert anchored == checked.text[f.start:f.end]
        assert anchored.replace(" ", "") == str(f.found).replace(" ", "")
        colour = WD_COLOR_INDEX.RED if f.severity == "error" else WD_COLOR_INDEX.YELLOW
        for r in runs[c.comment_id]:
            hl = r.find(qn("w:rPr") + "/" + qn("w:highlight"))
            assert hl is not None and hl.get(qn("w:val")) == ("red" if colour == WD_COLOR_INDEX.RED else "yellow")
    assert any(a == "97. 51" for a in anchors.values())


def test_review_summary_table_on_top(review_doc, checked):
    body = list(review_doc.element.body.iterchildren())
    first_table = next(i for i, el in enumerate(body) if el.tag == qn("w:tbl"))
    first_text = next(i for i, el in enumerate(body)
                      if el.tag == qn("w:p") and "".join(t.text or "" for t in el.iter(qn("w:t"))).startswith("一、收入支出"))
    assert first_table < first_text
    summary = review_doc.tables[0]
    heads = [c.text for c in summary.rows[0].cells]
    vals = [c.text for c in summary.rows[1].cells]
    assert heads == ["数字", "相符", "错误", "警告", "无法核对"]
    s = checked.summary
    assert vals == [str(s[k]) for k in ("numbers", "confirmed", "errors", "warnings", "unverifiable")]
    assert vals[2:4] == ["7", "1"]
    listing = review_doc.tables[1]
    assert len(listing.rows) == 1 + len(checked.findings)
    assert [r.cells[2].text for r in listing.rows[1:]] == [f.code for f in checked.findings]


def test_review_keeps_the_whole_text(review_doc, checked):
    body_text = "".join(t.text or "" for t in review_doc.element.body.iter(qn("w:t")))
    squeezed = "".join(checked.text.split())
    assert squeezed in "".join(body_text.split())


def test_review_of_clean_text_has_no_comments(sample_figures, draft):
    result = check_text(draft.text, "draft.txt", sample_figures)
    doc = docx.Document(io.BytesIO(review_docx(result)))
    assert len(list(doc.comments)) == len(result.findings)


# -- the command line --------------------------------------------------------------------

def test_cli_generate_and_check_docx(tmp_path):
    out = tmp_path / "draft.docx"
    r = subprocess.run([sys.executable, "-m", "narrator.cli", "generate", str(SAMPLE / "figures.yaml"),
                        "--format", "docx", "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    doc = docx.Document(str(out))
    assert len(doc.inline_shapes) == 4
    rev = tmp_path / "review.docx"
    r = subprocess.run([sys.executable, "-m", "narrator.cli", "check", str(SAMPLE / "narrative.txt"),
                        "--figures", str(SAMPLE / "figures.yaml"), "--format", "docx", "-o", str(rev)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1, r.stderr           # errors found
    review = docx.Document(str(rev))
    # the 8 findings in the text get a comment each; the table audit of figures.yaml (T…)
    # is listed in its own table, by file and line, without a comment
    assert len(list(review.comments)) == 8
    headings = [p.text for p in review.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["问题清单", "正文（问题处已加批注）", "附：决算数据（表格）审核"]
    audit = review.tables[2]
    assert all(row.cells[2].text.startswith("T") for row in audit.rows[1:])
    assert audit.rows[1].cells[1].text.startswith("figures.yaml:")


def test_review_anchors_across_line_breaks_and_without_span():
    from narrator.check.checker import CheckResult
    from narrator.core.findings import Finding

    text = "一、总体情况说明\n\n收入 12.5 万元，\n占 3\n4% 。\n\n二、其他"
    a = text.index("12.5")
    b = text.index("3\n4")
    findings = [
        Finding("N101", "amount-mismatch", "error", "金额不符", file="t.txt", line=3, column=4,
                start=a, end=a + 4, found="12.5", expected="12.6", formula="x = 12.6"),
        Finding("N102", "percent-mismatch", "warning", "百分比不符", file="t.txt", line=4, column=3,
                start=b, end=b + 3, found="3\n4", expected="35"),
        Finding("N900", "whole-text", "info", "全文提示", file="t.txt"),
        Finding("T101", "table", "info", "表内尾差", file="figures.yaml", line=7, found="1", expected="2"),
    ]
    result = CheckResult(file="t.txt", text=text, figures="figures.yaml", pack="standard",
                         findings=findings, claims=[])
    doc = docx.Document(io.BytesIO(review_docx(result)))
    comments = list(doc.comments)
    assert len(comments) == 3                     # T101 is about figures.yaml: listed, not commented
    anchors = _anchors(doc)
    assert anchors[comments[0].comment_id] == "12.5"
    assert anchors[comments[1].comment_id] == "34"            # the line break is a <w:br/>
    assert "（全文）" in comments[2].text
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 2"] == ["一、总体情况说明", "二、其他"]
    assert doc.tables[2].rows[1].cells[1].text == "figures.yaml:7"
