"""With a region (a disclosure's 情况说明), only what is inside it is checked: a direction word
(增加/减少 …) outside it is not paired with the draft — the tables and the later parts of a
disclosure are not the prose the draft restates — while the same word inside it is."""

from __future__ import annotations

import pytest

from narrator.check.checker import check_text
from narrator.render.engine import render


def _word_slots(d):
    return [s for s in d.slots if s.kind == "word" and s.words and s.value not in (None, 0)]


@pytest.mark.parametrize("pack", ["standard", "shanghai"])
def test_a_wrong_direction_word_is_reported_inside_the_region_only(sample_figures, pack):
    d = render(sample_figures, pack)
    checked = 0
    for s in _word_slots(d)[:12]:
        new = s.words["负"] if s.value > 0 else s.words["正"]
        text = d.text[:s.start] + new + d.text[s.end:]
        inside = check_text(text, "m", sample_figures, pack, region=(0, len(text)))
        here = [f for f in inside.findings if f.start == s.start and f.code == "N105"]
        if not here:
            continue            # another rule speaks for this word (e.g. a rate's sign)
        checked += 1
        # the sentence holding the word, left out of the region (the region ends before it)
        line_start = text.rfind("\n", 0, s.start) + 1
        outside = check_text(text, "m", sample_figures, pack, region=(0, line_start))
        assert not [f for f in outside.findings if f.start is not None and f.start >= line_start], pack
    assert checked >= 3
