"""Loading disclosures: text in any encoding, PDF (ruled and unruled tables), Word; bad files."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from narrator.sources.disclosure import parse_tables
from narrator.sources.documents import load_document
from narrator.core.errors import InputError


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Errors matched in their English rendering (the Chinese default: tests/cli)."""
    monkeypatch.setenv("NARRATOR_LANG", "en")

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "samples" / "renshe-2024" / "disclosure.txt"
SHANGHAI_PDF = ROOT / "samples" / "reference" / "shanghai-2024-template.pdf"

CLASSES = ["一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出",
           "文化旅游体育与传媒支出", "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出",
           "农林水支出", "交通运输支出", "资源勘探工业信息等支出", "商业服务业等支出", "金融支出",
           "援助其他地区支出", "自然资源海洋气象等支出", "住房保障支出", "粮油物资储备支出",
           "国有资本经营预算支出", "灾害防治及应急管理支出", "其他支出", "债务还本支出", "债务付息支出",
           "抗疫特别国债安排的支出"]
INCOME = ["一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入",
          "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
ORD = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十 二十一 二十二 二十三 二十四 二十五 二十六".split()
INCOME_COLS = ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
SPEND_COLS = ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
PROSE = ["2024年度收、支总计14351.53万元。与2023年度相比，收、支总计各减少1224.74万元。",
         "2024年度收入合计14344.12万元，其中：财政拨款收入11301.2万元，占本年收入78.79%。"]


@pytest.fixture(scope="module")
def seed_tree():
    doc = load_document(SEED)
    tree, _ = parse_tables(doc.text, doc.source)
    return tree


def money(v) -> str:
    return "" if v is None else f"{v:,.2f}"


def overview_rows(tree) -> list[list[str]]:
    """The 收入支出决算总表 as printed: 收入 on the left, 支出 on the right."""
    inc, exp = tree["收入支出决算总表"]["收入"], tree["收入支出决算总表"]["支出"]
    rows = [["项目", "决算数", "项目", "决算数"]]
    for i, cls in enumerate(CLASSES):
        left = [f"{ORD[i]}、{INCOME[i]}", money(inc.get(INCOME[i]))] if i < len(INCOME) else ["", ""]
        rows.append(left + [f"{ORD[i]}、{cls}", money(exp.get(cls))])
    for a, b in (("本年收入合计", "本年支出合计"), ("使用非财政拨款结余", "结余分配"),
                 ("年初结转和结余", "年末结转和结余"), ("总计", "总计")):
        rows.append([a, money(inc.get(a)), b, money(exp.get(b))])
    return rows


def subject_rows(table, cols) -> list[list[str]]:
    rows = [["功能分类科目编码", "科目名称"] + cols, ["", "合计"] + [money(table["合计"].get(c)) for c in cols]]
    for r in table["科目"]:
        rows.append([r["科目编码"], r["科目名称"]] + [money(r.get(c)) for c in cols])
    return rows


# --------------------------------------------------------------------------- text files

def test_text_file_loads(seed_tree):
    doc = load_document(SEED)
    assert doc.kind == "text" and doc.encoding == "utf-8"
    assert seed_tree["收入支出决算总表"]["收入"]["本年收入合计"] == Decimal("14344.12")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_encodings_and_crlf_give_the_same_tree(tmp_path, seed_tree, encoding):
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"disclosure-{encoding}.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    doc = load_document(path)
    assert "\r" not in doc.text
    tree, findings = parse_tables(doc.text, doc.source)
    assert tree == seed_tree
    _, seed_findings = parse_tables(SEED.read_text(encoding="utf-8"), "x")
    assert [(f.code, f.line, f.column) for f in findings] == [(f.code, f.line, f.column) for f in seed_findings]


def test_empty_missing_and_unsupported_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    with pytest.raises(InputError, match="empty"):
        load_document(tmp_path / "empty.txt")
    with pytest.raises(InputError, match="no such file"):
        load_document(tmp_path / "nope.pdf")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    with pytest.raises(InputError, match=r"unsupported file type \.doc"):
        load_document(tmp_path / "old.doc")
    (tmp_path / "x.rtf").write_text("{\\rtf1}")
    with pytest.raises(InputError, match="unsupported file type"):
        load_document(tmp_path / "x.rtf")


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_office_file_that_is_not_a_zip(tmp_path, suffix):
    path = tmp_path / f"fake{suffix}"
    path.write_text("收入支出决算总表\t1\t2", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_document(path)
    assert "not a zip" in str(e.value) and str(path) in str(e.value)
    assert "\n" not in str(e.value)


# --------------------------------------------------------------------------- PDF

def _pdf_of(tree) -> bytes:
    """A disclosure PDF: two ruled tables, one table without rules, and prose (reportlab, CID font)."""
    pytest.importorskip("reportlab")
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=14)
    head = ParagraphStyle("head", parent=body, fontSize=13, leading=18)
    ruled = TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 8),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("ALIGN", (1, 1), (-1, -1), "RIGHT")])
    plain = TableStyle([("FONT", (0, 0), (-1, -1), "STSong-Light", 8),
                        ("ALIGN", (2, 0), (-1, -1), "RIGHT")])
    story = [Paragraph("2024 年度区人社局部门决算公开", head), Spacer(1, 12),
             Paragraph("第二部分 区人社局 2024 年度部门决算表", head),
             Paragraph("一、收入支出决算总表", head), Paragraph("单位：万元", body),
             Table(overview_rows(tree), colWidths=[170, 70, 170, 70], style=ruled), PageBreak(),
             Paragraph("二、收入决算表", head),
             Table(subject_rows(tree["收入决算表"], INCOME_COLS), colWidths=[70, 170] + [72] * 7, style=ruled),
             PageBreak(), Paragraph("三、支出决算表", head),
             Table(subject_rows(tree["支出决算表"], SPEND_COLS), colWidths=[70, 170] + [82] * 6, style=plain),
             PageBreak(), Paragraph("第三部分 区人社局 2024 年度部门决算情况说明", head),
             Paragraph("一、收入支出决算总体情况说明", head)]
    story += [Paragraph(p, body) for p in PROSE]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4)).build(story)
    return buf.getvalue()


