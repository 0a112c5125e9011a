"""HTML review reports: structure (parsed, no browser) and behaviour (headless Chromium via Playwright).

The browser tests skip with a reason when /usr/bin/chromium or the playwright package is missing;
CI installs both (Debian's chromium, playwright from PyPI; never ``playwright install``).
Screenshots land in tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from narrator.check.checker import check_text
from narrator.cli.main import check_file
from narrator.core.findings import Finding
from narrator.report.html import batch_index_html, check_html, highlight, in_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# -- a small DOM-ish parser -----------------------------------------------------------------
class Page(HTMLParser):
    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "col", "wbr", "area", "base", "embed", "track"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, dict] = {}
        self.marks: list[dict] = []         # <mark id=…>, with their text content
        self.items: list[dict] = []         # li.item in the side list
        self.links: list[str] = []          # every href
        self.srcs: list[str] = []           # every src
        self._open: list[dict] = []         # element stack (non-void)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        el = {"tag": tag, "attrs": a, "text": [], "classes": (a.get("class") or "").split()}
        if "id" in a:
            assert a["id"] not in self.ids, f"duplicate id {a['id']}"
            self.ids[a["id"]] = el
        if "href" in a:
            self.links.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        if tag == "mark" and "id" in a:
            self.marks.append(el)
        if tag == "li" and "item" in el["classes"]:
            self.items.append(el)
        if tag not in self.VOID:
            self._open.append(el)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                return

    def handle_data(self, data):
        for el in self._open:
            el["text"].append(data)


def text_of(el) -> str:
    return "".join(el["text"])


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def result():
    return check_file(SAMPLE / "narrative.txt", SAMPLE / "figures.yaml", "auto")


@pytest.fixture(scope="module")
def report(result):
    html = check_html(result)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "review.html"
    path.write_text(html, encoding="utf-8")
    return path, html


BATCH_ROWS = [
    {"document": "docs/a区人社局.txt", "output": "a区人社局.html", "status": "ok", "errors": 2, "warnings": 1,
     "info": 0, "numbers": 120, "confirmed": 100, "unverifiable": 17, "error_message": None,
     "top": ["N101 金额与决算数据不符：收支总计", "N102 百分比与决算数据不符：占比"]},
    {"document": "docs/b区教育局.txt", "output": "b区教育局.html", "status": "ok", "errors": 7, "warnings": 0,
     "info": 3, "numbers": 180, "confirmed": 150, "unverifiable": 23, "error_message": None,
     "top": ["N104 年度与所述数字所属年度不符"]},
    {"document": "docs/c区<卫健委>.pdf", "output": None, "status": "failed", "errors": 0, "warnings": 0,
     "info": 0, "numbers": 0, "confirmed": 0, "unverifiable": 0, "error_message": "无法读取 PDF：<损坏>",
     "top": []},
]


@pytest.fixture(scope="module")
def batch_page():
    html = batch_index_html(BATCH_ROWS)
    d = ARTIFACTS / "batch"
    d.mkdir(parents=True, exist_ok=True)
    path = d / "index.html"
    path.write_text(html, encoding="utf-8")
    return path, html


# -- structure, no browser ----------------------------------------------------------------------
def _located(result):
    """The findings in the text, numbered as the report numbers them (text first, then tables)."""
    return list(enumerate((f for f in result.findings if in_text(f, len(result.text), result.file)), 1))


def test_sample_has_findings(result):
    located = [f for _, f in _located(result)]
    assert sum(f.severity == "error" for f in located) >= 5          # 7 errors + 1 warning when written
    assert any(f.code == "N102" and result.text[f.start:f.end] == "97. 51" for f in located)
    assert all(f.start is None or f.file != result.file for f in result.findings if f not in located)


def test_one_mark_per_text_finding(result, report):
    _, html = report
    page = Page(html)
    located = _located(result)
    assert len(page.marks) == len(located)
    for i, f in located:
        mark = page.ids[f"f{i}"]
        assert mark["tag"] == "mark"
        assert f.severity in mark["classes"]
        assert text_of(mark) == result.text[f.start:f.end]
        assert f.code in mark["attrs"]["title"]
        if f.expected is not None:
            assert f.expected in mark["attrs"]["title"]
            assert f"应为：{f.expected}" in mark["attrs"]["data-tip"]
        if f.formula:
            assert f.formula in mark["attrs"]["title"]
    assert "97. 51" in [text_of(m) for m in page.marks]


def test_side_list_links(result, report):
    _, html = report
    page = Page(html)
    assert len(page.items) == len(result.findings)
    for link in page.links:
        if link.startswith("#"):
            assert link[1:] in page.ids, f"dangling link {link}"
    tables = len(result.findings) - len(_located(result))
    assert ("表格审核" in html) == (tables > 0)
    assert html.count('<li class="item') == len(result.findings)
    # each text finding: list entry links to the mark, the mark's badge links back to the entry
    for i, f in _located(result):
        assert f"#f{i}" in page.links and f"#l{i}" in page.links
        assert f.message in text_of(page.ids[f"l{i}"])
    for i in range(1, len(result.findings) + 1):
        assert f"l{i}" in page.ids
    for i in range(len(_located(result)) + 1, len(result.findings) + 1):
        assert f"#f{i}" not in page.links and f"#l{i}" not in page.links and f"f{i}" not in page.ids


def test_self_contained(report, batch_page):
    for _, html in (report, batch_page):
        page = Page(html)
        for ref in page.links + page.srcs:
            assert "http" not in ref and "//" not in ref, ref
        assert not page.srcs
        assert not re.search(r"<link\b|@import|url\(|https?://", html, re.I)
    assert all(link.startswith("#") for link in Page(report[1]).links)


def test_summary_and_labels(result, report):
    _, html = report
    Page(html)                                                          # parses; ids unique
    s = result.summary
    for key in ("errors", "warnings", "numbers", "confirmed", "unverifiable"):
        assert f'data-count="{key}">{s[key]}<' in html
    for label in ("错误", "警告", "提示", "应为", "公式", "已核对", "无法核对", str(SAMPLE / "figures.yaml"), result.pack):
        assert label in html
    assert html.count('class="claim ok"') == s["confirmed"] + 1          # + the legend sample
    assert html.count('class="claim unv"') == s["unverifiable"] + 1


def test_text_kept_verbatim(result, report):
    """Stripping the tags and unescaping gives back the checked text exactly (line breaks included)."""
    _, html = report
    page = Page(html)
    assert text_of(page.ids["doc"]) == result.text


def test_escaping_and_spans():
    text = "甲<b>乙</b> & 丙\n总计 100 万元，占比 50%。"
    s100 = text.index("100")
    findings = [
        Finding("N101", "amount-mismatch", "error", "金额<不符>", "t<x>.txt", 2, 4, s100, s100 + 3, "100", "101", "a & b"),
        Finding("N102", "percent-mismatch", "warning", "重叠", "t<x>.txt", 2, 4, s100 - 3, s100 + 1, "x", "y", None),  # crosses 1
        Finding("N103", "share", "info", "内含", "t<x>.txt", 2, 4, s100 + 1, s100 + 2, "0", "1", None),             # inside 1
        Finding("N206", "list", "warning", "点", "t<x>.txt", 1, 1, 0, 0, None, None, None),                          # empty span
        Finding("T001", "table", "error", "表内不平", "figures.yaml", 3, None, None, None, "1", "2", "x = y"),
    ]
    findings.sort(key=lambda f: (f.start if f.start is not None else -1, f.code))
    body = str(highlight(text, findings, []))
    assert "<b>" not in body and "&lt;b&gt;" in body and "&amp;" in body
    page = Page(f'<div id="doc">{body}</div>')
    assert text_of(page.ids["doc"]) == text
    assert len(page.marks) == 4                                      # the table finding has no highlight
    by_code = {f.code: i for i, f in enumerate(findings, 1)}
    assert text_of(page.ids[f"f{by_code['N101']}"]) == "100"
    assert text_of(page.ids[f"f{by_code['N103']}"]) == "0"
    assert text_of(page.ids[f"f{by_code['N206']}"]) == ""
    crossing = text_of(page.ids[f"f{by_code['N102']}"])
    assert crossing and text[s100 - 3:s100 + 1].startswith(crossing)

    class R:
        pass

    r = R()
    r.file, r.text, r.figures, r.pack, r.findings, r.claims = "t<x>.txt", text, "figures.yaml", "standard", findings, []
    r.summary = {"numbers": 2, "confirmed": 0, "errors": 2, "warnings": 2, "unverifiable": 0}
    html = check_html(r)
    page = Page(html)
    assert "t&lt;x&gt;.txt" in html and "金额&lt;不符&gt;" in html
    assert len(page.items) == len(findings)
    assert "表格审核" in html
    tbl = page.ids[f"l{len(findings)}"]                               # the table finding comes last
    assert "表内不平" in text_of(tbl)
    assert f"#f{len(findings)}" not in page.links
    assert text_of(page.ids["f1"]) == ""                               # numbered from the text: N206 at 0 first


def test_claims_marked_without_figures():
    text = "2024年度收入合计100万元，比2023年度增加10万元，增长11.11%。"
    res = check_text(text, "self.txt")
    html = check_html(res)
    page = Page(html)
    assert text_of(page.ids["doc"]) == text
    assert "（无：正文自身一致性检查）" in html
    assert len(page.items) == len(res.findings)


def test_batch_index_structure(batch_page):
    _, html = batch_page
    page = Page(html)
    rows = re.findall(r'<tr class="\w+" data-document="([^"]*)"', html)
    assert rows == ["docs/b区教育局.txt", "docs/a区人社局.txt", "docs/c区&lt;卫健委&gt;.pdf"]   # errors descending
    assert 'data-total="errors">9<' in html and 'data-total="documents">3<' in html
    assert 'data-total="failed">1<' in html
    assert "无法读取 PDF：&lt;损坏&gt;" in html
    assert "a区人社局.html" in page.links and "b区教育局.html" in page.links
    assert 'aria-sort="descending"' in html


# -- in a browser ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, path: Path, width=1400, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, requests


def _in_viewport(page, selector: str) -> bool:
    return page.evaluate("""(sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight
               && r.left >= 0 && r.right <= window.innerWidth;
    }""", selector)


def test_review_in_browser(browser, result, report):
    path, _ = report
    page, requests = _open(browser, path)
    try:
        located = _located(result)
        assert located
        for i, f in located:
            mark = page.locator(f"mark#f{i}")
            assert mark.count() == 1
            assert mark.is_visible(), f"f{i} not visible"
            bg = mark.evaluate("el => getComputedStyle(el).backgroundColor")
            assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), f"f{i} not highlighted"

        page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)

        # every list entry takes the reader to its place
        links = page.locator("aside a.goto")
        assert links.count() == len(located)
        for k in range(links.count()):
            link = links.nth(k)
            target = link.get_attribute("href")
            link.click()
            page.wait_for_function("(h) => location.hash === h && document.activeElement && document.activeElement.id === h.slice(1)",
                                   arg=target, timeout=3000)
            assert _in_viewport(page, target), f"{target} not scrolled into view"

        # and each mark's badge leads back to the entry
        i, f = located[2]
        page.locator(f"mark#f{i} + a.ref").click()
        page.wait_for_function("(h) => location.hash === h", arg=f"#l{i}", timeout=3000)
        assert page.locator(f"li#l{i}").is_visible()

        # hover: the tooltip shows the expected value and the formula
        page.mouse.move(0, 0)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        n102, f = next((i, f) for i, f in located if f.code == "N102")
        mark = page.locator(f"mark#f{n102}")
        mark.scroll_into_view_if_needed()
        hidden = mark.evaluate("el => getComputedStyle(el, '::after').visibility")
        assert hidden == "hidden"
        mark.hover()
        page.wait_for_function(
            "(sel) => getComputedStyle(document.querySelector(sel), '::after').opacity === '1'", arg=f"mark#f{n102}",
            timeout=3000)
        tip = mark.evaluate("el => getComputedStyle(el, '::after').content")
        assert f.expected in tip and "应为" in tip and f.formula in tip
        assert mark.evaluate("el => getComputedStyle(el, '::after').visibility") == "visible"
        page.screenshot(path=str(ARTIFACTS / "review-hover.png"))

        if page.locator("#table-items").count():
            page.locator("#table-items li").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "review-tables.png"))

        bad = [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
        assert not bad, f"page fetched {bad}"
    finally:
        page.close()


def test_review_narrow_screen(browser, report):
    path, _ = report
    page, _ = _open(browser, path, width=600, height=900)
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"horizontal overflow of {overflow}px"
        page.screenshot(path=str(ARTIFACTS / "review-narrow.png"))
    finally:
        page.close()


def test_batch_index_in_browser(browser, batch_page):
    path, _ = batch_page
    page, requests = _open(browser, path, width=1280, height=600)

    def order():
        return page.eval_on_selector_all("#docs tbody tr", "rows => rows.map(r => r.dataset.document)")

    def errors():
        return [int(x) for x in page.eval_on_selector_all("#docs tbody tr", "rows => rows.map(r => r.dataset.errors)")]

    try:
        assert errors() == [7, 2, 0]
        page.screenshot(path=str(ARTIFACTS / "batch.png"), full_page=True)
        head = page.locator('th[data-key="errors"] button')
        assert head.inner_text().strip() == "错误"
        head.click()
        assert errors() == [0, 2, 7]
        assert page.get_attribute('th[data-key="errors"]', "aria-sort") == "ascending"
        head.click()
        assert errors() == [7, 2, 0]
        page.locator('th[data-key="document"] button').click()
        assert order() == ["docs/a区人社局.txt", "docs/b区教育局.txt", "docs/c区<卫健委>.pdf"]
        page.fill("#filter", "教育")
        visible = page.eval_on_selector_all("#docs tbody tr", "rows => rows.filter(r => !r.hidden).length")
        assert visible == 1
        assert "1 / 3" in page.inner_text("#shown")
        assert not [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
    finally:
        page.close()
