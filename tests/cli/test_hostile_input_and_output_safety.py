"""Never lose a user's file, never show a traceback, never hang (issue 16).

Every case runs the real command line in a subprocess on fresh copies of the sample files
and asserts: the exit code, one line on stderr naming the file, the inputs unchanged
(checksums) and no stray output left behind.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"


def narrator(*args, cwd=None, timeout=120, stdout=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd, env=env,
                          stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (names and contents): what must not change."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def one_line_error(r, *needles, code=2):
    assert r.returncode == code, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr[-3000:]
    assert lines[0].startswith("narrator: "), lines[0]
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """Fresh copies of the sample's figures and narrative in an otherwise empty folder."""
    for name in ("figures.yaml", "narrative.txt"):
        (tmp_path / name).write_bytes((SAMPLE / name).read_bytes())
    return tmp_path


# ---------------------------------------------------------------------------------------------
# 1. outputs: an input is never overwritten, a device never replaced
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, out", [
    (["generate", "figures.yaml", "-o", "figures.yaml"], "figures.yaml"),
    (["generate", "figures.yaml", "-f", "docx", "-o", "./figures.yaml"], "./figures.yaml"),
    (["check", "narrative.txt", "--figures", "figures.yaml", "-o", "narrative.txt"], "narrative.txt"),
    (["check", "narrative.txt", "--figures", "figures.yaml", "-f", "html", "-o", "sub/../narrative.txt"],
     "sub/../narrative.txt"),
    (["check", "narrative.txt", "--figures", "figures.yaml", "-f", "docx", "-o", "narrative.txt"], "narrative.txt"),
    (["check", "narrative.txt", "--figures", "figures.yaml", "-o", "figures.yaml"], "figures.yaml"),
    (["check", "narrative.txt", "--figures", "figures.yaml", "--fix", "figures.yaml"], "figures.yaml"),
    (["check", "narrative.txt", "-o", "narrative.txt"], "narrative.txt"),
    (["validate", "figures.yaml", "-o", "figures.yaml"], "figures.yaml"),
    (["extract", "narrative.txt", "-o", "narrative.txt"], "narrative.txt"),
    (["convert", "figures.yaml", "-o", "link.yaml"], "link.yaml"),
    (["generate", "link.yaml", "-o", "hard.yaml"], "hard.yaml"),
])
def test_an_output_that_is_an_input_is_refused(work: Path, args, out):
    os.symlink("figures.yaml", work / "link.yaml")
    os.link(work / "figures.yaml", work / "hard.yaml")
    before = digest(work)
    r = narrator(*args, cwd=work)
    line = one_line_error(r, str(Path(out)))  # as the user wrote it (./ dropped)
    assert "input" in line
    assert digest(work) == before
    assert sorted(p.name for p in work.iterdir()) == ["figures.yaml", "hard.yaml", "link.yaml", "narrative.txt"]


def test_fix_and_report_into_one_file_is_refused(work: Path):
    before = digest(work)
    r = narrator("check", "narrative.txt", "--figures", "figures.yaml", "--fix", "c.txt", "-o", "./c.txt", cwd=work)
    one_line_error(r, "c.txt", "same file")
    assert digest(work) == before and not (work / "c.txt").exists()


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full"])
def test_a_device_is_never_turned_into_a_regular_file(work: Path, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    before = digest(work)
    r = narrator("generate", "figures.yaml", "-o", device, cwd=work)
    one_line_error(r, device, "not a regular file")
    assert Path(device).is_char_device()
    assert digest(work) == before


@pytest.mark.parametrize("out, why", [
    ("{tmp}", "folder"),                      # a directory
    ("narrative.txt/draft.txt", "not a folder"),  # under a regular file
    ("narrative.txt/a/b.txt", "not a folder"),
])
def test_unusable_output_paths_are_one_line(work: Path, out, why):
    before = digest(work)
    out = out.format(tmp=work)
    for args in (["generate", "figures.yaml"], ["check", "narrative.txt", "--figures", "figures.yaml"],
                 ["validate", "figures.yaml"]):
        r = narrator(*args, "-o", out, cwd=work)
        one_line_error(r, out, why)
    assert digest(work) == before


def test_an_unwritable_place_is_one_line(work: Path):
    r = narrator("generate", "figures.yaml", "-o", "/proc/no-such-process/draft.txt", cwd=work)
    one_line_error(r, "/proc/no-such-process/draft.txt")


def test_dash_is_stdout(work: Path):
    r = narrator("generate", "figures.yaml", "-o", "-", cwd=work)
    assert r.returncode == 0 and r.stdout.startswith("第三部分") and not (work / "-").exists()


def test_stdout_on_a_full_device_is_one_line(work: Path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        for args in (["check", "narrative.txt", "--figures", "figures.yaml"], ["generate", "figures.yaml"],
                     ["rules"]):
            r = narrator(*args, cwd=work, stdout=full)
            one_line_error(r, "<stdout>", "No space left on device")


# ---------------------------------------------------------------------------------------------
# 2. no traceback: internal errors are one line, the traceback only with --debug
# ---------------------------------------------------------------------------------------------
def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(work: Path):
    # a Figures whose render fails deep inside: simulate a bug with a template that divides by zero
    pack = work / "badpack"
    pack.mkdir()
    (pack / "01-收入支出决算总体情况.j2").write_text("{{ (1 // 0) }}\n", encoding="utf-8")
    r = narrator("generate", "figures.yaml", "--pack", pack, cwd=work)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith("narrator: ")
    r = narrator("--debug", "generate", "figures.yaml", "--pack", pack, cwd=work)
    assert r.returncode == 2 and "Traceback" in r.stderr
    r = narrator("generate", "figures.yaml", "--pack", pack, "--debug", cwd=work)
    assert r.returncode == 2 and "Traceback" in r.stderr