@pytest.fixture(scope="module")
def pdf_bytes(seed_tree):
    return _pdf_of(seed_tree)


def test_pdf_round_trip(tmp_path, pdf_bytes, seed_tree):
    path = tmp_path / "disclosure.pdf"
    path.write_bytes(pdf_bytes)
    doc = load_document(path)
    assert doc.kind == "pdf" and doc.pages >= 4
    assert "一般公共预算财政拨款收入\t11,121.20\t一、一般公共服务支出" in doc.text   # ruled: tab-separated
    tree, findings = parse_tables(doc.text, doc.source)
    assert tree["单位"] == "区人社局" and tree["年度"] == 2024
    for key in ("收入支出决算总表", "收入决算表", "支出决算表"):
        assert tree[key] == seed_tree[key], key
    assert [f for f in findings if f.code != "D003"] == []
    from narrator.sources.disclosure import split_disclosure

    parts = split_disclosure(doc.text)
    assert "收、支总计14351.53万元" in parts.narrative_text
    assert [s.title for s in parts.sections] == ["一、收入支出决算总体情况说明"]


def test_pdf_fast_and_reference_engines_read_the_same(tmp_path, pdf_bytes, monkeypatch):
    from narrator.core import fast

    path = tmp_path / "disclosure.pdf"
    path.write_bytes(pdf_bytes)
    texts = []
    for enabled in (True, False):
        monkeypatch.setattr(fast, "ENABLED", enabled)
        texts.append(load_document(path).text)
    assert texts[0] == texts[1]
    assert "一般公共预算财政拨款收入\t11,121.20\t一、一般公共服务支出" in texts[0]


def test_pdf_without_rules_is_laid_out_in_columns(tmp_path, pdf_bytes):
    path = tmp_path / "d.pdf"
    path.write_bytes(pdf_bytes)
    text = load_document(path).text
    section = text[text.index("三、支出决算表"):text.index("第三部分")]
    row = next(ln for ln in section.splitlines() if ln.lstrip().startswith("2080106"))
    assert "\t" not in row and "458.70" in row and "  " in row


