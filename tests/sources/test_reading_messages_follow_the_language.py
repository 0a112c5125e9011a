"""The disclosure reader's D-messages come from rules/messages.yaml: Chinese by default, English
with --lang en (the names from the document stay as printed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.core.messages import set_lang
from narrator.pipeline import check_file

DISCLOSURE = Path(__file__).resolve().parents[2] / "samples" / "renshe-2024" / "disclosure.txt"


@pytest.fixture
def language():
    yield set_lang
    set_lang(None)


@pytest.mark.parametrize("lang, filled, closest", [("zh", "空格补为 7.41", "按相近程度读作 年初结转和结余"),
                                                    ("en", "blank filled as 7.41", "read as the closest name 年初结转和结余")])
def test_reading_messages_are_in_the_chosen_language(language, lang, filled, closest):
    language(lang)
    found = [f.message for f in check_file(DISCLOSURE, None, "auto").findings if f.code.startswith("D")]
    assert any(filled in m for m in found), found
    assert any(closest in m for m in found), found
