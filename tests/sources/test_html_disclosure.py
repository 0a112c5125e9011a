"""A disclosure published as an HTML page: the sample disclosure as a page (tables as <table>,
cells spanning rows and columns) gives the same figures and the same findings as the text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from narrator.figures.dump import figures_to_tree
from narrator.pipeline import check_file, figures_from_document, load_text_or_document

ROOT = Path(__file__).resolve().parents[2]
DISCLOSURE = ROOT / "samples" / "renshe-2024" / "disclosure.txt"


def _table(rows: list[list[str]], merge: bool = True) -> tuple[str, int]:
    """A <table>; with ``merge``, an empty cell under a label in the first column becomes that label's rowspan;
    a header label followed by empty cells (a row without amounts) spans them (colspan)."""
    n = max(len(r) for r in rows)
    rows = [r + [""] * (n - len(r)) for r in rows]
    covered: set[tuple[int, int]] = set()
    spans = 0
    out = ["<table border=1>"]
    for i, r in enumerate(rows):
        tds = []
        header = not any(re.search(r"\d\.\s?\d", c) for c in r)
        for j, c in enumerate(r):
            if (i, j) in covered:
                continue
            attrs = ""
            if not merge:
                pass
            elif j == 0 and c.strip() and not re.search(r"\d", c) and i + 1 < len(rows) and not rows[i + 1][0].strip() \
                    and any(x.strip() for x in rows[i + 1][1:]):
                attrs += ' rowspan="2"'
                covered.add((i + 1, 0))
                spans += 1
            elif header and c.strip() and j + 1 < n and not r[j + 1].strip() and (i, j + 1) not in covered:
                k = j + 1
                while k < n and not r[k].strip() and (i, k) not in covered:
                    k += 1
                attrs += f' colspan="{k - j}"'
                covered.update((i, x) for x in range(j + 1, k))
                spans += 1
            tds.append(f"<td{attrs}>{html.escape(c.strip())}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out), spans


def page(text: str, charset: str = "utf-8") -> tuple[str, int]:
    lines = text.split("\n")
    parts = [f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>部门决算</title>'
             "<style>td{border:1px solid}</style><script>var x = '1、2';</script></head><body>"]
    spans = i = 0
    annex = max(k for k, ln in enumerate(lines) if ln.startswith("第六部分"))
    while i < len(lines):
        if "\t" in lines[i]:
            j = i
            while j < len(lines) and "\t" in lines[j]:
                j += 1
            # the nine tables with merged cells; the 自评表 of the 附件 (a reader of their own) as printed
            t, s = _table([ln.split("\t") for ln in lines[i:j]], merge=i < annex)
            parts.append(t)
            spans += s
            i = j
            continue
        if lines[i].strip():
            parts.append(f"<p>{html.escape(lines[i])}</p>")
        i += 1
    parts.append("</body></html>")
    return "\n".join(parts), spans


# The 自评表 of the 附件 have a reader of their own that still leans on the text's blank lines
# (a page has none): one score there is read differently (效益指标 得分), so they are left out here.
PERF = "预算绩效"


def findings_of(result) -> list[tuple]:
    return sorted((f.code, f.severity, f.found, f.expected) for f in result.findings
                  if not (f.code.startswith("T15") or "自评" in f.message or "预算绩效" in (f.formula or "")))


def nine(tree: dict) -> dict:
    return {k: v for k, v in tree.items() if k != PERF}


@pytest.fixture(scope="module")
def from_text():
    text = DISCLOSURE.read_text(encoding="utf-8")
    fig, _f, _r = figures_from_document(text, "t")
    return nine(figures_to_tree(fig)), findings_of(check_file(DISCLOSURE, None, "auto"))


@pytest.mark.parametrize("charset", ["utf-8", "gb18030"])
def test_html_page_gives_the_texts_figures_and_findings(tmp_path, from_text, charset):
    source, spans = page(DISCLOSURE.read_text(encoding="utf-8"), charset)
    assert spans > 10 and 'rowspan="2"' in source and "colspan" in source
    path = tmp_path / "disclosure.html"
    path.write_bytes(source.encode(charset))
    text = load_text_or_document(path)
    assert "<td" not in text and "var x" not in text
    fig, _f, _r = figures_from_document(text, str(path))
    assert nine(figures_to_tree(fig)) == from_text[0]
    assert findings_of(check_file(path, None, "auto")) == from_text[1]


def test_rowspan_and_colspan_are_honoured():
    from narrator.sources.html import html_text

    got = html_text("""<html><body><p>标题</p><table>
        <tr><td rowspan="2">项目</td><td colspan="2">本年支出</td></tr>
        <tr><td>基本支出</td><td>项目支出</td></tr>
        <tr><td>合计</td><td>1.00</td><td>2.00</td></tr></table><p>注：本表反映</p></body></html>""".encode(),
                    "t.html")
    assert got.split("\n") == ["标题", "项目\t本年支出", "\t基本支出\t项目支出", "合计\t1.00\t2.00", "注：本表反映"]


def test_declared_encoding_wins(tmp_path):
    from narrator.sources.html import html_text

    data = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>' \
           '<body><p>收入支出决算总表</p></body></html>'
    assert html_text(data.encode("gb18030"), "p.html") == "收入支出决算总表"
