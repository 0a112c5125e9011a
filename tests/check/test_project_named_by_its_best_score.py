"""grounding.Projects.named picks a 绩效 project by the best name score, with a clear margin.

It keeps the two best (score, index) pairs in one pass; the rule is the one of sorting all
pairs best first: the best's score at least 项目名称相似度 (rules/claims.yaml) and 0.2 above
the second's. Names of Latin letters have no droppable word (项目名称可略词), so the label's
core is the label itself and the rule can be written out here.
"""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from narrator.check.claims import vocabulary
from narrator.check.grounding import Projects

_NAMES = st.text(alphabet="abc", min_size=0, max_size=7)


def _pairs(s: str) -> frozenset:
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def _rule(label: str, projects: list[dict]):
    if len(label) < 3 or not projects:
        return None
    b = _pairs(label)
    scored = []
    for i, p in enumerate(projects):
        names = [_pairs(str(p[k])) for k in ("项目名称", "简称") if p.get(k)]
        scored.append((max((2 * len(b & n) / (len(b) + len(n)) if b and n else 0.0 for n in names), default=0.0), i))
    scored.sort(reverse=True)
    best, i = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    return i if best >= float(vocabulary()["项目名称相似度"]) and best - second >= 0.2 else None


@settings(max_examples=300, deadline=None)
@given(names=st.lists(st.tuples(_NAMES, _NAMES), max_size=6), label=_NAMES)
def test_named_is_the_best_score_by_a_margin(names, label):
    projects = [{"项目名称": n, "简称": s, "执行数": Decimal(1)} for n, s in names]
    data = {"预算绩效": {"项目自评": {"项目": projects}}}
    assert Projects(data).named(label) == _rule(label, projects)


def test_a_clear_name_is_found_and_a_tie_is_not():
    data = {"预算绩效": {"项目自评": {"项目": [{"项目名称": "abcdeab"}, {"项目名称": "edcba"}]}}}
    assert Projects(data).named("abcdeab") == 0
    tie = {"预算绩效": {"项目自评": {"项目": [{"项目名称": "abcde"}, {"项目名称": "abcde"}]}}}
    assert Projects(tie).named("abcde") is None
    # the runner-up after the best (8/9 against 1): too close, whichever comes first
    close = [{"项目名称": "abcdea"}, {"项目名称": "abcde"}]
    assert Projects({"预算绩效": {"项目自评": {"项目": close}}}).named("abcdea") is None
    assert Projects({"预算绩效": {"项目自评": {"项目": close[::-1]}}}).named("abcdea") is None
