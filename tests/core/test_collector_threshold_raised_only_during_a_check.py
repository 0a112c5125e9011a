"""check_file collects the young generation less often while it works, and leaves the
collector's thresholds as it found them (core/collector.py)."""

import gc
from pathlib import Path

import pytest

from narrator import pipeline
from narrator.check import checker
from narrator.core import collector
from narrator.core.collector import YOUNG, fewer_collections
from narrator.core.errors import InputError

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "renshe-2024"


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def _young_collections(fn) -> int:
    seen = []

    def cb(phase, info):
        if phase == "start" and info["generation"] == 0:
            seen.append(1)

    gc.callbacks.append(cb)
    try:
        fn()
    finally:
        gc.callbacks.remove(cb)
    return len(seen)


def test_parse_tables_alone_raises_it_too(default_thresholds, monkeypatch):
    from narrator.sources.disclosure import read

    inside = []
    real = read._read
    monkeypatch.setattr(read, "_read", lambda *a, **k: (inside.append(gc.get_threshold()), real(*a, **k))[1])
    read.parse_tables((SAMPLE / "disclosure.txt").read_text(encoding="utf-8"))
    assert inside == [(YOUNG, 10, 10)] and gc.get_threshold() == (700, 10, 10)


def test_threshold_raised_inside_check_and_put_back(default_thresholds, monkeypatch):
    inside = []
    real = checker.check_text

    def spy(*a, **k):
        inside.append(gc.get_threshold())
        return real(*a, **k)

    monkeypatch.setattr(checker, "check_text", spy)
    pipeline.check_file(SAMPLE / "disclosure.txt", None, "auto")
    assert inside == [(YOUNG, 10, 10)]
    assert gc.get_threshold() == (700, 10, 10)


def test_fewer_young_collections_than_with_the_default(default_thresholds, monkeypatch):
    path = SAMPLE / "disclosure.txt"
    pipeline.check_file(path, None, "auto")            # warm: rules, packs, templates
    raised = _young_collections(lambda: pipeline.check_file(path, None, "auto"))
    monkeypatch.setattr(collector, "YOUNG", 700)        # no raise: the default threshold throughout
    plain = _young_collections(lambda: pipeline.check_file(path, None, "auto"))
    assert plain >= 5 and raised < plain / 3


def test_put_back_after_an_error(default_thresholds, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("收入支出决算总表: [\n", encoding="utf-8")
    with pytest.raises(InputError):
        pipeline.check_file(SAMPLE / "narrative.txt", bad, "auto")
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_blocks_undo_once_at_the_outermost(default_thresholds):
    with fewer_collections():
        with fewer_collections():
            assert gc.get_threshold()[0] == YOUNG
        assert gc.get_threshold()[0] == YOUNG
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("theirs", [(0, 10, 10), (50_000, 20, 50)])
def test_callers_own_setting_left_alone(theirs):
    before = gc.get_threshold()
    gc.set_threshold(*theirs)
    try:
        with fewer_collections():
            assert gc.get_threshold() == theirs
        assert gc.get_threshold() == theirs
    finally:
        gc.set_threshold(*before)


def test_a_setting_changed_inside_the_block_is_kept(default_thresholds):
    with fewer_collections():
        gc.set_threshold(1000, 10, 10)
    assert gc.get_threshold() == (1000, 10, 10)


def test_check_text_alone_raises_it_too(default_thresholds, monkeypatch):
    from narrator.figures.load import load_figures

    inside = []
    real = checker.extract
    monkeypatch.setattr(checker, "extract", lambda *a, **k: (inside.append(gc.get_threshold()), real(*a, **k))[1])
    checker.check_text((SAMPLE / "narrative.txt").read_text(encoding="utf-8"), "n",
                       load_figures(SAMPLE / "figures.yaml"))
    assert inside == [(YOUNG, 10, 10)] and gc.get_threshold() == (700, 10, 10)
