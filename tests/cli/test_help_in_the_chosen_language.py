"""Issue 17: ``--help`` of every command comes from rules/messages.yaml — Chinese by default,
English with ``--lang en`` (anywhere on the line) or NARRATOR_LANG=en."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import typer

from narrator.cli.helptext import display_width, wrap_wide
from narrator.cli.main import app
from narrator.core.messages import messages

ROOT = Path(__file__).resolve().parents[2]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
# names a help page may show in either language: file formats, the program, its environment variable
NAMES = {"narrator", "NARRATOR_LANG", "YAML", "JSON", "Excel", "PDF", "HTML", "docx", "xlsx", "xls", "txt",
         "yaml", "json", "csv", "summary", "figures", "deptNNNN", "en", "zh", "help",
         "standard", "shanghai", "auto"}   # pack names the user types


def _tree(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _tree(sub, (*path, name))


PAGES = [path for path, _ in _tree(typer.main.get_command(app))]


def identifiers() -> set[str]:
    """What the user types: command names, option names, argument names, choice values."""
    out = set(NAMES)
    for path, command in _tree(typer.main.get_command(app)):
        out.update(w for name in path for w in _WORD.findall(name))
        for p in command.params:
            out.update(w for o in (*p.opts, *p.secondary_opts) for w in _WORD.findall(o))
            out.add(p.name.upper())
            out.update(getattr(p.type, "choices", ()) or ())
    return out


def help_page(path, lang: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NARRATOR_LANG"} | {"COLUMNS": "80"}
    if lang == "env":
        env["NARRATOR_LANG"] = "en"
    args = [*path, "--help"] + (["--lang", "en"] if lang == "en" else [])
    r = subprocess.run([sys.executable, "-m", "narrator.cli", *args], cwd=ROOT, env=env, capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout


def test_every_help_text_is_a_message_key():
    """Nothing typed in the code: each command's and parameter's help names a key with zh and en."""
    keys = messages()
    seen = 0
    for path, command in _tree(typer.main.get_command(app)):
        assert command.help in keys, (path, command.help)
        for p in command.params:
            assert p.help in keys, (path, p.name, p.help)
            seen += 1
    assert seen > 40


def description_columns(text: str) -> list[int]:
    """The terminal column at which each row's description starts, in the definition lists
    (options, arguments, commands) of a help page: after the name and a gap of 2+ spaces, or,
    on a continuation line, after the indent."""
    cols = []
    for line in text.splitlines():
        m = re.match(r"( {2}\S.*?\S? {2,})\S", line) or re.match(r"( {3,})\S", line)
        if m:
            cols.append(display_width(m.group(1)))
    return cols


@pytest.mark.parametrize("path", PAGES, ids=lambda p: "-".join(p) or "narrator")
def test_default_help_is_chinese(path):
    text = help_page(path, None)
    assert "用法：" in text and "显示本帮助并退出" in text
    words = [w for w in _WORD.findall(text) if w not in identifiers()]
    assert words == [], text
    # a Chinese character takes two terminal columns: the page fits 80 of them, its columns align
    assert max(display_width(line) for line in text.splitlines()) <= 78, text
    body = text.split("\n\n", 2)[-1]           # the lists, after the usage line and the description
    assert len(set(description_columns(body))) <= 2, text   # options' column, and commands' own


@pytest.mark.parametrize("path", PAGES, ids=lambda p: "-".join(p) or "narrator")
def test_lang_en_help_is_english(path):
    text = help_page(path, "en")
    assert text.startswith("Usage: narrator") and "Show this message and exit." in text
    assert not _CJK.search(text), text


def test_environment_variable_and_option_before_the_command_give_the_same_english_help():
    assert help_page(("check",), "env") == help_page(("check",), "en")
    r = subprocess.run([sys.executable, "-m", "narrator.cli", "--lang", "en", "batch", "check", "--help"], cwd=ROOT,
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.stdout == help_page(("batch", "check"), "en")


_MIXED = st.text(alphabet=st.sampled_from(list("决算数据文件，。）：、”") + list("abcXYZ-| ") + ["\n"]),
                 max_size=120)
_ONE_UNIT = re.compile(r"([A-Za-z|-]+|[决算数据文件])?[，。）：、”]*")   # what no line break may split


@settings(max_examples=300, deadline=None)
@given(text=_MIXED, width=st.integers(min_value=4, max_value=60), indent=st.sampled_from(["", "  ", "    "]))
def test_wrapping_by_display_width_keeps_every_character_and_fits_the_width(text, width, indent):
    text = re.sub(r"\s+(?=[，。）：、”])", "", text)   # "word ，" is one unit; keep the units short
    lines = wrap_wide(text, width, indent, indent)
    assert "".join("".join(lines).split()) == "".join(text.split())
    for line in lines:
        body = line[len(indent):]
        assert display_width(line) <= width or _ONE_UNIT.fullmatch(body), (line, width)
        assert not body.startswith(("，", "。", "）", "：", "、", "”")) or line is lines[0], lines