def test_encrypted_pdf(tmp_path, pdf_bytes):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    with pytest.raises(InputError) as e:
        load_document(path)
    assert str(e.value) == f"{path}: PDF is encrypted; narrator cannot read it without the password"
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")   # opens without one
    with open(path, "wb") as f:
        writer.write(f)
    assert "收入支出决算总表" in load_document(path).text


def test_pdf_with_only_an_image(tmp_path):
    pytest.importorskip("reportlab")
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        img.putpixel((x, 50), (0, 0, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(img), 100, 500, width=400, height=200)
    c.save()
    path = tmp_path / "scan.pdf"
    path.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match=r"PDF has no text layer \(scanned image\?\); run OCR first"):
        load_document(path)


def test_truncated_and_corrupt_pdf(tmp_path, pdf_bytes):
    path = tmp_path / "half.pdf"
    path.write_bytes(pdf_bytes[: len(pdf_bytes) // 2])
    with pytest.raises(InputError, match="truncated or corrupt"):
        load_document(path)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> nonsense\n%%EOF\n")
    with pytest.raises(InputError, match="PDF"):
        load_document(bad)
    notpdf = tmp_path / "text.pdf"
    notpdf.write_text("收入支出决算总表", encoding="utf-8")
    with pytest.raises(InputError, match="not a PDF"):
        load_document(notpdf)


def test_shanghai_template_pdf_tables_come_out_as_rows():
    doc = load_document(SHANGHAI_PDF)
    assert doc.kind == "pdf" and doc.pages == 23
    lines = doc.text.splitlines()
    assert "项目\t决算数\t项目\t决算数" in lines
    assert "30108\t机关事业单位基本养老保险缴费\t\t30206\t电费\t" in lines   # a wrapped cell joined
    tree, _ = parse_tables(doc.text, doc.source)
    assert tree["单位"] == "上海市XX局" and tree["年度"] == 2024
    assert set(tree) == {"单位", "年度", "金额单位"}         # the template's tables are empty


# --------------------------------------------------------------------------- Word

def test_docx_table_and_paragraphs(tmp_path, seed_tree):
    import docx

    d = docx.Document()
    d.add_paragraph("2024 年度区人社局部门决算公开")
    d.add_paragraph("第二部分 区人社局 2024 年度部门决算表")
    d.add_paragraph("一、收入支出决算总表")
    rows = overview_rows(seed_tree)
    table = d.add_table(rows=len(rows) + 1, cols=4)
    top = table.rows[0].cells
    top[0].merge(top[1]).text = "收入"
    top[2].merge(top[3]).text = "支出"
    for i, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            table.rows[i].cells[j].text = text
    d.add_paragraph("注：本表反映部门本年度的总收支和年末结转结余情况。")
    d.add_paragraph("第三部分 区人社局 2024 年度部门决算情况说明")
    d.add_paragraph("一、收入支出决算总体情况说明")
    for p in PROSE:
        d.add_paragraph(p)
    path = tmp_path / "disclosure.docx"
    d.save(path)
    doc = load_document(path)
    assert doc.kind == "docx"
    lines = doc.text.splitlines()
    assert "收入\t\t支出\t" in lines                   # a merged cell's text once
    assert "本年收入合计\t14,344.12\t本年支出合计\t14,344.12" in lines
    tree, findings = parse_tables(doc.text, doc.source)
    assert tree["收入支出决算总表"] == seed_tree["收入支出决算总表"]
    assert tree["单位"] == "区人社局"
    assert {f.code for f in findings} == {"D003"}          # only: the other eight tables are absent


def test_xlsx_sheets_as_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "收入支出决算总表"
    ws.append(["项目", "决算数", "项目", "决算数"])
    ws.append(["本年收入合计", 14344.12, "本年支出合计", 14344.12])
    ws["B2"].number_format = "#,##0.00"
    ws.append(["年初结转和结余", 7.4, "年末结转和结余", None])
    ws["B3"].number_format = "0.00"
    path = tmp_path / "tables.xlsx"
    wb.save(path)
    doc = load_document(path)
    assert doc.kind == "xlsx"
    assert doc.text.splitlines() == ["收入支出决算总表", "项目\t决算数\t项目\t决算数",
                                     "本年收入合计\t14344.12\t本年支出合计\t14344.12",
                                     "年初结转和结余\t7.40\t年末结转和结余"]
