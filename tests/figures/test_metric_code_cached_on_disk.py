"""The code of the compiled metric formulas is kept in the cache folder (core/diskcache.py,
marshal) so that a command does not compile ~100 functions again; a corrupt, tampered or
unusable entry never changes a value, and rule sets made in passing leave nothing on disk."""

from __future__ import annotations

import builtins
import hashlib
import marshal
from pathlib import Path

import pytest

from narrator.core import diskcache
from narrator.core.values import Missing, Q
from narrator.core.yamlio import load_rule_file
from narrator.figures import metrics as M
from narrator.figures.model import figures_from_tree
from narrator.figures.view import figures_view
from narrator.batch.synth import department

RULES = Path(__file__).resolve().parents[2] / "rules"
_VIEW = figures_view(figures_from_tree(department(11, rows=40)))


def _shipped() -> dict:
    return dict(load_rule_file(RULES / "metrics.yaml"))


def _values(rules: M.RuleSet) -> dict:
    """Every metric's outcome over a department's figures: value, unit, label, rule, places."""
    out = {}
    for name in rules.metrics:
        v = rules.metric(name, _VIEW)
        if isinstance(v, Missing):
            out[name] = ("Missing", v.reason)
        else:
            assert isinstance(v, Q)
            out[name] = ("Q", v.value, v.unit, v.label, v.rule, v.places, v.op)
    return out


def _entries(d: Path) -> list[Path]:
    return sorted((d / "metric-code").glob("*.marshal"))


def _compiles(monkeypatch) -> list[str]:
    """The file names ``compile`` is called with in metrics.py from now on."""
    seen: list[str] = []
    real = builtins.compile

    def counting(src, filename, *a, **k):
        seen.append(filename)
        return real(src, filename, *a, **k)
    monkeypatch.setattr(M, "compile", counting, raising=False)
    return seen


def test_the_rule_files_code_is_compiled_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    data = _shipped()
    first = M.RuleSet(data, cached=True)
    assert len(_entries(tmp_path)) == 1
    compiled = _compiles(monkeypatch)
    again = M.RuleSet(data, cached=True)
    assert compiled == []                                          # code from the cache
    assert _values(again) == _values(first)
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    assert _values(M.RuleSet(data)) == _values(first)
    assert _values(M.RuleSet(data, compiled=False)) == _values(first)
    # every shipped rule is there, with its function and its source
    assert set(first.metrics) == set(data["指标"]) and all(r.fn.source for r in first.metrics.values())


def test_a_changed_formula_gets_its_own_code(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    data = _shipped()
    before = _values(M.RuleSet(data, cached=True))
    assert before["收支总计"][0] == "Q" and before["收支总计"][1] > 0
    doubled = {**data, "指标": {**data["指标"], "收支总计": "收入支出决算总表.收入.总计 * 2"}}
    after = _values(M.RuleSet(doubled, cached=True))
    assert len(_entries(tmp_path)) == 2
    assert after["收支总计"][1] == 2 * before["收支总计"][1]
    monkeypatch.setenv("NARRATOR_CACHE_DIR", "off")
    assert after == _values(M.RuleSet(doubled, compiled=False))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped byte", "changed constant",
                                    "other code, right sum", "empty"])
def test_a_damaged_entry_is_compiled_again_and_rewritten(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    data = _shipped()
    want = _values(M.RuleSet(data, cached=True))
    (entry,) = _entries(tmp_path)
    good = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"not marshal at all")
    elif damage == "truncated":
        entry.write_bytes(good[: len(good) // 2])
    elif damage == "flipped byte":
        i = len(good) // 2
        entry.write_bytes(good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1:])
    elif damage == "changed constant":  # still loads, as code giving other units
        a, b = "数值".encode(), "值数".encode()
        assert a in good
        entry.write_bytes(good.replace(a, b))
    elif damage == "other code, right sum":  # a valid entry of the wrong shape: one code too few
        codes = marshal.loads(good[20:])[:-1]
        payload = marshal.dumps(codes)
        entry.write_bytes(hashlib.sha1(payload).digest() + payload)
    else:
        entry.write_bytes(b"")
    compiled = _compiles(monkeypatch)
    assert _values(M.RuleSet(data, cached=True)) == want
    assert len(compiled) == len(data["指标"]) + len(data.get("函数") or {})   # compiled again
    assert marshal.loads(entry.read_bytes()[20:]) == marshal.loads(good[20:])   # and rewritten


def test_rule_sets_made_in_passing_or_an_unusable_folder_leave_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path / "cache"))
    data = _shipped()
    want = _values(M.RuleSet(data))                      # not cached: the default
    assert not (tmp_path / "cache").exists()
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(blocker))
    assert _values(M.RuleSet(data, cached=True)) == want


def test_load_rules_uses_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    M.load_rules.cache_clear()
    try:
        M.load_rules(None)
        assert len(_entries(tmp_path)) == 1
    finally:
        M.load_rules.cache_clear()


def test_marshalled_keeps_what_marshal_can_and_computes_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRATOR_CACHE_DIR", str(tmp_path))
    calls = []
    value = diskcache.marshalled("t", "k", lambda: calls.append(1) or [1, "二", b"3"], lambda v: True)
    assert diskcache.marshalled("t", "k", lambda: calls.append(1) or None, lambda v: True) == value
    assert calls == [1]
    # rejected by valid(): computed again
    assert diskcache.marshalled("t", "k", lambda: "new", lambda v: v == "new") == "new"
    obj = object()                                           # not marshallable: no entry
    assert diskcache.marshalled("t", "o", lambda: obj, lambda v: True) is obj
    assert not (tmp_path / "t" / "o.marshal").exists()
