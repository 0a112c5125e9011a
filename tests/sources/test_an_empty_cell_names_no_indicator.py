"""The 绩效 reader skips empty cells when it looks for 一级指标 and 二级指标 names (most cells
of a ruled table): an empty cell names none, whatever the vocabulary of rules/disclosure.yaml."""

from __future__ import annotations

from narrator.sources.disclosure.performance import _level1, _level2, _perf_vocab


def test_an_empty_cell_names_no_indicator():
    names = _perf_vocab()["一级指标"]
    assert names
    assert _level1("", names) is None and _level2("") is None
    assert _level1(names[0], names) is not None        # (a name itself is one)
