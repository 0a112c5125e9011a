"""narrator check's fast paths give exactly what the plain computations give.

``check._align`` (corner anchors, bulk scores, pruned swap pass) against
``check._align_reference`` (the plain O(n*m) DP): on the sections of real drafts, edited at
random the way people edit - sentences inserted, deleted, swapped, moved, reworded,
duplicated, broken in two - and end to end on edited draft texts.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SAMPLE
from narrator.check import checker as check
from narrator.check.align import _bigrams, align_reference as _align_reference
from narrator.check.checker import _align, check_text
from narrator.figures.model import figures_from_tree
from narrator.figures.load import load_figures
from narrator.render.engine import render
from narrator.batch.synth import department


@pytest.fixture(autouse=True, scope="module")
def _fast_path_for_small_sections_too():
    """_align hands small sections to the reference: here they take the fast path too."""
    old, check._SMALL = check._SMALL, 0
    yield
    check._SMALL = old


def _capture(text, fig, pack):
    """The (human rows, draft rows, ordered) inputs of every _align call of one check."""
    calls = []
    real = check._align

    def spy(hs, ds, ordered):
        calls.append((hs, ds, ordered))
        return real(hs, ds, ordered)

    check._align = spy
    try:
        check_text(text, "t", fig, pack)
    finally:
        check._align = real
    return calls


def captured_sections(departments) -> list:
    """The alignment calls of checking the drafts of ``departments`` ((seed, rows) pairs, both
    packs) and of the bundled sample narrative, those with sentences on both sides."""
    out = []
    for seed, rows in departments:
        fig = figures_from_tree(department(seed, rows=rows), f"s{seed}")
        for pack in ("standard", "shanghai"):
            out += _capture(render(fig, pack).text, fig, pack)
    fig = load_figures(SAMPLE / "figures.yaml")
    out += _capture((SAMPLE / "narrative.txt").read_text(encoding="utf-8"), fig, "auto")
    return [c for c in out if c[0] and c[1]]


@pytest.fixture(scope="module")
def sections():
    return captured_sections(((11, 60), (12, 25)))


def _edit(hs, ds, ops, rng):
    """Apply edit operations to the human rows (and a few to the draft rows)."""
    hs, ds = list(hs), list(ds)
    for op in ops:
        side = ds if op.startswith("d_") and ds else hs
        if not side:
            continue
        k = rng.randrange(len(side))
        other = side[rng.randrange(len(side))]
        row = side[k]
        if op.endswith("delete") and len(side) > 1:
            del side[k]
        elif op == "insert_copy":          # a sentence restated twice (identical: ties)
            side.insert(rng.randrange(len(side) + 1), other)
        elif op.endswith("swap"):
            j = rng.randrange(len(side))
            side[k], side[j] = side[j], side[k]
        elif op == "move":                  # a list item written elsewhere
            side.insert(rng.randrange(len(side) + 1), side.pop(k))
        elif op == "reword":                # part of the wording changed
            grams = sorted(row[1])
            keep = frozenset(g for g in grams if rng.random() < 0.7) or frozenset(grams[:1])
            side[k] = (row[0], keep | _bigrams("改写" + str(rng.randrange(9))), row[2])
        elif op == "same_wording":          # takes another sentence's wording, keeps its context
            side[k] = (row[0], other[1], row[2])
        elif op == "same_context":
            side[k] = (row[0], row[1], other[2])
        elif op == "no_context":
            side[k] = (row[0], row[1], frozenset())
        elif op == "break":                 # a sentence broken in two (a PDF line break)
            grams = sorted(row[1])
            cut = max(1, len(grams) // 2)
            side[k:k + 1] = [(row[0], frozenset(grams[:cut]), row[2]),
                             (row[0], frozenset(grams[cut:]) or frozenset(grams), frozenset())]
        elif op == "new":                   # a sentence the draft does not have
            side.insert(k, (row[0], _bigrams(f"另外说明{rng.randrange(99)}项工作"), frozenset()))
    hs = [(i, h[1], h[2]) for i, h in enumerate(hs)]   # human rows are sentence numbers
    return hs, ds


_OPS = st.lists(st.sampled_from(["delete", "insert_copy", "swap", "move", "reword", "same_wording",
                                 "same_context", "no_context", "break", "new",
                                 "d_delete", "d_swap"]), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10**6), ops=_OPS, seed=st.integers(0, 10**6))
def test_alignment_equals_the_plain_dp_on_edited_sections(sections, pick, ops, seed):
    hs, ds, ordered = sections[pick % len(sections)]
    hs, ds = _edit(hs, ds, ops, random.Random(seed))
    for o in (ordered, True):
        assert _align(hs, ds, o) == _align_reference(hs, ds, o)


def test_alignment_equals_the_plain_dp_on_unedited_sections(sections):
    for hs, ds, ordered in sections:
        assert _align(hs, ds, ordered) == _align_reference(hs, ds, ordered)


def _summary(r):
    return ([f.render() for f in r.findings], [c.to_json() for c in r.claims], sorted(r.fixes))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), ops=st.lists(st.sampled_from(["delete", "dup", "swap"]), max_size=5),
       pack=st.sampled_from(["standard", "shanghai"]))
def test_check_of_edited_drafts_equals_the_plain_dp(seed, ops, pack):
    fig = figures_from_tree(department(seed % 1000, rows=30), f"s{seed}")
    lines = render(fig, pack).text.split("\n")
    rng = random.Random(seed)
    for op in ops:
        k = rng.randrange(len(lines))
        if op == "delete":
            del lines[k]
        elif op == "dup":
            lines.insert(rng.randrange(len(lines)), lines[k])
        else:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
    text = "\n".join(lines)
    fast = _summary(check_text(text, "t", fig, pack))
    real = check._align
    check._align = _align_reference
    try:
        ref = _summary(check_text(text, "t", fig, pack))
    finally:
        check._align = real
    assert fast == ref


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="\n \t\u3000a。", max_size=12), data=st.data())
def test_blank_before_equals_the_pattern_on_the_text_before(text, data):
    import re

    from narrator.check.segment import _blank_before

    pos = data.draw(st.integers(0, len(text)))
    before = text[:pos].rstrip(" \t\u3000")
    plain = (before.endswith("\n\n") or before.endswith("\n \n")
             or bool(re.search(r"\n[ \t\u3000]*\n[ \t\u3000]*$", text[:pos])))
    assert _blank_before(text, pos) == plain
