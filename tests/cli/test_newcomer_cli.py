"""Issue 17: the command line as a newcomer meets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"


def narrator(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_version_flag_and_command():
    from narrator import __version__

    for args in (["--version"], ["version"]):
        r = narrator(*args)
        assert r.returncode == 0 and r.stdout.strip() == __version__, r.stderr


def test_help_shows_no_bool_type_and_lists_batch_synth():
    for args in (["--help"], ["check", "--help"], ["batch", "--help"], ["batch", "check", "--help"]):
        r = narrator(*args)
        assert r.returncode == 0 and "<bool>" not in r.stdout, r.stdout
    assert "synth" in narrator("batch", "--help").stdout
    assert "--no-figures" in narrator("check", "--help").stdout


def test_figures_and_no_figures_together_is_a_usage_error():
    r = narrator("check", SAMPLE / "narrative.txt", "--figures", SAMPLE / "figures.yaml", "--no-figures")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--figures" in lines[0] and "--no-figures" in lines[0], r.stderr


def test_convert_of_the_empty_workbook_says_to_fill_it_in(tmp_path):
    assert narrator("init-workbook", tmp_path / "empty.xlsx").returncode == 0
    r = narrator("convert", tmp_path / "empty.xlsx", "-o", tmp_path / "out.yaml")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "请先填好工作簿" in lines[0], r.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_readme_says_how_to_get_narrator_on_the_path():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    everyday = readme.split("## Everyday commands", 1)[1]
    assert ". .venv/bin/activate" in everyday.split("narrator generate", 1)[0]
