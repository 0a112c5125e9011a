"""The disclosure reader takes the audit's 列合计 sums as cells only (kinds._row_sum_cells, no
message words): the same totals and parts, in the same order, as the identities the audit
builds (kinds._kind_row_sum), on the sample's tables and on random parts of them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.audit.identities_for_reading import _figures_of
from narrator.audit.kinds import _kind_row_sum, _row_sum_cells
from narrator.audit.model import _Ctx, audit_rules
from narrator.sources.disclosure import parse_tables
from narrator.sources.disclosure.repair import vocabulary

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "samples" / "renshe-2024" / "disclosure.txt").read_text(encoding="utf-8")
_where: dict = {}
parse_tables(TEXT, "sample", _where)
PATHS = sorted((p for p in _where if len(p) > 2), key=repr)
RULES = [r for r in audit_rules() if r.builder == "row_sum" and r.code in vocabulary()["修补公式"]]


def _cells(c):
    return c.path, c.value, c.sign


def _both(paths):
    ctx = _Ctx(_figures_of(paths))
    for rule in RULES:
        full = [(_cells(i.total), [_cells(p) for p in i.parts]) for i in _kind_row_sum(ctx, rule)]
        lean = [(_cells(t), [_cells(p) for p in parts]) for t, parts in _row_sum_cells(ctx, rule)]
        yield full, lean


def test_the_samples_tables():
    pairs = list(_both(PATHS))
    assert sum(len(full) for full, _ in pairs) > 50
    assert all(full == lean for full, lean in pairs)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(PATHS), max_size=200))
def test_random_parts_of_the_tables(paths):
    for full, lean in _both(sorted(paths, key=repr)):
        assert full == lean
