"""batch generate audits every department's tables first, like generate (issue 16): their
errors are warnings on stderr, one line each (the draft is still written, the run exits 0);
``--strict`` makes such a department a failed row with nothing written for it."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from narrator.batch.run import run_batch
from narrator.batch.synth import department, dump_figures_yaml
from narrator.core.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024" / "figures.yaml"  # one real table error: T102 at line 153


def _narrator(*args, cwd: Path) -> subprocess.CompletedProcess:
    # English messages and summary columns: this checks the machinery (the Chinese default is
    # tests/cli/test_default_output_is_chinese.py's)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1", COLUMNS="200", NARRATOR_LANG="en")
    return subprocess.run([sys.executable, "-m", "narrator.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _rows(out: Path) -> dict[str, dict]:
    text = (out / "summary.csv").read_text(encoding="utf-8-sig")
    return {Path(r["input"]).name: r for r in csv.DictReader(text.splitlines()) if r["input"] != "(total)"}


def _folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "clean.yaml").write_text(dump_figures_yaml(department(3, rows=12)), encoding="utf-8")
    (src / "sample.yaml").write_bytes(SAMPLE.read_bytes())
    text = SAMPLE.read_text(encoding="utf-8").replace("    本年收入合计: 14344.12", "    本年收入合计: -14344.12", 1)
    (src / "negative.yaml").write_text(text.replace('"2080101": 1783.76', '"2080101": -1783.76'), encoding="utf-8")
    return src


def _single_generate_warnings(src: Path, name: str) -> list[str]:
    r = _narrator("generate", f"in/{name}", cwd=src.parent)
    assert r.returncode == 0
    return r.stderr.splitlines()


def test_batch_generate_warns_per_department_like_generate(tmp_path: Path):
    src = _folder(tmp_path)
    r = _narrator("batch", "generate", "in", "--out", "out", "--jobs", 1, "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert "Traceback" not in r.stderr and lines[-1].startswith("batch generate: 3 documents: 3 ok"), r.stderr
    warnings = [ln for ln in lines if ln.startswith("narrator: warning: ")]
    # the sample's one table error, exactly as generate prints it
    assert _single_generate_warnings(src, "sample.yaml") == [w for w in warnings if "in/sample.yaml" in w]
    assert any(w.startswith("narrator: warning: in/sample.yaml:153: T102 ") for w in warnings)
    # negative amounts: the first three table errors (one is T201), then how many more
    neg = [w for w in warnings if "in/negative.yaml" in w]
    assert any(":16: T201 " in w and "-14344.12" in w for w in neg), neg
    single = _single_generate_warnings(src, "negative.yaml")
    assert len(single) >= 4 and neg[:3] == single[:3] and len(neg) == 4, (neg, single)
    assert neg[3] == f"narrator: warning: in/negative.yaml: {len(single) - 3} more table errors (narrator validate lists them all)"
    assert not [w for w in warnings if "clean.yaml" in w]
    rows = _rows(tmp_path / "out")
    assert rows["sample.yaml"]["status"] == "ok" and rows["sample.yaml"]["warnings"] == "1"
    assert rows["sample.yaml"]["top_findings"].startswith("in/sample.yaml:153: T102 ")
    assert rows["negative.yaml"]["warnings"] == str(len(single))
    assert rows["clean.yaml"]["warnings"] == "0"
    assert all((tmp_path / "out" / f"{n}.txt").is_file() for n in ("clean", "sample", "negative"))


def test_batch_generate_strict_fails_the_departments_whose_tables_fail(tmp_path: Path):
    _folder(tmp_path)
    out = tmp_path / "out"
    # a first run without --strict writes every draft; --strict then redoes the run, not skips it
    assert _narrator("batch", "generate", "in", "--out", "out", "--jobs", 1, "--no-progress",
                     cwd=tmp_path).returncode == 0
    r = _narrator("batch", "generate", "in", "--out", "out", "--jobs", 1, "--no-progress", "--strict", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    failed = [ln for ln in r.stderr.splitlines() if ln.startswith("narrator: failed: ")]
    assert len(failed) == 2 and all("--strict" in ln for ln in failed), r.stderr
    assert any(ln.startswith("narrator: failed: in/sample.yaml:153: T102 ") for ln in failed)
    assert not [ln for ln in r.stderr.splitlines() if ln.startswith("narrator: warning: ")]
    rows = _rows(out)
    assert rows["clean.yaml"]["status"] == "ok" and (out / "clean.txt").is_file()
    for name in ("sample", "negative"):
        assert rows[f"{name}.yaml"]["status"] == "failed" and rows[f"{name}.yaml"]["output"] == ""
        assert not (out / f"{name}.txt").exists()  # the earlier run's draft is gone with it
    with pytest.raises(UsageError, match="--strict"):
        run_batch("validate", [str(tmp_path / "in")], tmp_path / "v", strict=True, progress=False)
    assert not (tmp_path / "v").exists()
