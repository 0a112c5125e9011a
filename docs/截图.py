"""Regenerate the two screenshots of docs/用户指南.md (not run in CI).

    .venv/bin/python docs/截图.py

Needs Chromium (/usr/bin/chromium) with the playwright package for the HTML review, and
LibreOffice (soffice) with poppler (pdftoppm) for the Word review: the .docx is turned into a
PDF (each Word comment becomes a note icon) and its first page into a PNG.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SAMPLE = ROOT / "samples" / "renshe-2024"


def narrator(*args: str, cwd: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "narrator.cli", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise SystemExit(r.stderr)


def html_review(tmp: Path) -> None:
    from playwright.sync_api import sync_playwright

    narrator("check", "narrative.txt", "--figures", "figures.yaml", "--format", "html", "-o", "review.html", cwd=tmp)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto((tmp / "review.html").as_uri())
        page.locator("#f1").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -120)")
        page.screenshot(path=str(DOCS / "审核页面.png"))
        browser.close()


def word_review(tmp: Path) -> None:
    narrator("check", "narrative.txt", "--figures", "figures.yaml", "--format", "docx", "-o", "review.docx", cwd=tmp)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(tmp / "review.docx")],
                   check=True, capture_output=True, timeout=300)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(tmp / "review.pdf"),
                    str(tmp / "page")], check=True)
    shutil.copy(tmp / "page.png", DOCS / "Word批注.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for name in ("narrative.txt", "figures.yaml"):
            shutil.copy(SAMPLE / name, tmp / name)
        html_review(tmp)
        word_review(tmp)
    print("wrote", DOCS / "审核页面.png", "and", DOCS / "Word批注.png")


if __name__ == "__main__":
    main()
