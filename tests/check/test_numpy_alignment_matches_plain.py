"""The numpy path of the sentence alignment gives exactly what the plain computations give.

``check_align.Scorer.matrix`` (scores of a big section as one array) against ``Scorer.row``
and ``check._score``; ``check_align._dp_numpy`` (the DP a numpy row at a time) against the
reference's cell loop, on matrices full of exact ties; and ``check._align`` with every section
through numpy, and with none, against ``check._align_reference`` on edited real sections -
among them the long 项 list of section 五, whose "决算数小于预算数的主要原因是…" sentences
all tie with each other.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from narrator.check import align_fast as check_align
from narrator.check import checker as check
from narrator.check import align
from narrator.check.align import _THRESHOLD, _score, align_reference as _align_reference
from narrator.check.checker import _align
from narrator.check.align_fast import Scorer, _dp_numpy
from narrator.figures.model import figures_from_tree
from narrator.render.engine import render
from narrator.batch.synth import department
from test_fast_alignment_matches_reference import _capture, _edit, _OPS


@pytest.fixture(autouse=True, scope="module")
def _fast_path_for_small_sections_too():
    """_align hands small sections to the reference: here they take the fast path too."""
    old, check._SMALL = check._SMALL, 0
    yield
    check._SMALL = old


@pytest.fixture(scope="module")
def long_sections():
    """The ordered sections of drafts with long 项 lists, the longest first."""
    out = []
    for seed, rows in ((21, 150), (22, 90)):
        fig = figures_from_tree(department(seed, rows=rows), f"s{seed}")
        for pack in ("standard", "shanghai"):
            out += [c for c in _capture(render(fig, pack).text, fig, pack) if c[0] and c[1]]
    return sorted(out, key=lambda c: -len(c[0]) * len(c[1]))


def test_the_long_list_has_exact_ties(long_sections):
    """The case this module is about: many human sentences with the same top score in a row."""
    hs, ds, _ = long_sections[0]
    assert len(hs) * len(ds) >= check_align.NUMPY_CELLS
    tied = 0
    for h in hs:
        row = [_score(h, d) for d in ds]
        top = max(row)
        tied += top > 0 and row.count(top) > 1
    assert tied >= 20


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10**6), ops=_OPS, seed=st.integers(0, 10**6))
def test_matrix_equals_the_scores(long_sections, pick, ops, seed):
    hs, ds, _ = long_sections[pick % len(long_sections)]
    hs, ds = _edit(hs, ds, ops, random.Random(seed))
    sc = Scorer(hs, ds, _THRESHOLD)
    rng = random.Random(seed)
    rows = sorted(rng.sample(range(len(hs)), rng.randint(0, len(hs))))
    cols = sorted(rng.sample(range(len(ds)), rng.randint(0, len(ds))))
    got = sc.matrix(rows, cols).tolist()
    assert got == [[_score(hs[a], ds[b]) for b in cols] for a in rows]
    assert got == [[sc.row(a, 0, len(ds))[b] for b in cols] for a in rows]


def _dp_plain(sim, n, m, base):
    """The reference's DP cell loop, from a constant border ``base``."""
    return align._dp_reference(sim, n, m, base)


# a few values, so that sums tie exactly and differ in the last bits (0.1 + 0.2 != 0.3)
_VALUES = [0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.45, 5 / 6, 1.0, 1.2, 1 / 3]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 12), m=st.integers(0, 12), seed=st.integers(0, 10**6),
       base=st.sampled_from([0.0, 0.1, 7 / 3, 12.000000000000002]))
def test_numpy_dp_equals_the_cell_loop(n, m, seed, base):
    import numpy as np

    rng = random.Random(seed)
    sim = [[rng.choice(_VALUES) for _ in range(m)] for _ in range(n)]
    got = _dp_numpy(np.array(sim, dtype=np.float64).reshape(n, m), base).tolist()
    assert got == _dp_plain(sim, n, m, base)


@pytest.fixture(params=[0, 10**12], ids=["all-numpy", "no-numpy"])
def numpy_cells(request, monkeypatch):
    monkeypatch.setattr(check_align, "NUMPY_CELLS", request.param)
    return request.param


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10**6), ops=_OPS, seed=st.integers(0, 10**6))
def test_alignment_equals_the_plain_dp_on_long_lists(long_sections, numpy_cells, pick, ops, seed):
    hs, ds, ordered = long_sections[pick % 4]           # the longest sections: the 项 lists
    hs, ds = _edit(hs, ds, ops, random.Random(seed))
    assert _align(hs, ds, ordered) == _align_reference(hs, ds, ordered)


def test_alignment_equals_the_plain_dp_on_unedited_long_sections(long_sections, numpy_cells):
    for hs, ds, ordered in long_sections:
        for o in (ordered, False):
            assert _align(hs, ds, o) == _align_reference(hs, ds, o)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10**6), ops=_OPS, seed=st.integers(0, 10**6))
def test_alignment_equals_the_plain_dp_with_numpy_everywhere(numpy_cells, pick, ops, seed):
    """Small sections too (the real run keeps them in Python): the numpy path has no size limit."""
    fig = figures_from_tree(department(seed % 50, rows=25), "s")
    calls = [c for c in _capture(render(fig, "standard").text, fig, "standard") if c[0] and c[1]]
    hs, ds, ordered = calls[pick % len(calls)]
    hs, ds = _edit(hs, ds, ops, random.Random(seed))
    for o in (ordered, True):
        assert _align(hs, ds, o) == _align_reference(hs, ds, o)


def _norm_plain(s):
    """align._norm as one pass of _DROP, its definition."""
    pattern, table = align._synonyms()
    s = pattern.sub(lambda m: table[m.group()], s)
    s = align._direction_re().sub("±", s)
    return align._DROP.sub("", s)


def test_norm_drops_what_the_one_pattern_drops_on_every_character():
    every = "".join(map(chr, range(0x110000)))
    assert align._norm.__wrapped__(every) == _norm_plain(every)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("<u/>>u< \t\n\u3000\u00a0，,。.、；;：:（）()“”\"'‘’《》【】-—•·■%％±□◇年初预算增加减少比上年同比占比1."),
               max_size=40))
def test_norm_equals_the_one_pattern(text):
    assert align._norm.__wrapped__(text) == _norm_plain(text)


def test_norm_equals_the_one_pattern_on_drafts():
    fig = figures_from_tree(department(5, rows=40), "s")
    for pack in ("standard", "shanghai"):
        text = render(fig, pack).text
        for line in text.split("\n"):
            assert align._norm.__wrapped__(line) == _norm_plain(line)
        assert align._norm.__wrapped__(text) == _norm_plain(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_bigrams_are_the_two_character_slices(text):
    plain = frozenset(text[i:i + 2] for i in range(len(text) - 1)) if len(text) > 1 else frozenset({text})
    assert align._bigrams.__wrapped__(text) == plain
