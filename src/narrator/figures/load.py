"""load_figures: the one loader. A figures file (YAML or JSON; UTF-8 ± BOM, GB18030/GBK,
UTF-16) through the fast reader where it applies, else the reference parser; a workbook
through narrator.sources.workbook."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from narrator.core import fast
from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.limits import check_file_size, check_number_text, check_yaml_shape, needs_shape_check
from narrator.core.textio import decode_bytes, read_input_bytes
from narrator.core.yamlio import parse_yaml, parse_yaml_fast
from narrator.figures.loader_fast import read_subset
from narrator.figures.model import Figures, _fast_figures, figures_from_tree


def _parse_json_fast(text: str):
    """JSON straight into Decimals; None on any problem (the YAML path then reports it with its line)."""
    import json

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise ValueError("duplicate key")
            out[k] = v
        return out

    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None


def load_figures(path: str | Path) -> Figures:
    """Read a figures file (YAML or JSON; UTF-8 ± BOM, GB18030/GBK, UTF-16)."""
    name = str(path)
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from narrator.sources.workbook.read import read_workbook

        return read_workbook(p)
    check_file_size(p)
    data = read_input_bytes(p, name)
    text, _enc = decode_bytes(data, name)
    text = text.lstrip("\ufeff")
    check_number_text(text, name)
    shape_checked = needs_shape_check(text)
    if shape_checked:  # aliases, or deep nesting: refused before any parser builds it
        check_yaml_shape(text, name)
    usual_rows = None
    if not fast.ENABLED:  # the reference: libyaml-free parse_yaml, schema validation below
        tree = None
    elif p.suffix.lower() == ".json":
        tree = _parse_json_fast(text)
    else:  # the plain subset first (the same tree as libyaml's, faster), else libyaml
        read = read_subset(text)
        if read is None:
            tree = parse_yaml_fast(text)
        else:
            tree, usual_rows = read
    if tree is not None and isinstance(tree, dict):
        fig = _fast_figures(tree, name, usual_rows)
        if fig is None:
            try:
                fig = figures_from_tree(tree, name)
            except InputError:
                fig = None  # report it from the slow path, which knows the line
        if fig is not None:
            fig._text = text
            return fig
    if not shape_checked:
        check_yaml_shape(text, name)
    tree = parse_yaml(text, name)
    fig = figures_from_tree(tree, name)
    fig._text = None  # lines are already exact
    return fig
