"""Issue 17: every rule's example of a mistake (rules/checks.yaml 错误), checked with and
without the sample's figures, is reported in the tables' words: no dotted data path in a
finding's message, its evidence (formula) or any label of the JSON report."""

from __future__ import annotations

import json
import re

import pytest

from narrator.check.checker import check_text
from narrator.core.catalogue import catalogue

_DOTTED = re.compile(r"[^\W\d_]\.[^\W_]|\d\.[^\W\d_]")   # 收入支出决算总表.收入.总计, not 14351.53
EXAMPLES = {code: r.wrong for code, r in catalogue().items() if r.group == "prose" and r.wrong}


def _strings(tree):
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k in ("message", "formula", "label", "found", "expected"):
                if isinstance(v, str):
                    yield k, v
            yield from _strings(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _strings(v)


def _example_text(code: str) -> str:
    """The example without its one bracketed explanation (（总计含…，应为14351.53万元）)."""
    text = EXAMPLES[code]
    return text.split("（")[0] if text.count("（") == 1 else text


def test_the_examples_give_findings_to_look_at(sample_figures):
    assert len(EXAMPLES) >= 20
    with_findings = [c for c in EXAMPLES if check_text(_example_text(c), "例.txt", sample_figures, "standard").findings]
    assert len(with_findings) >= 10, with_findings


@pytest.mark.parametrize("code", sorted(EXAMPLES))
@pytest.mark.parametrize("with_figures", [True, False], ids=["figures", "self"])
def test_rule_example_findings_have_no_dotted_path(code, with_figures, sample_figures):
    result = check_text(_example_text(code), "例.txt", sample_figures if with_figures else None, "standard")
    for f in result.findings:
        for part in (f.message, f.formula or ""):
            assert not _DOTTED.search(part), (code, f.code, part)
    report = json.loads(json.dumps(result.to_json(), ensure_ascii=False, default=str))
    for key, value in _strings(report):
        assert not _DOTTED.search(value), (code, key, value)
