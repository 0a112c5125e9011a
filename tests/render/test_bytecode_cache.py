"""Compiled templates are kept on disk between processes; the text is the same with and without."""

from __future__ import annotations

from pathlib import Path

from narrator.figures.load import load_figures
from narrator.render import engine
from narrator.render.bytecode import bytecode_cache, cache_dir

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "renshe-2024" / "figures.yaml"


def _draft_text(fig) -> str:
    engine._environment.cache_clear()
    d = engine.render(fig, "standard")
    return repr(d)


def test_templates_compiled_once_then_read_from_the_cache(tmp_path, monkeypatch):
    fig = load_figures(SAMPLE)
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    plain = _draft_text(fig)
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    first = _draft_text(fig)
    stored = sorted((tmp_path / "jinja").glob("narrator-*.jinja"))
    assert stored, "nothing cached"
    mtimes = [p.stat().st_mtime_ns for p in stored]
    second = _draft_text(fig)
    assert plain == first == second
    assert [p.stat().st_mtime_ns for p in stored] == mtimes      # read, not written again
    engine._environment.cache_clear()


def test_no_cache_when_turned_off_or_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    assert cache_dir() is None and bytecode_cache(object) is None
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(blocker))     # a file where the folder should be
    assert bytecode_cache(object) is None


def test_key_depends_on_environment_class(tmp_path, monkeypatch):
    import jinja2

    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    a = bytecode_cache(jinja2.Environment)
    b = bytecode_cache(engine.FastEnvironment)
    assert a.get_cache_key("x.j2", "/t/x.j2") != b.get_cache_key("x.j2", "/t/x.j2")
