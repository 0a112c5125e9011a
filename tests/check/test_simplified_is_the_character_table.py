"""``simplified`` (traditional characters as simplified ones, one for one) replaces only the
traditional characters a text holds: the same text as the whole character table applied to
every character, for texts with a few traditional characters and texts written in them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.check.claim_words import _t2s, simplified
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file

_D = load_rule_file(rules_dir() / "繁简.yaml")
TRAD, SIMP = _D["繁"], _D["简"]
ROOT = Path(__file__).resolve().parents[2]


def by_table(text: str) -> str:
    return text.translate(_t2s())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TRAD), st.sampled_from(SIMP), st.text(max_size=20)), max_size=200),
       st.integers(0, 2000))
def test_simplified_equals_the_table_on_every_character(pieces, plain):
    text = "".join(pieces)
    assert simplified(text) == by_table(text)
    diluted = "收入合计" * plain + text           # the same few traditional characters in a long text
    assert simplified(diluted) == by_table(diluted)


def test_the_sample_disclosure_and_a_traditional_text():
    sample = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
    assert simplified(sample) != sample and simplified(sample) == by_table(sample)
    trad = "因公出國（境）費年初預算20萬元，支出決算0萬元，與預算相比無增減。"
    assert simplified(trad) == by_table(trad) == "因公出国（境）费年初预算20万元，支出决算0万元，与预算相比无增减。"
    assert simplified("收入合计") == "收入合计"
