"""Property-based fuzzing of the figures loader and the command line (issue 16): random YAML
trees (free-form and mutations of the sample), random bytes and random unicode text end in
success or in narrator's own one-line error (InputError / UsageError, exit 2) — never in any
other exception, which the command line would report as an "internal error".

Two slices, both in-process (no subprocess per case):

* the default run: a few hundred examples (``SHORT`` per test);
* ``python -m pytest -m fuzz tests/cli/test_fuzz_never_a_traceback.py``: the long run,
  ``NARRATOR_FUZZ_EXAMPLES`` examples for the byte and the text test each (default 2,000), a
  quarter of that for the figures trees and a fortieth for the whole-sample CLI cases (they
  cost ~20× and ~130× a byte case); the count and result of the last long run are in
  benchmarks/README.md (``--hypothesis-show-statistics`` prints the count per test).

Cheap by construction: the click command is built once (typer's CliRunner rebuilds it from
the function signatures on every call, ~2/3 of a text case) and YAML is written by libyaml.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from narrator.cli.main import app
from narrator.core.errors import InputError, UsageError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "renshe-2024"
SAMPLE_TREE = yaml.safe_load((SAMPLE / "figures.yaml").read_text(encoding="utf-8"))
SAMPLE_TEXT = (SAMPLE / "narrative.txt").read_text(encoding="utf-8")

SHORT = 60  # per test in the default run (a few hundred examples in all, ~30 s)
LONG = int(os.environ.get("NARRATOR_FUZZ_EXAMPLES", "2000"))
LONG_TREES, LONG_CLI = max(1, LONG // 4), max(1, LONG // 40)
FAST = dict(deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck))

# words the loader knows, so that random trees get past the first checks
WORDS = sorted({k for k in SAMPLE_TREE} | {"合计", "项目支出", "基本支出", "科目编码", "科目名称", "本年收入合计",
                                           "本年支出合计", "年末结转和结余", "上年", "单位", "年度", "金额单位"})

_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**25, max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["1e309", "-0", "0x1F", "1_000", "12.345.6", "１２３", "2024年", "万元", "", " ", "~", "null",
                     "9" * 60, "-5", "1e-30", "3,596.02", "（1.5）"]),
)
_keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
trees = st.recursive(_scalars, lambda kids: st.one_of(st.lists(kids, max_size=5),
                                                      st.dictionaries(_keys, kids, max_size=5)), max_leaves=30)


@st.composite
def mutated_sample(draw):
    """The sample's figures with a few subtrees replaced, removed or retyped."""
    tree = copy.deepcopy(SAMPLE_TREE)
    for _ in range(draw(st.integers(1, 4))):
        node = tree
        parent, key = None, None
        for _depth in range(draw(st.integers(0, 5))):
            if isinstance(node, dict) and node:
                k = draw(st.sampled_from(sorted(node, key=str)))
            elif isinstance(node, list) and node:
                k = draw(st.integers(0, len(node) - 1))
            else:
                break
            parent, key, node = node, k, node[k]
        if parent is None:
            continue
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = draw(trees)
    return tree


_DIR = Path(tempfile.mkdtemp(prefix="narrator-fuzz-"))


def _file(name: str, data: bytes) -> Path:
    p = _DIR / name
    p.write_bytes(data)
    return p


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(tree, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(tree, ensure_ascii=False, default=str).encode("utf-8")
    return yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False).encode("utf-8")


def _loader_and_generate(path: Path) -> None:
    """What generate and validate do in-process: load, audit, render. Only our own errors may escape."""
    from narrator.audit.engine import audit_figures
    from narrator.figures.load import load_figures
    from narrator.render.engine import render

    try:
        fig = load_figures(path)
        audit_figures(fig)
        render(fig, "standard")
    except (InputError, UsageError):
        pass


_runner = CliRunner()
_COMMAND = get_command(app)


def _cli(*args) -> None:
    with mock.patch("typer.testing._get_command", lambda _app: _COMMAND):
        r = _runner.invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"{args}: {type(r.exception).__name__}: {r.exception}") from r.exception
    assert r.exit_code in (0, 1, 2), (args, r.exit_code, r.output[-500:])
    if r.exit_code == 2:
        lines = [ln for ln in (r.stderr if _has_stderr(r) else r.output).splitlines() if ln.startswith("narrator: ")]
        assert lines and all("internal error" not in ln for ln in lines), (args, r.output[-500:])


def _has_stderr(r) -> bool:
    try:
        return bool(r.stderr)
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# the property bodies (shared by the short and the long slice)
# ---------------------------------------------------------------------------------------------
def _yaml_tree(tree, as_json: bool) -> None:
    _loader_and_generate(_file("tree.json" if as_json else "tree.yaml", _dump(tree, as_json)))


def _bytes(data: bytes) -> None:
    _loader_and_generate(_file("bytes.yaml", data))
    _cli("check", _file("bytes.txt", data), "--no-figures")


def _text(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    _loader_and_generate(_file("text.yaml", data))
    _cli("check", _file("text.txt", data), "--no-figures")


def _cli_tree(tree) -> None:
    p = _file("cli.yaml", _dump(tree, False))
    _cli("validate", p)
    _cli("generate", p, "--strict")
    _cli("check", SAMPLE / "narrative.txt", "--figures", p)


_texts = st.one_of(st.text(max_size=400),
                   st.builds(lambda a, b, i: SAMPLE_TEXT[:i] + a + SAMPLE_TEXT[i:][:b],
                             st.text(max_size=60), st.integers(0, 3000), st.integers(0, len(SAMPLE_TEXT))))


# ---------------------------------------------------------------------------------------------
# default slice
# ---------------------------------------------------------------------------------------------
@settings(max_examples=SHORT, **FAST)
@given(st.one_of(trees, mutated_sample()), st.booleans())
def test_random_figures_trees_load_or_fail_with_one_line(tree, as_json):
    _yaml_tree(tree, as_json)


@settings(max_examples=SHORT, **FAST)
@given(st.binary(max_size=600))
def test_random_bytes_load_or_fail_with_one_line(data):
    _bytes(data)


@settings(max_examples=SHORT, **FAST)
@given(_texts)
def test_random_text_loads_or_fails_with_one_line(text):
    _text(text)


@settings(max_examples=8, **FAST)  # ~1 s each: validate and generate of the whole sample
@given(mutated_sample())
def test_the_cli_on_mutated_figures_never_shows_an_internal_error(tree):
    _cli_tree(tree)


# ---------------------------------------------------------------------------------------------
# long run: pytest -m fuzz
# ---------------------------------------------------------------------------------------------
@pytest.mark.fuzz
@settings(max_examples=LONG_TREES, **{**FAST, "derandomize": False})
@given(st.one_of(trees, mutated_sample()), st.booleans())
def test_fuzz_long_figures_trees(tree, as_json):
    _yaml_tree(tree, as_json)


@pytest.mark.fuzz
@settings(max_examples=LONG, **{**FAST, "derandomize": False})
@given(st.binary(max_size=2000))
def test_fuzz_long_bytes(data):
    _bytes(data)


@pytest.mark.fuzz
@settings(max_examples=LONG, **{**FAST, "derandomize": False})
@given(_texts)
def test_fuzz_long_text(text):
    _text(text)


@pytest.mark.fuzz
@settings(max_examples=LONG_CLI, **{**FAST, "derandomize": False})
@given(mutated_sample())
def test_fuzz_long_cli(tree):
    _cli_tree(tree)
