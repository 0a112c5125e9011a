"""narrator batch keeps nothing per document: what flat memory rests on.

- The planning remembers output names only within a group of files that could collide
  (same directory, same name before the first "."): the outputs and the collisions it
  reports are those of a plan that remembers every name (property test on real folders).
- A directory is listed as one string of names: the walk gives the same paths, in the same
  order, as a sorted listing.
- A worker empties the caches keyed by document content every few documents
  (narrator.core.caches): emptying them never changes an output, and every large cache is
  either registered or named here as holding only packs, rules and templates.
Memory itself is measured in benchmarks/bench_batch.py, not asserted here.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import narrator
from narrator.batch import plan
from narrator.batch import worker
from narrator.core import caches
from narrator.batch.run import _plan
from narrator.batch.worker import Options
from narrator.batch.plan import iter_sources, output_suffix

ROOT = Path(__file__).resolve().parents[2]


# -- the planning -------------------------------------------------------------------------
def _reference_plan(folder: Path, command: str, fmt: str) -> list[tuple]:
    """Outputs as a plan that remembers every output name of a directory would give them."""
    suffix = output_suffix(command, fmt)
    taken: dict[str, set[str]] = {}
    rows = []
    for seq, (path, rel) in enumerate(iter_sources([str(folder)], command), 1):
        relp = Path(rel)
        names = taken.setdefault(relp.parent.as_posix(), set())
        stem = relp.name[: -len(relp.suffix)] if relp.suffix else relp.name
        out = (relp.parent / (stem + suffix)).as_posix()
        if out in names:
            out = (relp.parent / (relp.name + suffix)).as_posix()
        if out in names:
            rows.append((seq, path, "", True))
            continue
        names.add(out)
        rows.append((seq, path, out, False))
    return rows


_stems = st.text(alphabet="xy.-0_a中", min_size=1, max_size=6).filter(
    lambda s: not s.startswith(".") and not s.endswith("."))
_names = st.builds(lambda stem, ext: stem + ext, _stems, st.sampled_from([".yaml", ".json", ".yml", ".yaml.yaml"]))


@settings(max_examples=120, deadline=None)
@given(files=st.lists(st.tuples(st.sampled_from(["", "sub/", "sub/x.d/"]), _names), min_size=1, max_size=14,
                      unique=True))
def test_the_plan_reports_the_collisions_of_a_plan_that_remembers_every_name(files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    for d, name in files:
        (folder / d).mkdir(parents=True, exist_ok=True)
        (folder / d / name).write_text("x", encoding="utf-8")
    for fmt in ("text", "json"):
        got = [(it.seq, it.input, it.output if not it.error else "", bool(it.error))
               for it in _plan([str(folder)], Options("generate", "/nonexistent", fmt), Path("/nonexistent"), None)]
        assert got == _reference_plan(folder, "generate", fmt)


def test_the_walk_lists_each_directory_sorted_files_first(tmp_path: Path):
    names = ["b.yaml", "a.yaml", "中文.yaml", "a-1.yaml", "A.yaml", "c.txt", ".hidden.yaml", "x.yaml.tmp"]
    for d in ("", "z/", "m/", "m/n/"):
        (tmp_path / d).mkdir(parents=True, exist_ok=True)
        for n in names:
            (tmp_path / d / n).write_text("x", encoding="utf-8")

    def reference(folder: Path, d: Path):
        entries = sorted(os.listdir(d))
        for n in entries:
            if (d / n).is_file() and plan._eligible(n, plan.INPUT_SUFFIXES["generate"], "generate") \
                    and not n.startswith("."):
                yield str(d / n), (d / n).relative_to(folder).as_posix()
        for n in entries:
            if (d / n).is_dir() and not n.startswith("."):
                yield from reference(folder, d / n)

    got = list(iter_sources([str(tmp_path)], "generate"))
    assert got == list(reference(tmp_path, tmp_path))
    assert [rel for _p, rel in got[:5]] == ["A.yaml", "a-1.yaml", "a.yaml", "b.yaml", "中文.yaml"]
    assert got[5][1] == "m/A.yaml" and got[-1][1] == "z/中文.yaml"


def test_the_names_of_a_listing_come_back_one_by_one():
    assert list(plan._names("")) == []
    assert list(plan._names("a.yaml")) == ["a.yaml"]
    assert list(plan._names("\0".join(["a.yaml", "中.yaml", "b c.json"]))) == ["a.yaml", "中.yaml", "b c.json"]


# -- the caches keyed by content ------------------------------------------------------------
def _module_caches():
    """Every module-level lru_cache function and dict cache of narrator, by qualified name."""
    found = {}
    for info in pkgutil.walk_packages(narrator.__path__, "narrator."):
        if info.name.endswith("__main__"):
            continue
        mod = importlib.import_module(info.name)
        qual_mod = info.name[len("narrator."):]
        for name, obj in vars(mod).items():
            if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", None) == mod.__name__:
                found[f"{qual_mod}.{name}"] = obj
    return found


# Large caches that hold only what rules and templates define (formulas, placeholder labels)
# or small values (section numbers): kept for the whole batch. A new cache keyed by what
# documents say belongs in narrator.core.caches instead.
STRUCTURAL = {"core.expr.parse", "render.engine._cn_int", "render.engine._placeholder_text"}


def test_every_large_cache_is_emptied_by_the_worker_or_known_to_hold_only_rules():
    found = _module_caches()  # imports every module, so every cache is registered by now
    registered = {name for name, _n in caches.registered()}
    for qual, fn in found.items():
        maxsize = fn.cache_info().maxsize
        if maxsize is not None and maxsize < 256:
            continue
        if maxsize is None:  # functools.cache: must be keyed by rules, not by documents
            continue
        assert f"narrator.{qual}" in registered or qual in STRUCTURAL, (
            f"{qual} (maxsize {maxsize}) is neither a per-document cache (narrator.core.caches) nor listed as structural")
    assert STRUCTURAL <= set(_module_caches()), "a cache named in STRUCTURAL no longer exists"


def test_emptying_the_caches_between_documents_changes_no_output(tmp_path: Path):
    """Documents run with the caches kept, and again emptied before each one: same outputs."""
    from narrator.batch.synth import department
    from narrator.batch.synth import dump_figures_yaml
    from narrator.batch.worker import process

    docs = []
    for i, seed in enumerate((11, 12, 13)):
        fig = tmp_path / f"d{i}.yaml"
        fig.write_text(dump_figures_yaml(department(seed, rows=30)), encoding="utf-8")
        docs.append(("generate", str(fig), None))
    seed_dir = ROOT / "samples" / "renshe-2024"
    docs.append(("check", str(seed_dir / "narrative.txt"), str(seed_dir / "figures.yaml")))
    docs.append(("check", str(seed_dir / "narrative.txt"), None))

    def run(out: Path, clear: bool) -> list[bytes]:
        outs = []
        for i, (command, path, figs) in enumerate(docs * 2):
            if clear:
                caches.clear_per_document()
            opts = Options(command, str(out), "json" if command == "check" else "text", "auto" if command == "check"
                           else "standard")
            row = process({"seq": i, "input": path, "output": f"{i}.out", "figures": figs}, opts)
            assert row["status"] != "failed", row
            outs.append((out / f"{i}.out").read_bytes())
        return outs

    kept = run(tmp_path / "kept", clear=False)
    assert any(n for _name, n in caches.registered()), "the documents filled no registered cache"
    emptied = run(tmp_path / "emptied", clear=True)
    assert kept == emptied
    caches.clear_per_document()
    assert all(n == 0 for _name, n in caches.registered())


def test_a_worker_empties_the_caches_every_few_documents(monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "clear_per_document", lambda: calls.append(worker._done_here))
    monkeypatch.setattr(worker, "_done_here", 0)
    for _ in range(worker._TRIM_EVERY * 3 + 1):
        worker._after_document()
    assert calls == [worker._TRIM_EVERY, 2 * worker._TRIM_EVERY, 3 * worker._TRIM_EVERY]


def test_a_worker_collects_the_cycles_documents_leave(tmp_path: Path):
    """With the worker's thresholds a full collection is rare; _after_document makes one every
    _TRIM_EVERY documents, so what documents leave in cycles does not pile up."""
    import gc

    import jinja2.runtime

    from narrator.batch.synth import dump_figures_yaml
    from narrator.batch.worker import process
    from narrator.batch.synth import department

    fig = tmp_path / "d.yaml"
    fig.write_text(dump_figures_yaml(department(5, rows=10)), encoding="utf-8")
    opts = Options("generate", str(tmp_path), "text", "standard")

    def contexts() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, jinja2.runtime.Context))

    old = gc.get_threshold()
    gc.collect()
    gc.set_threshold(20_000, 20, 50)  # as _tune_gc leaves a worker
    try:
        before = contexts()
        for i in range(worker._TRIM_EVERY - 1):
            process({"seq": i, "input": str(fig), "output": "d.txt", "figures": None}, opts)
        left = contexts() - before
        assert left >= worker._TRIM_EVERY // 2, "documents no longer leave cycles: this test needs another witness"
        worker._done_here = worker._TRIM_EVERY - 1
        worker._after_document()
        assert contexts() - before < 5
    finally:
        gc.set_threshold(*old)


def test_per_document_refuses_what_it_cannot_empty():
    with pytest.raises(TypeError):
        caches.per_document([1, 2])
    with pytest.raises(TypeError):
        caches.per_document({})  # a dict needs a name
