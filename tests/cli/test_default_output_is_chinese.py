"""Issue 17: what check, validate, extract and batch print by default is Chinese — no English
word beyond rule codes, file names, option names and pack names — and ``--lang en`` (or
NARRATOR_LANG=en) gives the English rendering for tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"
NARRATIVE, FIGURES, DISCLOSURE = SAMPLE / "narrative.txt", SAMPLE / "figures.yaml", SAMPLE / "disclosure.txt"

# words that are names, not English prose: the program, the packs a user names with --pack,
# the file format a bad figures file is reported in
NAMES = {"narrator", "standard", "shanghai", "YAML"}
_CODE = re.compile(r"\b[NTD]\d{3}\b")
_OPTION = re.compile(r"--[a-z][a-z-]*")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def narrator(*args, cwd: Path, lang: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "NARRATOR_LANG"}
    if lang:
        env["NARRATOR_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def english_words(text: str, paths) -> list[str]:
    """The ASCII-letter words of ``text`` once the file names, codes and option names are taken out."""
    for p in sorted({str(p) for p in paths}, key=len, reverse=True):
        text = text.replace(p, " ")
    text = _OPTION.sub(" ", _CODE.sub(" ", text))
    return [w for w in _WORD.findall(text) if w not in NAMES]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder with the sample's files under short names, and a batch folder holding one
    good department, an empty file and a broken YAML file."""
    d = tmp_path_factory.mktemp("zh")
    for p in (NARRATIVE, FIGURES, DISCLOSURE):
        shutil.copy(p, d / p.name)
    depts = d / "depts"       # for batch validate
    depts.mkdir()
    shutil.copy(FIGURES, depts / "good.yaml")
    (depts / "empty.yaml").write_bytes(b"")
    (depts / "broken.yaml").write_text("单位: 区某局\n年度: 2024\n  收入: [\n", encoding="utf-8")
    texts = d / "texts"       # for batch check: a text with its figures beside it, and an empty text
    texts.mkdir()
    shutil.copy(NARRATIVE, texts / "good.txt")
    shutil.copy(FIGURES, texts / "good.yaml")
    (texts / "empty.txt").write_bytes(b"")
    return d


FILES = ("narrative.txt", "figures.yaml", "disclosure.txt", "rules/figures-schema.yaml")   # extract names the schema


@pytest.mark.parametrize("args", [
    ("check", "narrative.txt", "--figures", "figures.yaml"),
    ("check", "narrative.txt"),
    ("check", "disclosure.txt"),
    ("validate", "figures.yaml"),
    ("validate", "disclosure.txt"),
    ("extract", "disclosure.txt"),
], ids=lambda a: "-".join(a).replace(".", "_"))
def test_single_commands_print_no_english(work, args):
    r = narrator(*args, cwd=work)
    assert r.returncode in (0, 1), r.stderr
    out = r.stdout + r.stderr
    assert out.strip()
    assert english_words(out, FILES) == [], out[-3000:]


@pytest.mark.parametrize("command, folder", [("validate", "depts"), ("check", "texts")])
def test_batch_with_a_bad_file_prints_and_summarises_in_chinese(work, command, folder):
    out = work / f"out-{command}"
    r = narrator("batch", command, folder, "--out", out.name, "--jobs", "1", cwd=work)
    assert r.returncode == 1, r.stderr
    names = [f"{folder}/{p.name}" for p in (work / folder).iterdir()] + [f"{out.name}/summary.csv", "summary.csv"]
    assert "未能处理" in r.stderr and "文件是空的" in r.stderr
    assert english_words(r.stderr, names) == [], r.stderr
    csv_text = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("输入文件,输出文件,状态,")
    written = [p for p in out.iterdir() if p.suffix == ".txt"]
    assert written
    for report in written:
        text = report.read_text(encoding="utf-8")
        assert english_words(text, names + ["good.yaml", "good.txt"]) == [], text[-2000:]
    assert english_words(csv_text, names + [str(p.relative_to(out)) for p in written]) == [], csv_text


def test_lang_en_gives_english(work):
    r = narrator("--lang", "en", "check", "narrative.txt", "--figures", "figures.yaml", cwd=work)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert " N101 [error] amount mismatch: " in r.stdout
    summary = lines[-1]
    assert summary.startswith("narrative.txt: 176 numbers: ") and "confirmed" in summary
    assert not _CJK.search(summary), summary
    anywhere = narrator("check", "narrative.txt", "--figures", "figures.yaml", "--lang", "en", cwd=work)
    assert anywhere.stdout == r.stdout                      # --lang may follow the command, like --debug
    bad = narrator("--lang", "en", "check", "nope.txt", cwd=work)
    assert bad.returncode == 2 and bad.stderr == "narrator: error: nope.txt: no such file\n"
    usage = narrator("--lang", "en", "check", cwd=work)
    assert usage.returncode == 2 and usage.stderr.startswith("narrator: missing argument TEXT")


def test_environment_variable_selects_english_for_batch_workers(work):
    out = work / "out-en"
    r = narrator("batch", "validate", "depts", "--out", out.name, "--jobs", "2", cwd=work, lang="en")
    assert r.returncode == 1
    assert "batch validate: 3 documents: 0 ok, 1 with errors, 2 failed" in r.stderr, r.stderr
    assert "file is empty" in r.stderr
    csv_text = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert csv_text.startswith("input,output,status,") and "[error]" in csv_text


def test_usage_errors_are_one_chinese_line(work):
    for args, words in ((["check"], "缺少参数 TEXT"), (["check", "x", "--bogus"], "没有选项 --bogus"),
                        (["frob"], "没有命令 frob"), (["check", "x", "-f", "xml"], "--format 的值 xml 无效"),
                        (["--lang", "fr", "check", "x"], "--lang fr：请用 zh 或 en")):
        r = narrator(*args, cwd=work)
        assert r.returncode == 2 and r.stdout == "", (args, r.stdout)
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("narrator: ") and words in lines[0], (args, r.stderr)
