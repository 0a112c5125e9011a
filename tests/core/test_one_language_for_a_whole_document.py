"""A document's check reads the language once (core/messages.one_language): its messages are
in the language chosen when it began, and what was chosen before is back after it."""

from __future__ import annotations

import pytest

from conftest import SAMPLE
from narrator import pipeline
from narrator.check import checker
from narrator.core import messages
from narrator.core.messages import lang, msg, one_language, set_lang


@pytest.fixture(autouse=True)
def no_choice(monkeypatch):
    monkeypatch.delenv("NARRATOR_LANG", raising=False)
    set_lang(None)
    yield
    set_lang(None)


def test_environment_read_once_inside_the_block(monkeypatch):
    monkeypatch.setenv("NARRATOR_LANG", "en")
    with one_language():
        monkeypatch.setenv("NARRATOR_LANG", "zh")
        assert lang() == "en" and msg("join.list") == messages.messages()["join.list"]["en"]
    assert lang() == "zh"


def test_a_choice_made_before_is_kept_and_restored():
    set_lang("en")
    with one_language():
        assert lang() == "en"
    assert messages._chosen == "en"
    set_lang(None)
    with one_language():
        assert lang() == "zh"
    assert messages._chosen is None


def test_restored_after_an_error():
    with pytest.raises(RuntimeError):
        with one_language():
            raise RuntimeError
    assert messages._chosen is None


def _messages(monkeypatch, language: str, switch_to: str | None = None) -> list[str]:
    monkeypatch.setenv("NARRATOR_LANG", language)
    real = checker.check_text

    def switch_midway(*a, **k):
        if switch_to:
            monkeypatch.setenv("NARRATOR_LANG", switch_to)    # changed while the document is checked
        return real(*a, **k)

    monkeypatch.setattr(checker, "check_text", switch_midway)
    return [f.message for f in pipeline.check_file(SAMPLE / "disclosure.txt", None, "auto").findings]


def test_check_file_words_its_findings_in_the_language_it_began_with(monkeypatch):
    english = _messages(monkeypatch, "en")
    chinese = _messages(monkeypatch, "zh")
    assert english and english != chinese
    assert _messages(monkeypatch, "en", switch_to="zh") == english
    assert messages._chosen is None


def test_nested_blocks_restore_once_at_the_outermost(monkeypatch):
    monkeypatch.setenv("NARRATOR_LANG", "en")
    with one_language():
        with one_language():
            assert lang() == "en"
        monkeypatch.setenv("NARRATOR_LANG", "zh")
        assert lang() == "en"                    # still the outer block's choice
    assert messages._chosen is None and lang() == "zh"


def test_set_lang_inside_a_block_stays():
    with one_language():
        set_lang("en")
    assert messages._chosen == "en"
