"""The names templates use (模板过滤器, 模板函数, 模板变量 in rules/wording.yaml) are the ones
registered: every entry is reachable, an alias added to a copy of the rules works, and a
name pointing at no implementation is an input error."""

from __future__ import annotations

import copy
from pathlib import Path

import jinja2
import pytest

from narrator.core.errors import InputError
from narrator.figures.load import load_figures
from narrator.figures.view import figures_view
from narrator.figures.metrics import load_rules
from narrator.render import engine as R

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "renshe-2024" / "figures.yaml"


def _env() -> jinja2.Environment:
    p = R.load_pack("standard")
    return R._make_environment(p.dirs, p.rules_dir, jinja2.Environment)


@pytest.fixture
def wording_with(monkeypatch):
    def patch(edit):
        w = copy.deepcopy(R.wording())
        edit(w)
        monkeypatch.setattr(R, "wording", lambda: w)
    return patch


def test_every_filter_and_function_name_is_registered_with_its_implementation():
    env = _env()
    for name, impl in R.wording()["模板过滤器"].items():
        assert env.filters[name] is R._FILTERS[impl]
    for name, impl in R.wording()["模板函数"].items():
        assert env.globals[name] is R._GLOBALS[impl]


def test_every_template_variable_is_in_the_context():
    fig = load_figures(SAMPLE)
    ctx = R._context(fig, figures_view(fig), load_rules(None))
    names = R.wording()["模板变量"]
    assert set(names) <= set(ctx)
    assert ctx[next(k for k, v in names.items() if v == "year")] == fig.year
    assert ctx[next(k for k, v in names.items() if v == "last_year")] == fig.year - 1


def test_an_alias_added_to_the_rules_renders(wording_with):
    wording_with(lambda w: (w["模板函数"].__setitem__("中文序号", "cn_number"),
                            w["模板变量"].__setitem__("本年度", "year")))
    env = _env()
    fig = load_figures(SAMPLE)
    ctx = R._context(fig, figures_view(fig), load_rules(None))
    assert env.from_string("{{ 中文序号(12) }}|{{ 本年度 }}").render(ctx) == f"十二|{fig.year}"


def test_a_name_without_implementation_is_an_input_error(wording_with):
    wording_with(lambda w: w["模板过滤器"].__setitem__("万元", "ten_thousands"))
    with pytest.raises(InputError, match="ten_thousands"):
        _env()
