"""narrator batch: many documents in parallel; one bad file does not spoil the run."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from narrator.batch import run as batch
from narrator.batch import worker
from narrator.batch.synth import dump_figures_yaml, synth_many
from narrator.batch.run import run_batch
from narrator.cli.main import app as main_app
from narrator.cli.batch import batch_app
from narrator.figures.model import figures_from_tree
from narrator.figures.load import load_figures
from narrator.render.engine import render
from narrator.report.markdown import draft_text
from narrator.batch.synth import department


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """The machinery's tests read summary.csv by its English column names and match English
    errors (NARRATOR_LANG=en, inherited by workers and subprocesses); the Chinese default is
    checked in tests/cli/test_default_output_is_chinese.py."""
    monkeypatch.setenv("NARRATOR_LANG", "en")

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def _app() -> typer.Typer:
    """The main command line with ``batch`` added, as cli.py does (or will)."""
    if any(getattr(g, "name", None) == "batch" for g in main_app.registered_groups):
        return main_app
    app = typer.Typer()
    for cmd in main_app.registered_commands:
        app.registered_commands.append(cmd)
    app.add_typer(batch_app, name="batch")
    return app


def _single_generate(path: Path, tmp: Path, fmt: str = "text") -> bytes:
    out = tmp / f"single-{path.stem}.out"
    r = CliRunner().invoke(main_app, ["generate", str(path), "-f", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


def _summary(out: Path) -> list[dict]:
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "summary.csv must carry a BOM for Excel"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def _rows(out: Path) -> dict[str, dict]:
    return {Path(r["input"]).name: r for r in _summary(out) if r["input"] != "(total)"}


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    """Five good departments, a broken YAML, a GBK-encoded one and an empty file."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(1, 6):
        (src / f"dept{i}.yaml").write_text(dump_figures_yaml(department(100 + i, rows=15)), encoding="utf-8")
    (src / "broken.yaml").write_text("单位: 坏文件\n年度: 2024\n收入支出决算总表: [\n", encoding="utf-8")
    (src / "gbk.yaml").write_bytes(dump_figures_yaml(department(77, rows=12)).encode("gbk"))
    (src / "empty.yaml").write_bytes(b"")
    (src / "notes.md").write_text("not an input of generate", encoding="utf-8")
    return src


def test_dump_figures_yaml_round_trips():
    for seed in (1, 2, 3):
        tree = department(seed)
        text = dump_figures_yaml(tree, header="a comment")
        from narrator.core.yamlio import parse_yaml

        back = figures_from_tree(parse_yaml(text, "x.yaml"), "x")
        assert back.data == figures_from_tree(tree, "x").data


