"""generate audits the tables first (issue 16): their errors are warnings on stderr and the
draft is still written; ``--strict`` makes them fatal (exit 2, one line, nothing written)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from narrator.batch.synth import department, dump_figures_yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024" / "figures.yaml"  # has a real T102 error (line 153)


def narrator(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_generate_warns_about_table_errors_and_still_writes_the_draft(tmp_path: Path):
    fig = tmp_path / "figures.yaml"
    fig.write_bytes(SAMPLE.read_bytes())
    r = narrator("generate", "figures.yaml", "-o", "draft.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("narrator: 警告：figures.yaml:153: T102 "), lines[0]
    assert (tmp_path / "draft.txt").read_text(encoding="utf-8").strip()
    # to stdout as well: the draft on stdout, the warning on stderr only
    r2 = narrator("generate", "figures.yaml", cwd=tmp_path)
    assert r2.returncode == 0 and r2.stdout == (tmp_path / "draft.txt").read_text(encoding="utf-8")
    assert r2.stderr == r.stderr and "T102" not in r2.stdout


def test_generate_strict_refuses_tables_that_fail_the_audit(tmp_path: Path):
    fig = tmp_path / "figures.yaml"
    fig.write_bytes(SAMPLE.read_bytes())
    before = _sha(fig)
    for extra in ([], ["-f", "docx"]):
        r = narrator("generate", "figures.yaml", "--strict", *extra, "-o", "draft.out", cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert lines[0].startswith("narrator: 错误：figures.yaml:153: T102 ") and "--strict" in lines[0], lines[0]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["figures.yaml"]  # nothing written
    assert _sha(fig) == before
    r = narrator("generate", "figures.yaml", "--strict", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""


def test_generate_of_clean_tables_says_nothing_even_when_strict(tmp_path: Path):
    (tmp_path / "clean.yaml").write_text(dump_figures_yaml(department(3, rows=12)), encoding="utf-8")
    assert narrator("validate", "clean.yaml", cwd=tmp_path).returncode == 0
    r = narrator("generate", "clean.yaml", "--strict", "-o", "draft.txt", cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert (tmp_path / "draft.txt").is_file()


def test_generate_flags_a_negative_income_total_before_writing_a_fall_of_over_100_percent(tmp_path: Path):
    fig = tmp_path / "figures.yaml"
    fig.write_text(SAMPLE.read_text(encoding="utf-8").replace("    本年收入合计: 14344.12", "    本年收入合计: -14344.12", 1),
                   encoding="utf-8")
    r = narrator("generate", "figures.yaml", "-o", "draft.txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "下降192.13%" in (tmp_path / "draft.txt").read_text(encoding="utf-8")  # what the warning is about
    t201 = [ln for ln in r.stderr.splitlines() if ": T201 " in ln]
    assert len(t201) == 1 and t201[0].startswith("narrator: 警告：figures.yaml:16: T201 "), r.stderr
    assert "本年收入合计 为 -14344.12" in t201[0]
    (tmp_path / "draft.txt").unlink()
    r = narrator("generate", "figures.yaml", "--strict", "-o", "draft.txt", cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "--strict" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures.yaml"]
