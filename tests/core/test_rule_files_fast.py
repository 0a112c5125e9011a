"""narrator's own rule files are read with libyaml for speed: the values must be those of the
pure-Python parser they were read with before (types included: Decimal, int, bool, dates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from narrator.core.resources import rules_dir
from narrator.core.yamlio import FastLoader, load_rule_file, parse_yaml, parse_yaml_fast

ROOT = Path(__file__).resolve().parents[2]
RULES = sorted(rules_dir().glob("*.yaml"))
PACKS = sorted((ROOT / "templates").rglob("*.yaml"))


def _same(a, b, path="") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} vs {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)[:5]} vs {list(b)[:5]}"
        for k in a:
            d = _same(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _same(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, (Decimal, int, str, bool, float, dt.date, type(None))):
        return None if a == b and str(a) == str(b) else f"{path}: {a!r} vs {b!r}"
    return f"{path}: unexpected {type(a).__name__}"


@pytest.mark.skipif(FastLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("path", RULES + PACKS, ids=lambda p: p.name)
def test_libyaml_reads_every_rule_file_as_the_pure_parser(path):
    text = path.read_text(encoding="utf-8")
    slow = parse_yaml(text, str(path), with_lines=False)
    fast = parse_yaml_fast(text)
    assert fast is not None
    assert _same(slow, fast) is None, _same(slow, fast)
    assert _same(slow, load_rule_file(path)) is None


@pytest.mark.skipif(FastLoader is None, reason="PyYAML without libyaml")
def test_extract_rules_as_before():
    from narrator.check import number_grammar as extract

    text = (rules_dir() / "extract.yaml").read_text(encoding="utf-8")
    before = YAML(typ="safe", pure=True).load(text)     # extract.py read it so (floats as float)
    assert _same(before, extract._load_rules()) is None, _same(before, extract._load_rules())


def _lines(text: str, name: str, fast: bool) -> dict:
    from narrator.figures import model

    saved = model.parse_yaml_fast_lines
    if not fast:
        model.parse_yaml_fast_lines = lambda _t: None       # the ruamel round-trip parse
    try:
        fig = model.Figures(data={}, source=name, _text=text)
        fig._load_lines()
        return fig.lines
    finally:
        model.parse_yaml_fast_lines = saved


FIGURES_FILES = [p for p in sorted((ROOT / "samples").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml"))
                 if "figures" in p.name or p.parent.name in ("figures",)]


@pytest.mark.skipif(FastLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("path", FIGURES_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_figures_lines_from_libyaml_are_ruamels(path):
    """Figures.line_of (audit findings' lines) from libyaml's positions: the same lines."""
    from narrator.core.errors import InputError
    from narrator.figures.load import load_figures

    try:
        load_figures(path)
    except InputError:
        pytest.skip("not a valid figures file")
    text = path.read_text(encoding="utf-8")
    slow = _lines(text, str(path), fast=False)
    assert slow, "no lines read"
    assert _lines(text, str(path), fast=True) == slow


@pytest.mark.skipif(FastLoader is None, reason="PyYAML without libyaml")
def test_figures_lines_of_converted_and_flow_style_figures():
    from narrator.figures.dump import dump_yaml
    from narrator.figures.load import load_figures

    dumped = dump_yaml(load_figures(ROOT / "samples" / "renshe-2024" / "figures.yaml"))
    flow = ("单位: 某局\n年度: 2024\n金额单位: 万元\n"
            "收入支出决算总表:\n  收入: {一般公共预算财政拨款收入: 100.00, 本年收入合计: 100.00}\n"
            "  支出:\n    本年支出合计: 100.00\n")
    for text in (dumped, flow):
        slow = _lines(text, "x.yaml", fast=False)
        assert slow and _lines(text, "x.yaml", fast=True) == slow
