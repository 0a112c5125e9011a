"""rules/messages.yaml against the code: every key in both languages with the same
placeholders, every msg("key", name=…) call naming a key and exactly its placeholders, and no
key that no code uses."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from narrator.core import messages as M

SRC = Path(__file__).resolve().parents[2] / "src" / "narrator"


def _fields(template: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(template) if f is not None}


def _string_constants(node) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _calls():
    """(file, line, possible keys, keyword names or None when **kwargs) of every msg(...) call."""
    out = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # msg(...), and the audit's ctx.msg(...) / t.msg(...) (the same lookup, its language read once)
            if isinstance(node, ast.Call) and node.args and (
                    isinstance(node.func, ast.Name) and node.func.id == "msg"
                    or isinstance(node.func, ast.Attribute) and node.func.attr == "msg"):
                if isinstance(node.args[0], ast.Name):
                    continue   # msg(key) with key from a table of written-out keys (counted as used below)
                keys = _string_constants(node.args[0])
                names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                out.append((path.name, node.lineno, keys, names))
    return out


CALLS = _calls()


def test_every_key_has_chinese_and_english_with_the_same_placeholders():
    assert M.messages(), "rules/messages.yaml is empty"
    for key, texts in M.messages().items():
        assert set(texts) == set(M.LANGS), key
        assert texts["zh"].strip() and texts["en"].strip(), key
        assert _fields(texts["zh"]) == _fields(texts["en"]), key


def test_every_call_names_a_key_and_fills_exactly_its_placeholders():
    assert len(CALLS) > 100
    for fname, line, keys, names in CALLS:
        assert keys, f"{fname}:{line}: msg() with a key that is not written out"
        for key in keys:
            assert key in M.messages(), f"{fname}:{line}: no message {key!r} in rules/messages.yaml"
            if names is not None:
                assert names == _fields(M.messages()[key]["zh"]), f"{fname}:{line}: {key} {names}"


def test_no_key_is_unused():
    used = set()
    for path in SRC.rglob("*.py"):
        used.update(_string_constants(ast.parse(path.read_text(encoding="utf-8"))))
    unused = sorted(set(M.messages()) - used)
    assert not unused, unused


def test_language_comes_from_set_lang_or_the_environment(monkeypatch):
    monkeypatch.delenv(M.ENV_VAR, raising=False)
    M.set_lang(None)
    assert M.msg("severity.error") == "错误"
    monkeypatch.setenv(M.ENV_VAR, "en")
    assert M.msg("severity.error") == "error"
    M.set_lang("zh")
    try:
        assert M.msg("input.too_deep", levels=3) == "嵌套过深（超过 3 层）"
    finally:
        M.set_lang(None)
    monkeypatch.setenv(M.ENV_VAR, "fr")   # an unknown language: the default
    assert M.msg("severity.warning") == "警告"
    with pytest.raises(ValueError):
        M.set_lang("fr")