def test_mixed_batch_finishes_reports_the_bad_ones_and_writes_the_rest(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    res = run_batch("generate", [str(mixed)], out, jobs=2, progress=False)
    assert res.exit_code == 1  # failed inputs are errors
    rows = _rows(out)
    assert set(rows) == {"dept1.yaml", "dept2.yaml", "dept3.yaml", "dept4.yaml", "dept5.yaml",
                         "broken.yaml", "gbk.yaml", "empty.yaml"}
    assert rows["broken.yaml"]["status"] == "failed"
    assert "invalid YAML" in rows["broken.yaml"]["error"] and "broken.yaml:" in rows["broken.yaml"]["error"]
    assert rows["empty.yaml"]["status"] == "failed" and "file is empty" in rows["empty.yaml"]["error"]
    for r in rows.values():
        assert "\n" not in r["error"]
    assert rows["gbk.yaml"]["status"] == "ok"  # GBK is read fine
    assert not (out / "broken.txt").exists() and not (out / "empty.txt").exists()
    for name in ("dept1", "dept2", "dept3", "dept4", "dept5", "gbk"):
        assert (out / f"{name}.txt").read_bytes() == _single_generate(mixed / f"{name}.yaml", tmp_path), name
        assert rows[f"{name}.yaml"]["output"] == f"{name}.txt"
    js = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    t = js["totals"]
    assert (t["documents"], t["ok"], t["failed"], t["skipped"]) == (8, 6, 2, 0)
    assert len(js["documents"]) == 8
    assert [Path(d["input"]).name for d in js["documents"]] == sorted(rows)  # input order
    assert not list(out.rglob("*.tmp"))


def test_rerun_skips_up_to_date_outputs_and_force_redoes_them(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch("generate", [str(mixed)], out, jobs=2, progress=False)
    outputs = sorted(out.glob("*.txt"))
    assert len(outputs) == 6
    before = {p: p.stat().st_mtime_ns for p in outputs}
    time.sleep(0.02)
    res = run_batch("generate", [str(mixed)], out, jobs=2, progress=False)
    assert {p: p.stat().st_mtime_ns for p in outputs} == before  # nothing regenerated
    assert res.totals.skipped == 6 and res.totals.failed == 2
    assert res.exit_code == 1
    rows = _rows(out)
    assert rows["dept1.yaml"]["status"] == "skipped (ok)"
    assert rows["broken.yaml"]["status"] == "failed"  # still reported on every run

    # one input changes: only its output is redone
    time.sleep(0.02)
    (mixed / "dept2.yaml").write_text(dump_figures_yaml(department(999, rows=10)), encoding="utf-8")
    res = run_batch("generate", [str(mixed)], out, jobs=1, progress=False)
    changed = {p.name for p in outputs if p.stat().st_mtime_ns != before[p]}
    assert changed == {"dept2.txt"}
    assert res.totals.skipped == 5
    assert (out / "dept2.txt").read_bytes() == _single_generate(mixed / "dept2.yaml", tmp_path)

    # other options (pack) mean other outputs: redone
    before = {p: p.stat().st_mtime_ns for p in outputs}
    res = run_batch("generate", [str(mixed)], out, jobs=1, progress=False, pack="shanghai")
    assert res.totals.skipped == 0

    res = run_batch("generate", [str(mixed)], out, jobs=2, progress=False, pack="shanghai", force=True)
    assert res.totals.skipped == 0 and res.totals.ok == 6


def test_fixed_input_and_stale_output(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch("generate", [str(mixed)], out, jobs=1, progress=False)
    # a good input turns bad: its old output is removed, so outputs match the summary
    time.sleep(0.02)
    (mixed / "dept3.yaml").write_text("单位: x\n年度: [\n", encoding="utf-8")
    res = run_batch("generate", [str(mixed)], out, jobs=1, progress=False)
    assert res.totals.failed == 3
    assert not (out / "dept3.txt").exists()
    # the broken one is repaired: done on the next run
    (mixed / "broken.yaml").write_text(dump_figures_yaml(department(5, rows=10)), encoding="utf-8")
    res = run_batch("generate", [str(mixed)], out, jobs=1, progress=False)
    assert (out / "broken.txt").exists() and res.totals.failed == 2


def test_formats_names_globs_and_exit_codes(tmp_path: Path):
    src = tmp_path / "in"
    (src / "district" / "a").mkdir(parents=True)
    tree = department(3, rows=10)
    (src / "district" / "a" / "x.yaml").write_text(dump_figures_yaml(tree), encoding="utf-8")
    (src / "district" / "a" / "x.json").write_text(
        json.dumps(tree, ensure_ascii=False, default=str), encoding="utf-8")
    out = tmp_path / "out"
    res = run_batch("generate", [str(src)], out, jobs=1, fmt="json", progress=False)
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json") if p.name != "summary.json")
    assert names == ["district/a/x.json", "district/a/x.yaml.json"]  # x.json came first: x.yaml keeps its suffix
    assert res.totals.documents == 2
    draft = json.loads((out / "district/a/x.json").read_text(encoding="utf-8"))
    assert "sections" in draft or "text" in draft

    # a glob mirrors paths relative to its fixed part
    out2 = tmp_path / "out2"
    res = run_batch("generate", [str(src / "**" / "*.yaml")], out2, jobs=1, fmt="markdown", progress=False)
    assert (out2 / "district/a/x.md").is_file() and res.exit_code == 0

    # a SOURCE that names nothing is reported, the rest still runs
    out3 = tmp_path / "out3"
    res = run_batch("generate", [str(src), str(tmp_path / "nope")], out3, jobs=1, progress=False)
    assert res.exit_code == 1 and res.totals.failed == 1

    # nothing could run: exit 2
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.yaml").write_text("", encoding="utf-8")
    res = run_batch("generate", [str(bad)], tmp_path / "out4", jobs=1, progress=False)
    assert res.exit_code == 2
    res = run_batch("generate", [str(tmp_path / "no-such-folder")], tmp_path / "out5", jobs=1, progress=False)
    assert res.exit_code == 2 and res.totals.failed == 1
    (tmp_path / "empty-folder").mkdir()
    with pytest.raises(batch.UsageError):  # no inputs at all
        run_batch("generate", [str(tmp_path / "empty-folder")], tmp_path / "out5", jobs=1, progress=False)
    with pytest.raises(batch.UsageError):
        run_batch("generate", [str(src)], tmp_path / "out6", pack="nosuchpack", progress=False)


def test_batch_check_counts_findings(tmp_path: Path):
    src = tmp_path / "in"
    synth_many(src, 4, seed=3, rows=12, with_narrative=True, jobs=1)
    figs = tmp_path / "figs"
    figs.mkdir()
    # dept0004 finds its figures in --figures-dir instead of next to it
    (src / "dept0004.yaml").rename(figs / "dept0004.yaml")
    out = tmp_path / "out"
    res = run_batch("check", [str(src)], out, jobs=2, progress=False, figures_dir=figs)
    assert res.exit_code == 1
    rows = _rows(out)
    assert set(rows) == {"dept0001.txt", "dept0002.txt", "dept0003.txt", "dept0004.txt"}
    for name, r in rows.items():
        assert r["status"] == "error"
        assert int(r["errors"]) >= 1 and int(r["numbers"]) > 10
        assert r["top_findings"].count("[error]") >= 1
        stem = name[:-4]
        want_fig = figs / "dept0004.yaml" if stem == "dept0004" else src / f"{stem}.yaml"
        assert r["figures"] == str(want_fig)
        single = CliRunner().invoke(main_app, ["check", str(src / name), "--figures", str(want_fig)])
        assert (out / f"{stem}.check.txt").read_text(encoding="utf-8") == single.output
    total = [r for r in _summary(out) if r["input"] == "(total)"][0]
    assert int(total["errors"]) == sum(int(r["errors"]) for r in rows.values())

    # json reports; --no-figures checks the texts against themselves
    out2 = tmp_path / "out2"
    run_batch("check", [str(src)], out2, jobs=1, fmt="json", no_figures=True, progress=False)
    rep = json.loads((out2 / "dept0001.check.json").read_text(encoding="utf-8"))
    assert rep["figures"] is None and "summary" in rep
    assert _rows(out2)["dept0001.txt"]["figures"] == ""


def test_batch_validate(tmp_path: Path):
    pytest.importorskip("narrator.audit")
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.yaml").write_text(dump_figures_yaml(department(11, rows=10)), encoding="utf-8")
    (src / "sample.yaml").write_bytes((ROOT / "samples/renshe-2024/figures.yaml").read_bytes())
    out = tmp_path / "out"
    res = run_batch("validate", [str(src)], out, jobs=1, progress=False)
    rows = _rows(out)
    assert rows["good.yaml"]["errors"] == "0"
    assert int(rows["sample.yaml"]["errors"]) + int(rows["sample.yaml"]["warnings"]) > 0  # its real mistakes
    assert (out / "sample.validate.txt").read_text(encoding="utf-8").strip()
    assert res.exit_code in (0, 1)


def test_cli_wiring_and_progress_lines(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    r = CliRunner().invoke(_app(), ["batch", "generate", str(mixed), "--out", str(out), "--jobs", "1"])
    assert r.exit_code == 1, r.output
    assert "batch generate: [8/8]" in r.output  # plain progress lines when not a terminal
    assert "doc/s" in r.output and "ETA" in r.output
    assert "failed: " in r.output and "broken.yaml" in r.output
    r = CliRunner().invoke(_app(), ["batch", "generate", str(mixed), "--out", str(out), "--no-progress"])
    assert "[8/8]" not in r.output and "6 skipped" in r.output
    r = CliRunner().invoke(_app(), ["batch", "generate", str(tmp_path / "nothing"), "--out", str(out)])
    assert r.exit_code == 2 and "no such file or folder" in r.output  # nothing could run
    r = CliRunner().invoke(_app(), ["batch", "generate", str(mixed), "--out", str(out), "--pack", "nope"])
    assert r.exit_code == 2 and "unknown pack" in r.output  # ...a bad option stops everything
    syn = tmp_path / "syn"
    r = CliRunner().invoke(_app(), ["batch", "synth", str(syn), "--count", "3", "--seed", "5", "--rows", "10",
                                    "--with-narrative"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in syn.iterdir()) == ["dept0001.txt", "dept0001.yaml", "dept0002.txt",
                                                     "dept0002.yaml", "dept0003.txt", "dept0003.yaml"]
    again = tmp_path / "syn2"
    CliRunner().invoke(_app(), ["batch", "synth", str(again), "--count", "3", "--seed", "5", "--rows", "10"])
    assert (again / "dept0002.yaml").read_bytes() == (syn / "dept0002.yaml").read_bytes()  # reproducible


def test_progress_line_format():
    import io

    buf = io.StringIO()
    p = batch.Progress(4, buf, enabled=True, command="check")
    for st in ("ok", "skipped", "failed", "ok"):
        p.update({"status": st})
    lines = buf.getvalue().splitlines()
    assert lines[-1].startswith("batch check: [4/4] ") and "doc/s ETA" in lines[-1] and "1 skipped, 1 failed" in lines[-1]


def test_progress_line_in_chinese(monkeypatch):
    import io

    monkeypatch.delenv("NARRATOR_LANG")
    buf = io.StringIO()
    p = batch.Progress(2, buf, enabled=True, command="validate")
    for st in ("skipped", "failed"):
        p.update({"status": st})
    assert buf.getvalue().splitlines()[-1].startswith("批量审核：[2/2] 每秒 ")
    assert buf.getvalue().rstrip().endswith("（跳过 1，未能处理 1）")


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="patches a worker function via fork")
def test_a_worker_that_dies_costs_one_document(mixed: Path, tmp_path: Path, monkeypatch):
    real = worker.process

    def deadly(item, opts):
        if item["input"].endswith("dept3.yaml"):
            os._exit(3)
        return real(item, opts)

    monkeypatch.setattr(worker, "process", deadly)
    out = tmp_path / "out"
    res = run_batch("generate", [str(mixed)], out, jobs=2, progress=False, chunk=3)
    rows = _rows(out)
    assert rows["dept3.yaml"]["status"] == "failed" and "worker process died" in rows["dept3.yaml"]["error"]
    for name in ("dept1", "dept2", "dept4", "dept5", "gbk"):
        assert rows[f"{name}.yaml"]["status"] == "ok", name
    assert res.totals.failed == 3


def _deliverable_sigint() -> None:
    """In the batch's process: Ctrl-C as a terminal delivers it. A child inherits an ignored
    SIGINT from the process that starts it, and a non-interactive shell starts its background
    jobs (``cmd &``) with SIGINT ignored: a test run started that way (as CI once was) handed
    it down, and the batch never saw the interrupt and ran to the end. No test changes SIGINT
    in the pytest process (checked with a probe around every test)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def test_sigint_leaves_no_partial_output(tmp_path: Path):
    src = tmp_path / "in"
    # enough documents that the run cannot end before the interrupt reaches it (300 took
    # under a second once the batch became fast)
    total = 1500
    synth_many(src, total, seed=9, rows=30, jobs=2)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "narrator.cli.batch", "generate", str(src), "--out", str(out),
                             "--jobs", "2", "--no-progress"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_deliverable_sigint)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and len(list(out.glob("dept*.txt"))) >= 5:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    done = sorted(out.glob("dept*.txt"))
    assert 5 <= len(done) < total
    for p in done:
        fig = load_figures(src / (p.stem + ".yaml"))
        assert p.read_text(encoding="utf-8") == draft_text(render(fig, "standard")), p.name
    js = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert js["interrupted"] is True
    recorded = {d["output"] for d in js["documents"] if d["status"] == "ok"}
    assert recorded <= {p.name for p in done}
    # the next run finishes the job, skipping what is done and recorded
    res = run_batch("generate", [str(src)], out, jobs=2, progress=False)
    assert res.exit_code == 0 and res.totals.skipped == len(recorded) and res.totals.ok == total


def test_out_inside_source_and_symlink_loops(tmp_path: Path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.yaml").write_text(dump_figures_yaml(department(21, rows=10)), encoding="utf-8")
    (src / "sub" / "b.yaml").write_text(dump_figures_yaml(department(22, rows=10)), encoding="utf-8")
    os.symlink(src, src / "sub" / "loop")  # a cycle: walked once
    out = src / "out"
    res = run_batch("generate", [str(src)], out, jobs=1, fmt="json", progress=False)
    assert res.totals.documents == 2 and res.exit_code == 0
    assert (out / "a.json").is_file() and (out / "sub" / "b.json").is_file()
    res = run_batch("generate", [str(src)], out, jobs=1, fmt="json", progress=False)
    assert res.totals.documents == 2 and res.totals.skipped == 2  # our outputs are not inputs




def test_batch_check_html_writes_an_index_over_all_reports(tmp_path: Path):
    root = Path(__file__).resolve().parents[2]
    src = tmp_path / "in"
    src.mkdir()
    (src / "renshe.txt").write_bytes((root / "samples/renshe-2024/narrative.txt").read_bytes())
    (src / "renshe.yaml").write_bytes((root / "samples/renshe-2024/figures.yaml").read_bytes())
    (src / "other.txt").write_text("年初预算为500万元，支出决算为458.7万元，完成年初预算的93.74%。\n", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "narrator.cli", "batch", "check", str(src / "renshe.txt"),
                        str(src / "other.txt"), "--out", str(out), "--format", "html", "--jobs", "1",
                        "--no-progress"], capture_output=True, text=True, cwd=root)
    assert r.returncode == 1, r.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    for report in ("renshe.check.html", "other.check.html"):
        assert (out / report).is_file()
        assert f'href="{report}"' in index
    assert "http://" not in index and "https://" not in index
