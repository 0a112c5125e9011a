"""narrator check, round 4: the shortcuts of _against_draft give exactly the plain results.

``check_align.align_by_row_best`` (each sentence to its own best draft sentence, when that
is one way only) against ``check._align_reference`` on the sections of real drafts, as they
are and edited at random (tests/check/test_fast_alignment_matches_reference.py's harness).
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from narrator.check import checker as check
from narrator.check.align import _THRESHOLD, _bigrams, align_reference as _align_reference
from narrator.check.align_fast import align_by_row_best
from test_fast_alignment_matches_reference import _OPS, _edit, captured_sections


@pytest.fixture(scope="module")
def sections():
    return captured_sections(((11, 60), (12, 25), (13, 120)))


def _by_row_best(hs, ds):
    match = align_by_row_best(hs, ds, _THRESHOLD)
    return None if match is None else [(hs[a][0], ds[b][0]) for a, b in match.items()]


def test_row_best_is_the_plain_dp_on_the_sections_of_real_drafts(sections):
    hits = 0
    for hs, ds, _ in sections:
        got = _by_row_best(hs, ds)
        if got is not None:
            hits += 1
            assert got == _align_reference(hs, ds, True)
    # a draft checked against itself: nearly every section takes the shortcut
    assert hits >= 0.8 * len(sections)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10**6), ops=_OPS, seed=st.integers(0, 10**6))
def test_row_best_is_the_plain_dp_on_edited_sections(sections, pick, ops, seed):
    hs, ds, _ = sections[pick % len(sections)]
    hs, ds = _edit(hs, ds, ops, random.Random(seed))
    got = _by_row_best(hs, ds)
    if got is not None:
        assert got == _align_reference(hs, ds, True)


_WORDS = [_bigrams(w) for w in ("年初预算为□万元支出决算为□万元", "决算数±预算数的主要原因是◇",
                                  "决算数□预算数的主要原因是◇", "公共安全支出□万元占□", "年初预算为◇万元")]
_CTX = [frozenset(), _bigrams("行政运行项"), _bigrams("机关服务项"), _bigrams("一般行政管理事务项")]


@settings(max_examples=1000, deadline=None)
@given(h=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=9),
       d=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=9))
def test_row_best_is_the_plain_dp_on_templated_sentences(h, d):
    """Few wordings and contexts, repeated: ties the order settles and ties it does not."""
    hs = [(i, _WORDS[w], _CTX[c]) for i, (w, c) in enumerate(h)]
    ds = [(f"d{i}", _WORDS[w], _CTX[c]) for i, (w, c) in enumerate(d)]
    got = _by_row_best(hs, ds)
    if got is not None:
        assert got == _align_reference(hs, ds, True)
    assert check._align(hs, ds, True) == _align_reference(hs, ds, True)


def test_every_character_an_item_number_starts_with_is_a_digit():
    """_masked_draft runs _DRAFT_ITEM_NO only on wordings that start with str.isdigit()."""
    import re

    digit = re.compile(r"\d")
    assert all(chr(c).isdigit() for c in range(0x110000) if digit.match(chr(c)))


@settings(max_examples=300, deadline=None)
@given(s=st.text(alphabet="1１٣.． 年【】待填：a\n", max_size=14))
def test_masked_wording_shortcuts_change_nothing(s):
    if not s[:1].isdigit():
        assert check._DRAFT_ITEM_NO.sub("", s) == s
    if "【" not in s:
        assert check._PLACEHOLDER.sub("◇", s) == s


@settings(max_examples=500, deadline=None)
@given(cuts=st.lists(st.integers(0, 200), max_size=12, unique=True),
       starts=st.lists(st.integers(0, 210), max_size=15))
def test_mentions_outside_placeholders_as_one_walk(cuts, starts):
    """check._outside keeps what in_hole (a bisection per mention) keeps, in any order."""
    from types import SimpleNamespace

    from oracles.placeholders import in_hole

    cuts = sorted(cuts)
    holes = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    ms = [SimpleNamespace(start=p) for p in starts]
    assert check._outside(holes, ms) == [m for m in ms if not in_hole(holes, m.start)]
