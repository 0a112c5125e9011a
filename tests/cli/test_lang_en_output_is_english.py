"""Issue 17: with ``--lang en`` what check (text and html), validate, extract and batch print for
the sample — its narrative, its whole disclosure and a batch with a bad file — is English.

Chinese may remain only where it is quoted, not narrator's own words:

* text in quotation marks (“…” ‘…’ 「…」 《…》) and the ``(found → expected)`` tail of a finding:
  what the document printed;
* official names: a run of Chinese characters equal to a whole name (key or value) of the figures
  in use (the figures file, or the figures ``narrator extract`` reads from the disclosure) or of the
  rule files that define names — rules/figures-schema.yaml (tables, rows, columns, units),
  rules/metrics.yaml (指标), rules/claims.yaml (subjects and measures), rules/科目.yaml (科目名称).

Every other run of Chinese characters is a message left untranslated; the last test shows that one
such message is caught.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from narrator.core import messages as M

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"
NAME_FILES = [ROOT / "rules" / n for n in ("figures-schema.yaml", "metrics.yaml", "claims.yaml", "科目.yaml")]
_RUN = re.compile(r"[\u4e00-\u9fff]+")
_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’|「[^」]*」|《[^》]*》|\([^()]*→[^()]*\)")
_TAG = re.compile(r"<[^>]*>")


def _runs(data) -> set[str]:
    out: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            out |= _runs(k) | _runs(v)
    elif isinstance(data, list):
        for v in data:
            out |= _runs(v)
    elif isinstance(data, str):
        out.update(_RUN.findall(data))
    return out


@cache
def rule_names() -> frozenset[str]:
    return frozenset().union(*(_runs(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in NAME_FILES))


_DOC = re.compile(r'<div class="doc" id="doc">.*?</div>\n</main>', re.S)        # the checked text itself
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_FOUND = re.compile(r'<span class="found">[^<]*</span>')                     # what the document printed
# the words of attributes; of a finding's hover tip its first line (the later ones repeat the values)
_ATTR = re.compile(r'\b(?:aria-label|placeholder|data-word)="([^"]*)"|\bdata-tip="([^"&\n]*)')


def _page_text(page: str) -> str:
    """An HTML page's words: its text outside the checked document, and the words in its attributes
    (the findings' hover texts included)."""
    if not page.lstrip().startswith("<!DOCTYPE"):
        return page
    attrs = "\n".join(a or b for a, b in _ATTR.findall(page))
    return html.unescape(_TAG.sub(" ", _FOUND.sub(" ", _DOC.sub(" ", _CODE.sub(" ", page)))) + "\n" + attrs)


def untranslated(text: str, names) -> list[str]:
    """The runs of Chinese characters in ``text`` that are neither quoted nor a whole official name."""
    text = _QUOTED.sub(" ", _page_text(text))
    return sorted({r for r in _RUN.findall(text) if r not in names and r not in rule_names()})


# The table audit's findings (T1xx, T2xx) are split off and checked apart (their own test below):
# a regression there names the audit rather than the command.
_AUDIT_LIST = re.compile(r'<ol class="items tables" id="table-items">.*?</ol>', re.S)
_AUDIT_LINE = re.compile(r"\bT\d{3}\b.*(?:\n[ \t]+.*)*")


def split_audit(text: str) -> tuple[str, str]:
    """(the text without the table audit's findings, those findings)."""
    audit = _AUDIT_LIST.findall(text)
    text = _AUDIT_LIST.sub(" ", text)
    audit += _AUDIT_LINE.findall(text)
    return _AUDIT_LINE.sub(" ", text), "\n".join(audit)


def narrator(*args, cwd: Path, lang: str | None = "en"):
    env = {k: v for k, v in os.environ.items() if k != "NARRATOR_LANG"}
    if lang:
        env["NARRATOR_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("en")
    for name in ("narrative.txt", "figures.yaml", "disclosure.txt"):
        shutil.copy(SAMPLE / name, d / name)
    texts = d / "texts"          # a batch: a text with its figures beside it, the disclosure, an empty text
    texts.mkdir()
    shutil.copy(SAMPLE / "narrative.txt", texts / "good.txt")
    shutil.copy(SAMPLE / "figures.yaml", texts / "good.yaml")
    shutil.copy(SAMPLE / "disclosure.txt", texts / "whole.txt")
    (texts / "empty.txt").write_bytes(b"")
    return d


@pytest.fixture(scope="module")
def names(work) -> frozenset[str]:
    """The names of the figures in use: the sample's figures file and what extract reads from the disclosure."""
    extracted = narrator("extract", "disclosure.txt", cwd=work, lang=None)
    assert extracted.returncode == 0, extracted.stderr
    return frozenset(_runs(yaml.safe_load((work / "figures.yaml").read_text(encoding="utf-8")))
                     | _runs(yaml.safe_load(extracted.stdout)))


@pytest.mark.parametrize("args", [
    ("check", "narrative.txt", "--figures", "figures.yaml", "--show-info"),
    ("check", "narrative.txt", "--show-info"),
    ("check", "disclosure.txt", "--show-info"),
    ("check", "disclosure.txt", "--format", "html"),
    ("check", "narrative.txt", "--figures", "figures.yaml", "--format", "html"),
    ("validate", "figures.yaml", "--show-info"),
    ("validate", "disclosure.txt", "--show-info"),
    ("extract", "disclosure.txt"),
], ids=lambda a: "-".join(a).replace(".", "_").replace("--", ""))
def test_single_commands_speak_english(work, names, args):
    r = narrator(*args, cwd=work)
    assert r.returncode in (0, 1), r.stderr
    out = r.stderr if args[0] == "extract" else r.stdout + r.stderr     # extract's stdout is the figures
    assert out.strip()
    out, _audit = split_audit(out)
    left = untranslated(out, names)
    assert left == [], f"{left}\n{out[-3000:]}"


@pytest.mark.parametrize("args", [("validate", "figures.yaml", "--show-info"),
                                  ("check", "disclosure.txt", "--format", "html")], ids=["validate", "html"])
def test_table_audit_findings_speak_english(work, names, args):
    r = narrator(*args, cwd=work)
    _text, audit = split_audit(r.stdout)
    assert audit.strip()
    left = untranslated(audit, names)
    assert left == [], f"{left}\n{audit[-3000:]}"


def test_batch_check_with_a_bad_file_speaks_english(work, names):
    out = work / "out"
    r = narrator("batch", "check", "texts", "--out", "out", "--jobs", "1", "--format", "html", cwd=work)
    assert r.returncode == 1, r.stderr
    assert "file is empty" in r.stderr
    written = sorted(out.rglob("*.html")) + [out / "summary.csv", out / "summary.json"]
    assert len(written) >= 4, written
    for text in [r.stderr] + [p.read_text(encoding="utf-8-sig") for p in written]:
        left = untranslated(split_audit(text)[0], names)
        assert left == [], f"{left}\n{text[-2000:]}"


def test_a_message_left_in_chinese_is_caught(work, names, monkeypatch):
    """The same check in process, with two English templates replaced by their Chinese: caught."""
    from narrator.pipeline import check_file
    from narrator.report.text import check_report

    catalogue = M.messages()
    for key in ("reading.comma_confirmed", "perf.total_split"):
        monkeypatch.setitem(catalogue, key, {**catalogue[key], "en": catalogue[key]["zh"]})
    M.set_lang("en")
    try:
        report = check_report(check_file(work / "disclosure.txt", None, "auto", False), True)
    finally:
        M.set_lang(None)
    left = untranslated(split_audit(report)[0], names)
    assert {"已由", "证实", "总分分成几段", "读作"} <= set(left), left


def test_an_audit_message_left_in_chinese_is_caught(work, names, monkeypatch):
    """The audit's findings checked apart: one English template replaced by its Chinese is caught."""
    from narrator.audit.engine import validate_file
    from narrator.report.text import WIDTH

    catalogue = M.messages()
    monkeypatch.setitem(catalogue, "audit.sum_of_level", {**catalogue["audit.sum_of_level"],
                                                           "en": catalogue["audit.sum_of_level"]["zh"]})
    M.set_lang("en")
    try:
        report = "\n".join(f.render(WIDTH) for f in validate_file(work / "figures.yaml"))
    finally:
        M.set_lang(None)
    _text, audit = split_audit(report)
    assert {"其下各项之和", "其下各款之和"} <= set(untranslated(audit, names)), audit


def test_the_english_t102_first_line_is_short_and_its_identities_follow(work, monkeypatch):
    """Issue 17's short first line holds in English too, measured as the renderer does (without the
    file:line, whose length is the file's): the formula's parts go on indented lines."""
    from narrator.pipeline import check_file
    from narrator.report.text import check_report

    monkeypatch.chdir(work)
    M.set_lang("en")
    try:
        out = check_report(check_file(Path("disclosure.txt"), None, "auto"), show_info=True)
    finally:
        M.set_lang(None)
    first = next(ln for ln in out.splitlines() if " T102 [error] " in ln)
    assert first.startswith("disclosure.txt:230: ") and len(first) - len("disclosure.txt:230: ") <= 120, first
    assert "(2495.79 → 2495.75)" in first
    following = out.split(first + "\n", 1)[1].splitlines()
    assert following[0].startswith("    changing this cell alone")
    assert following[1].startswith("    ") and "(T103)" in following[1]
