"""The cache folder does not grow without end: each kind of entry keeps at most
``diskcache.MAX_ENTRIES``, the oldest written removed first (a department's learned packs, each
narrator version's compiled templates and rule files would otherwise pile up)."""

from __future__ import annotations

import os

import jinja2

from narrator.core import diskcache
from narrator.render.bytecode import bytecode_cache


def _age(folder, seconds_ago: dict[str, int]) -> None:
    for name, ago in seconds_ago.items():
        t = 1_700_000_000 - ago
        os.utime(folder / name, (t, t))


def test_pickled_entries_beyond_the_limit_remove_the_oldest(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(diskcache, "MAX_ENTRIES", 8)
    for i in range(8):
        assert diskcache.pickled("k", f"e{i}", lambda i=i: i) == i
    folder = tmp_path / "k"
    _age(folder, {f"e{i}.pickle": 100 - i for i in range(8)})        # e0 the oldest, e7 the newest
    assert len(list(folder.iterdir())) == 8                           # at the limit: nothing removed
    assert diskcache.pickled("k", "e8", lambda: 8) == 8
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == sorted(f"e{i}.pickle" for i in range(3, 9))        # down to 3/4 of 8, the newest
    assert diskcache.pickled("k", "e0", lambda: "again") == "again"   # a removed entry is computed again


def test_other_kinds_and_temporary_files_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(diskcache, "MAX_ENTRIES", 4)
    diskcache.pickled("other", "x", lambda: 1)
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / ".tmp-writing.pickle").write_bytes(b"")       # another process's write
    for i in range(12):
        diskcache.pickled("k", f"e{i}", lambda i=i: i)
        assert len([p for p in (tmp_path / "k").iterdir() if not p.name.startswith(".tmp-")]) <= 4
    assert (tmp_path / "other" / "x.pickle").exists()
    assert (tmp_path / "k" / ".tmp-writing.pickle").exists()


def test_compiled_templates_stay_within_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(diskcache, "MAX_ENTRIES", 6)
    templates = {f"t{i}.j2": f"{{{{ x }}}}-{i}" for i in range(20)}
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), bytecode_cache=bytecode_cache(jinja2.Environment))
    for name in templates:
        assert env.get_template(name).render(x="a") == f"a-{name[1:-3]}"
        assert len(list((tmp_path / "jinja").glob("narrator-*.jinja"))) <= 6
    assert env.get_template("t19.j2").render(x="b") == "b-19"
