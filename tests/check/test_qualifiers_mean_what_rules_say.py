"""Every qualifier the extractor recognises (约, 以上, 及以上, 不足 …) has its meaning in
rules/extract.yaml, and a qualified number is checked by that meaning."""

import re

import pytest

from narrator.check import check_text
from narrator.check.compare import ABOUT, AT_LEAST, BELOW, meaning
from narrator.check.extract import extract
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file


def _recognised() -> set[str]:
    q = load_rule_file(rules_dir() / "extract.yaml")["qualifiers"]
    prefix = {re.sub(r"\(\?<!\[[^\]]*\]\)", "", alt) for alt in q["prefix_re"].split("|")}
    return prefix | set(q["infix"]) | set(q["suffix"])


def test_every_recognised_qualifier_has_a_meaning():
    assert {w for w in _recognised() if meaning(w) is None} == set()


@pytest.mark.parametrize("written,kind", [("约79%", ABOUT), ("79%左右", ABOUT), ("79%以上", AT_LEAST),
                                          ("79%及以上", AT_LEAST), ("超过79%", AT_LEAST), ("不足79%", BELOW)])
def test_the_extractor_and_the_rules_agree(written, kind):
    (m,) = [m for m in extract("占本年收入" + written) if m.kind == "percent"]
    assert meaning(m.qualifier) == kind


LEAD = "本年收入合计14344.12万元，其中：财政拨款收入11301.20万元，占本年收入{}；其他收入3042.92万元，占21.21%。"


@pytest.mark.parametrize("written,wrong", [
    ("79%及以上", True),    # 78.79% is not 79% or more
    ("79%以上", True),
    ("超过78%", False),
    ("约79%", False),      # about: one unit of the last place either way
    ("78%左右", False),    # 78.79 is within one unit of 78
    ("77%左右", True),
    ("不足79%", False),
    ("不足78%", True),
])
def test_a_qualified_share_is_checked_by_its_meaning(written, wrong):
    errors = [f for f in check_text(LEAD.format(written), "t").findings if f.severity == "error"]
    assert bool(errors) == wrong, [f.render() for f in errors]
