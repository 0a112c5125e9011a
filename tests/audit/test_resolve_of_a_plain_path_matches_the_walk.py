"""The audit's _Ctx.resolve of a path without wildcards (walked as one figure path, the fast
way) gives what the walk over lists of candidates gave (tests/oracles/resolve_walk.py), on the
sample's figures, a disclosure's and random paths through them, wildcards or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from narrator.audit.model import _Ctx, _class_names
from narrator.figures.load import load_figures
from narrator.figures.names import WORDS as W
from narrator.pipeline import figures_from_document
from oracles.resolve_walk import resolve as walk

FIGS = [load_figures(SAMPLE / "figures.yaml"),
        figures_from_document((SAMPLE / "disclosure.txt").read_text(encoding="utf-8"), "d")[0]]


def _steps(data) -> list:
    """Every key and 科目 code of the figures (a few levels deep) and the rules' words."""
    out: set = set()

    def walk_keys(node, depth):
        if depth > 4:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                out.add(k)
                walk_keys(v, depth + 1)
        elif isinstance(node, list):
            for v in node[:40]:
                walk_keys(v, depth + 1)
    walk_keys(data, 0)
    return sorted(map(str, out))


STEPS = sorted(set(_steps(FIGS[0].data)) | set(_steps(FIGS[1].data)) | {"不存在", "208", "20801", "2080101"})
SPECIAL = [W.rows, W.rows, W.all_classes, W.each_class, W.all_items]
CODES = [None] + sorted(_class_names())[:6]


def test_plain_paths_of_the_figures_resolve_as_walked():
    n = 0
    for fig in FIGS:
        ctx = _Ctx(fig)
        for table, node in fig.data.items():
            if not isinstance(node, dict):
                continue
            rows = node.get(W.rows)
            for row in (rows if isinstance(rows, list) else [])[:50]:
                if isinstance(row, dict) and W.code in row:
                    for col in row:
                        path = (table, W.rows, row[W.code], col)
                        assert ctx.resolve(path) == walk(ctx, path)
                        n += 1
            for k, v in node.items():
                if k == W.rows:                 # (a 科目 step needs its code: above)
                    continue
                for sub in (v if isinstance(v, dict) else {None: None}):
                    path = (table, k) + ((sub,) if sub is not None else ())
                    assert ctx.resolve(path) == walk(ctx, path)
                    n += 1
    assert n > 500


@settings(max_examples=400, deadline=None)
@given(fig=st.sampled_from(FIGS),
       path=st.lists(st.one_of(st.sampled_from(STEPS), st.sampled_from(SPECIAL)), min_size=1, max_size=6),
       code=st.sampled_from(CODES))
def test_random_paths_resolve_as_walked(fig, path, code):
    path = tuple(path)
    if path[-1] == W.rows:                  # a 科目 step is followed by its code
        path += ("20801",)
    ctx = _Ctx(fig)
    assert ctx.resolve(path, code) == walk(ctx, path, code)
