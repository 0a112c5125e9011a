"""The 无数据 patterns of rules/disclosure.yaml looked for as one alternation find a line
exactly where one of them, looked for alone, finds it (sources/disclosure/layouts._no_data_note)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from narrator.sources.disclosure import vocabulary
from narrator.sources.disclosure.layouts import _no_data_pattern, compact

PATTERNS = [re.compile(p) for p in vocabulary()["无数据"]]
CHARS = sorted({ch for p in vocabulary()["无数据"] for ch in p if "\u4e00" <= ch <= "\u9fff"} | set("“”\"0123.,表年 "))


def _any(text: str) -> bool:
    return any(p.search(text) for p in PATTERNS)


def test_every_line_of_the_sample_disclosure():
    lines = [compact(x) for x in (SAMPLE / "disclosure.txt").read_text(encoding="utf-8").splitlines()]
    found = [c for c in lines if bool(_no_data_pattern().search(c)) != _any(c)]
    assert found == []
    assert sum(_any(c) for c in lines) >= 1


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(CHARS), max_size=40))
def test_generated_lines(text):
    assert bool(_no_data_pattern().search(text)) == _any(text)
