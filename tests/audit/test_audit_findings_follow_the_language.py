"""The table audit's findings are worded through rules/messages.yaml: in English (``--lang en``)
the only Chinese left in a finding's message and formula is official names — of the figures
audited (tables, 科目名称, columns, projects, indicators) or of the rule files that define names
(rules/figures-schema.yaml, rules/科目.yaml). Both languages give the same findings otherwise
(codes, severities, lines, cells, expected values), and the fast enumeration still matches the
reference one in English."""

import copy
import re
from decimal import Decimal

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import ROOT, SAMPLE
from narrator.audit import engine as audit
from narrator.batch.synth import department
from narrator.core import messages as M
from narrator.core.errors import InputError
from narrator.figures.load import load_figures
from narrator.figures.model import figures_from_tree
from test_fast_audit_matches_reference import _leaves, _perturb, _same

D = Decimal
_RUN = re.compile(r"[\u4e00-\u9fff]+")
_NAME_FILES = ("figures-schema.yaml", "科目.yaml")


def _runs(data) -> set[str]:
    if isinstance(data, dict):
        return set().union(*(_runs(k) | _runs(v) for k, v in data.items())) if data else set()
    if isinstance(data, list):
        return set().union(*map(_runs, data)) if data else set()
    return set(_RUN.findall(data)) if isinstance(data, str) else set()


_RULE_NAMES = frozenset().union(*(_runs(yaml.safe_load((ROOT / "rules" / n).read_text(encoding="utf-8")))
                                  for n in _NAME_FILES))


def _in(lang: str, figures):
    M.set_lang(lang)
    try:
        return audit.audit_figures(figures)
    finally:
        M.set_lang(None)


def _unnamed(findings, figures) -> list[tuple[str, str]]:
    """(code, run) for every run of Chinese in a message or formula that is no official name."""
    names = _RULE_NAMES | _runs(figures.data)
    return [(f.code, r) for f in findings for r in _RUN.findall(f.message + (f.formula or ""))
            if r not in names]


def _check_both_languages(figures) -> list:
    zh, en = _in("zh", figures), _in("en", figures)
    assert [(f.code, f.severity, f.line, f.expected, f.extra) for f in en] == \
        [(f.code, f.severity, f.line, f.expected, f.extra) for f in zh]
    assert _unnamed(en, figures) == [], "\n".join(f.render() for f in en)
    # and English it is: every finding's message differs from its Chinese wording
    assert all(e.message != z.message for e, z in zip(en, zh))
    return en


def _figures(tree):
    try:
        return figures_from_tree(tree)
    except InputError:
        assume(False)


def test_the_sample_audited_in_english_quotes_only_names(sample_figures):
    en = _check_both_languages(sample_figures)
    assert {"T101", "T102", "T103", "T157"} <= {f.code for f in en}


@given(st.integers(0, 10**6), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 5),
                                                 st.integers(-10**5, 10**5)), min_size=1, max_size=4))
def test_broken_departments_audited_in_english_quote_only_names(seed, changes):
    """Cells moved, rounded, blanked, negated: errors, infos, one-cell culprits, T201/T202."""
    tree = department(seed, rows=30)
    for pick, op, cents in changes:
        _perturb(tree, pick, op, cents)
    _check_both_languages(_figures(tree))


@given(st.integers(0, 10**6), st.integers(0, 5), st.integers(-10**5, 10**5))
def test_fast_audit_matches_reference_in_english(pick, op, cents):
    tree = department(pick % 1000, rows=25)
    _perturb(tree, pick, op, cents)
    figures = _figures(tree)
    M.set_lang("en")
    try:
        _same(figures)
    finally:
        M.set_lang(None)


def _project(tree, i=0):
    return tree["预算绩效"]["项目自评"]["项目"][i]


# one change to the sample's self-evaluations per 绩效 check (rules/audit.yaml 绩效检查)
PERFORMANCE_CHANGES = {
    "T151": lambda t: _project(t).__setitem__("执行率", D("50")),
    "T151 truncated": lambda t: _project(t, 2).__setitem__("执行率", D("82")),
    "T152": lambda t: _project(t).__setitem__("预算执行得分", D("5")),
    "T153": lambda t: _project(t).__setitem__("自评得分", D("80")),
    "T154": lambda t: _project(t)["指标"][0].__setitem__("得分", D("25")),
    "T155": lambda t: _project(t)["指标"][0].__setitem__("分值", D("15")),
    "T156": lambda t: t["预算绩效"]["项目自评"].__setitem__("项目数", 12),
    "T158": lambda t: t["预算绩效"]["再评价"].__setitem__("自评得分", D("50")),
}


@pytest.mark.parametrize("case", sorted(PERFORMANCE_CHANGES))
def test_performance_findings_in_english_quote_only_names(case):
    tree = copy.deepcopy(load_figures(SAMPLE / "figures.yaml").data)
    PERFORMANCE_CHANGES[case](tree)
    figures = figures_from_tree(tree)
    en = _check_both_languages(figures)
    code = case.split()[0]
    assert code in {f.code for f in en}, [f.render() for f in en]
    if case.endswith("truncated"):
        M.set_lang("en")
        try:
            truncated = M.msg("audit.truncated")
        finally:
            M.set_lang(None)
        assert any(f.code == code and f.severity == "warning" and f.message.endswith(truncated) for f in en)


@given(st.integers(0, 10**6), st.integers(1, 3))
def test_changed_self_evaluations_audited_in_english_quote_only_names(seed, n):
    import random
    rng = random.Random(seed)
    tree = copy.deepcopy(load_figures(SAMPLE / "figures.yaml").data)
    leaves = _leaves(tree["预算绩效"])
    for _ in range(n):
        holder, key = leaves[rng.randrange(len(leaves))]
        v = holder[key]
        holder[key] = v + rng.choice([-1, 1, 3]) if isinstance(v, int) else \
            rng.choice([v + D(rng.randrange(-5000, 5000)) / 100, v / 100, -v, D(101)])
    _check_both_languages(_figures(tree))
