"""For a text in the standard pack's wording, `--like` gives the standard pack's numbers (issue 18).

Last year's text is the standard draft of last year's figures (tests/fixtures/like/figures-2023.yaml);
this year's figures are the sample's with every amount scaled by its own random factor. The
draft learned from last year's text must print every money amount and percentage the standard
pack prints for this year, none of them left 【待核】.
"""

import copy
import random
from functools import cache
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLE
from narrator.figures.dump import figures_to_tree
from narrator.figures.load import load_figures
from narrator.figures.model import figures_from_tree
from narrator.render.engine import render
from narrator.render.like import render_like
from test_generate_like_last_year import _numbers

LIKE = ROOT / "tests" / "fixtures" / "like"


@cache
def _last() -> tuple:
    figures = load_figures(LIKE / "figures-2023.yaml")
    return figures, render(figures, "standard").text


@pytest.fixture(scope="module")
def last_figures():
    return _last()[0]


@pytest.fixture(scope="module")
def last_text():
    return _last()[1]


def _numbers_of(text: str) -> list[list[str | None]]:
    return [_numbers(ln) for ln in text.splitlines() if ln.strip()]


def _scaled(node, rnd: random.Random, done: dict):
    """Every amount of a figures tree times a factor in [0.7, 1.3], to the cent; one factor per
    value, so that figures equal in the tables (a total in two tables) stay equal."""
    if isinstance(node, dict):
        return {k: _scaled(v, rnd, done) for k, v in node.items()}
    if isinstance(node, list):
        return [_scaled(v, rnd, done) for v in node]
    if isinstance(node, Decimal) and node > 1:
        if node not in done:
            factor = Decimal(rnd.randint(700, 1300)) / 1000
            out = (node * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)
            done[node] = out if out != node else out + Decimal("0.01")
        return done[node]
    return node


def _same_numbers(figures, last_text, last_figures):
    draft, _ = render_like(last_text, figures, last_figures)
    want, got = _numbers_of(render(figures, "standard").text), _numbers_of(draft.text)
    assert len(got) == len(want)
    for w, g in zip(want, got):
        assert w == g
    return sum(len(w) for w in want)


def test_the_samples_own_figures(sample_figures, last_text, last_figures):
    assert _same_numbers(sample_figures, last_text, last_figures) >= 120


def test_without_last_years_figures_too(sample_figures, last_text):
    draft, _ = render_like(last_text, sample_figures)
    assert _numbers_of(draft.text) == _numbers_of(render(sample_figures, "standard").text)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_figures(seed):
    last_figures, last_text = _last()
    tree = figures_to_tree(load_figures(SAMPLE / "figures.yaml"))
    rnd = random.Random(seed)
    done: dict = {}
    tree = {k: (v if k in ("上年", "年度", "单位", "金额单位") else _scaled(v, rnd, done)) for k, v in tree.items()}
    figures = figures_from_tree(tree, "scaled.yaml")
    assert _same_numbers(figures, last_text, last_figures) >= 120


def test_a_blank_cell_is_0_only_in_a_table_that_is_there(sample_figures, last_text, last_figures):
    # the sample's 三公 table leaves 因公出国（境）费 empty: 0, as the standard pack prints it
    draft, _ = render_like(last_text, sample_figures, last_figures)
    assert "1. 因公出国（境）费全年预算为0.00万元，支出决算为0.00万元；" in draft.text
    # without its 预算数 half, nothing says the budget was 0
    tree = copy.deepcopy(figures_to_tree(sample_figures))
    del tree["财政拨款“三公”经费支出决算表"]["预算数"]
    draft, _ = render_like(last_text, figures_from_tree(tree, "no-budget.yaml"), last_figures)
    assert "1. 因公出国（境）费全年预算为【待核：原文数字 0.00万元】，支出决算为0.00万元；" in draft.text
