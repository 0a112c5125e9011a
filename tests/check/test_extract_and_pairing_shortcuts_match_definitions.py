"""The fast paths of number extraction, pairing and self-consistency give what the plain ones give.

- ``check._left`` (windows with digit runs collapsed, cached) against the plain formula:
  ``"^"`` at the floor, then ``_norm(window)`` without digits, last ``n`` characters;
- ``extract.normalize`` (one ``str.replace`` per distinct character) against ``str.translate``;
- ``extract._prefix_of`` (the prefix search cached on its window) against the search in the
  whole text, and the look-behind reach it relies on;
- ``segment.structure``: sentences are the trimmed pieces of text, in their sections, covering it.
"""

import random
import re

from hypothesis import given, settings, strategies as st

from conftest import SAMPLE
from narrator.check import pairing
from narrator.check.align import _direction_words, _norm, _synonyms
from narrator.check.pairing import _DIGITS, _left

NARRATIVE = (SAMPLE / "narrative.txt").read_text(encoding="utf-8")


def _left_plain(text: str, start: int, floor: int, n: int = 8) -> str:
    head = "^" if start - 24 <= floor else ""
    return (head + _DIGITS.sub("", _norm.__wrapped__(text[max(floor, start - 24):start])))[-n:]


def _vocabulary() -> list[str]:
    _, table = _synonyms()
    return sorted(set(table) | set(table.values()) | set(_direction_words()))


def test_no_normalised_word_contains_a_digit_character():
    # the premise of pairing._left_of: a run of digits never takes part in a _norm match
    digit = re.compile(r"[0-9０-９.．]")
    assert not [w for w in _vocabulary() if digit.search(w)]


_PIECES = _vocabulary() + ["1", "23", "4.5", ".", "．", "６", "0.07", " ", "\n", "，", "。", "<u>", "</u>",
                           "万元", "%", "决算", "为", "比", "年", "-", "（", "）"]


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from(_PIECES), max_size=30), data=st.data())
def test_left_equals_the_plain_formula_on_random_texts(parts, data):
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    floor = data.draw(st.integers(0, start))
    n = data.draw(st.sampled_from([8, 4, 30]))
    assert _left(text, start, floor, n) == _left_plain(text, start, floor, n)


def test_left_equals_the_plain_formula_on_the_sample_narrative():
    rng = random.Random(5)
    for _ in range(3000):
        start = rng.randrange(len(NARRATIVE))
        floor = max(0, start - rng.choice([0, 3, 10, 23, 24, 25, 60]))
        assert _left(NARRATIVE, start, floor) == _left_plain(NARRATIVE, start, floor)
    pairing._left_of.cache_clear()


_NORM_PIECES = ["（", "）", "：", "；", "，", "１２", "３.４", "〇", "\u3000", "\xa0", "−", "﹪", "〜", "ａＢ", "万元",
                "<u>", "</u>", "<b class=x>", "\u200b", "<", ">", "12", "。", "\n"]


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from(_NORM_PIECES), max_size=25))
def test_normalize_equals_translate_then_remove(parts):
    from narrator.check.number_grammar import _REMOVE, _TRANS, normalize

    text = "".join(parts)
    translated = text.translate(_TRANS)
    norm, offs = normalize(text)
    assert norm == _REMOVE.sub("", translated)
    assert isinstance(offs, list) and len(offs) == len(norm)
    assert all(translated[o] == c for o, c in zip(offs, norm))
    assert offs == sorted(set(offs))


def _edited_narrative(rng: random.Random) -> str:
    """The sample narrative with random lines deleted, duplicated, blanked or cut in two."""
    lines = NARRATIVE.split("\n")
    for _ in range(rng.randrange(12)):
        k = rng.randrange(len(lines))
        op = rng.randrange(4)
        if op == 0:
            del lines[k]
        elif op == 1:
            lines.insert(k, lines[rng.randrange(len(lines))])
        elif op == 2:
            lines.insert(k, " \u3000")
        elif lines[k]:
            cut = rng.randrange(len(lines[k]))
            lines[k:k + 1] = [lines[k][:cut], lines[k][cut:]]
    return "\n".join(lines)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_sentences_are_the_trimmed_pieces_between_cuts_in_their_sections(seed):
    from narrator.check.segment import structure

    text = _edited_narrative(random.Random(seed))
    s = structure(text)
    starts = [sec.start for sec in s.sections]
    prev_end = 0
    for i, sent in enumerate(s.sentences):
        assert sent.index == i and sent.text == text[sent.start:sent.end] == sent.text.strip() != ""
        assert prev_end <= sent.start
        prev_end = sent.end
        want = max((k for k, st0 in enumerate(starts) if st0 <= sent.start), default=-1)
        assert sent.section == want
        if want >= 0:
            assert i in s.sections[want].sentences
    # the sentences cover every non-blank character of the text
    covered = "".join(text[x.start:x.end] for x in s.sentences)
    assert "".join(covered.split()) == "".join(text.split())


def _prefix_plain(norm: str, lo: int, ns: int):
    from narrator.check.number_grammar import _PREFIX

    pre = _PREFIX.search(norm, lo, ns)
    return (None, None) if pre is None else (pre.lastgroup, pre.group("q") if pre.lastgroup == "q" else None)


def _prefix_cached(norm: str, lo: int, ns: int):
    from narrator.check.number_grammar import _PREFIX_REACH, _prefix_of

    a = max(0, lo - _PREFIX_REACH)
    pg, q = _prefix_of(norm[a:ns], lo - a)
    return pg, q if pg == "q" else None


_PREFIX_PIECES = ["约", "节约", "近", "最近", "超", "高超", "超过", "不低于", "低于", "单价", "为", "得分", "总分 ",
                  "第", "(", "( 含", "图", "代表", "表", "附表", "≥", "<=", " ", "\t", "12", "万元", "，", "比上年"]


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.sampled_from(_PREFIX_PIECES), max_size=12), data=st.data())
def test_cached_prefix_search_equals_the_search_in_the_whole_text(parts, data):
    from narrator.check.number_grammar import _PREFIX_WINDOW

    norm = "".join(parts)
    ns = data.draw(st.integers(0, len(norm)))
    lo = max(0, ns - data.draw(st.integers(0, _PREFIX_WINDOW)))
    assert _prefix_cached(norm, lo, ns) == _prefix_plain(norm, lo, ns)


def test_cached_prefix_search_on_the_sample_narrative():
    from narrator.check.number_grammar import _PREFIX_WINDOW, normalize

    norm = normalize(NARRATIVE)[0]
    for ns in range(len(norm)):
        lo = max(0, ns - _PREFIX_WINDOW)
        assert _prefix_cached(norm, lo, ns) == _prefix_plain(norm, lo, ns)


def test_lookbehind_reach():
    from narrator.check.number_grammar import _PREFIX_REACH, _lookbehind_reach

    assert _lookbehind_reach("ab") == 1
    assert _lookbehind_reach(r"(?<=abc)x|(?<![ab]{2}[cd])y") == 3
    assert _lookbehind_reach(r"a(?:(?<=xyzw)b)*") == 4
    assert _PREFIX_REACH is not None
