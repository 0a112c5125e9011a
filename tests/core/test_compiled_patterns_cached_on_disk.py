"""The number grammar's large regular expressions are compiled once and their programs kept in
the cache folder (core/diskcache.compiled_patterns): the patterns read back match exactly what
``re.compile``'s match, and a damaged entry or an unusable folder gives ``re.compile``'s."""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from narrator.check import number_grammar as G
from narrator.core import diskcache

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "samples" / "renshe-2024" / "narrative.txt").read_text(encoding="utf-8")
PATTERNS = [G._SUFFIX_RE, G._AFTER_RE, G._PREFIX_RE, G._MASTER_RE]
REFERENCE = [re.compile(p) for p in PATTERNS]


def _matches(pattern: re.Pattern, text: str) -> list:
    return [(m.span(), m.groupdict(), m.lastgroup) for m in pattern.finditer(text)]


def _from_cache(folder: Path) -> list[re.Pattern]:
    """The patterns as a later process gets them: the entry written, then read back."""
    before = os.environ.get("NARRATOR_CACHE_DIR")
    os.environ["NARRATOR_CACHE_DIR"] = str(folder)
    try:
        diskcache.compiled_patterns("patterns", PATTERNS)
        assert len(list((folder / "patterns").glob("*.marshal"))) == 1
        return diskcache.compiled_patterns("patterns", PATTERNS)
    finally:
        if before is None:
            del os.environ["NARRATOR_CACHE_DIR"]
        else:
            os.environ["NARRATOR_CACHE_DIR"] = before


def _same_as_reference(patterns: list[re.Pattern]) -> None:
    for got, ref in zip(patterns, REFERENCE, strict=True):
        assert (got.pattern, got.flags, got.groups, got.groupindex) == (ref.pattern, ref.flags, ref.groups, ref.groupindex)
        assert _matches(got, SAMPLE) == _matches(ref, SAMPLE)


def test_patterns_read_from_the_cache_are_re_compiles(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    cached = _from_cache(tmp_path)
    _same_as_reference(cached)
    assert len(_matches(cached[3], SAMPLE)) > 100       # the sample's numbers are found


_TEXT = st.text(alphabet=st.sampled_from(list(
    "0123456789.,，。：；、()（）-—–%‰ \t\n一二三四五六七八九十百千万亿零〇两点第元人次个项辆年月日以上左右含约近余多共增长减少")),
    max_size=60)
_CACHED: list[re.Pattern] = []


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, start=st.integers(0, len(SAMPLE)), size=st.integers(0, 120))
def test_cached_patterns_match_like_re_compile_on_generated_text(tmp_path_factory, text, start, size):
    if not _CACHED:
        _CACHED.extend(_from_cache(tmp_path_factory.mktemp("cache")))
    mixed = SAMPLE[start:start + size] + text + SAMPLE[start:start + size // 2]
    for got, ref in zip(_CACHED, REFERENCE):
        assert _matches(got, mixed) == _matches(ref, mixed)
        assert _matches(got, text) == _matches(ref, text)


def _entry(folder: Path) -> Path:
    (entry,) = (folder / "patterns").glob("*.marshal")
    return entry


def test_a_damaged_entry_gives_re_compiles_patterns(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    _from_cache(tmp_path)
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    entry = _entry(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(good[: len(good) // 3])                           # truncated
    _same_as_reference(diskcache.compiled_patterns("patterns", PATTERNS))
    assert marshal.loads(entry.read_bytes()[20:]) == marshal.loads(good[20:])   # rewritten
    # a program _sre refuses, under a right checksum: compiled as usual
    progs = marshal.loads(good[20:])
    progs[3] = (progs[3][0], [0] * len(progs[3][1]), *progs[3][2:])
    payload = marshal.dumps(progs)
    entry.write_bytes(hashlib.sha1(payload).digest() + payload)
    with_bad_program = diskcache.compiled_patterns("patterns", PATTERNS)
    _same_as_reference(with_bad_program)


def test_an_unusable_folder_gives_re_compiles_patterns(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(blocker))
    _same_as_reference(diskcache.compiled_patterns("patterns", PATTERNS))


def test_the_patterns_are_the_same_in_every_process():
    """The cache key is the patterns' text: it must not depend on the process's hash seed
    (the alternations of words were ordered through a set)."""
    code = ("import hashlib; from narrator.check import number_grammar as G; print(hashlib.sha1("
            "'\\0'.join([G._SUFFIX_RE, G._AFTER_RE, G._PREFIX_RE, G._MASTER_RE]).encode()).hexdigest())")
    seen = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "NARRATOR_CACHE_DIR": "off"}
        seen.add(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                capture_output=True, text=True).stdout)
    assert len(seen) == 1
