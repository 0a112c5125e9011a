"""Parsed rule files are kept on disk (core/diskcache.py) so that a short command does not parse
them again; a changed file, a corrupt entry or an unusable cache folder never changes a result."""

from __future__ import annotations

import os
from pathlib import Path

from narrator.core import yamlio
from narrator.core.yamlio import load_rule_file

RULES = Path(__file__).resolve().parents[2] / "rules"


def _new_process() -> None:
    load_rule_file.cache_clear()  # the in-process memo; what a new command starts without


def _entries(d: Path) -> list[Path]:
    return sorted((d / "rules").glob("*.pickle"))


def test_a_rule_file_is_parsed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    _new_process()
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path / "cache"))
    rule = tmp_path / "claims.yaml"
    rule.write_bytes((RULES / "claims.yaml").read_bytes())
    first = load_rule_file(rule)
    assert len(_entries(tmp_path / "cache")) == 1
    parsed = []
    monkeypatch.setattr(yamlio, "_parse_rule_file", lambda p, data: parsed.append(p) or {})
    _new_process()
    assert load_rule_file(rule) == first and parsed == []        # from the cache, not parsed


def test_a_changed_rule_file_is_parsed_again(tmp_path, monkeypatch):
    _new_process()
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path / "cache"))
    rule = tmp_path / "r.yaml"
    rule.write_text("方向: {正: [增加]}\n", encoding="utf-8")
    assert load_rule_file(rule) == {"方向": {"正": ["增加"]}}
    st = rule.stat()
    rule.write_text("方向: {正: [增长]}\n", encoding="utf-8")          # same size, same second
    os.utime(rule, ns=(st.st_atime_ns, st.st_mtime_ns))
    _new_process()
    assert load_rule_file(rule) == {"方向": {"正": ["增长"]}}


def test_a_corrupt_entry_or_no_cache_gives_the_same_values(tmp_path, monkeypatch):
    _new_process()
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path / "cache"))
    rule = RULES / "extract.yaml"
    want = load_rule_file(rule)
    for entry in _entries(tmp_path / "cache"):
        entry.write_bytes(b"not a pickle")
    _new_process()
    assert load_rule_file(rule) == want
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    _new_process()
    assert load_rule_file(rule) == want
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(blocker))         # a file where the folder should be
    _new_process()
    assert load_rule_file(rule) == want
