"""The synthetic-department generator takes its words and table layout from rules/synth.yaml."""

import copy
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.audit.engine import audit_figures
from narrator.batch import synth
from narrator.figures.model import figures_from_tree, subjects


def words_in(tree, out=None):
    """Every key and text value in a figures tree."""
    out = set() if out is None else out
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.add(k)
            words_in(v, out)
    elif isinstance(tree, list):
        for x in tree:
            words_in(x, out)
    elif isinstance(tree, str):
        out.add(tree)
    return out


def test_layout_only_uses_names_the_figures_schema_accepts():
    for seed in range(30):
        tree = synth.department(seed)
        fig = figures_from_tree(tree, f"synth{seed}.yaml")
        assert fig.data["单位"] == f"合成部门{seed}"
        assert not [f for f in audit_figures(fig) if f.severity == "error"]


def test_every_word_list_in_synth_yaml_is_used():
    words = synth.synth_words()
    seen: set = set()
    for seed in range(150):
        seen |= words_in(synth.department(seed))
    names = " ".join(str(x) for x in seen)
    for w in words["款名用词"]:
        assert w in names, w
    econ = {str(k): v for k, v in subjects()["经济分类科目名"].items()}
    groups = subjects()["基本支出分组"]
    for group_name, group in words["基本支出明细"].items():
        assert subjects()["分组合计"].format(组=group_name) in seen
        for cls, items in group["类"].items():
            assert str(cls) in groups[group_name]     # the classes of the group in rules/科目.yaml
            assert econ[str(cls)] in seen
            for item in items:
                assert str(item).startswith(str(cls)) and econ[str(item)] in seen, item
    for name in [*words["三公经费"]["费用"], words["三公经费"]["用车小计"], *words["政府采购品目"], *words["车辆"]]:
        assert name in seen, name


def test_changed_words_in_rules_change_the_department(monkeypatch):
    words = copy.deepcopy(synth.synth_words())
    words["单位名"] = "试验局{seed}"
    words["款名用词"] = ["改名事务"]
    words["三公经费"]["费用"] = {"境外考察费" if k == "因公出国（境）费" else k: v
                               for k, v in words["三公经费"]["费用"].items()}
    words["政府采购品目"]["服务"]["上限"] = 0
    monkeypatch.setattr(synth, "synth_words", lambda: words)
    trees = [synth.department(seed) for seed in range(60)]
    assert trees[7]["单位"] == "试验局7"
    names = {r["科目名称"] for t in trees for r in t["支出决算表"]["科目"] if len(r["科目编码"]) == 7}
    assert names and all(n.startswith("改名事务") for n in names)
    actual = [t["财政拨款“三公”经费支出决算表"]["决算数"] for t in trees if "财政拨款“三公”经费支出决算表" in t]
    assert any("境外考察费" in a for a in actual)
    assert not any("因公出国（境）费" in a for a in actual)
    assert not any("服务" in t.get("政府采购", {}) for t in trees)


def test_fill_layout_drops_optional_keys_and_absent_maps():
    layout = {"甲": "$a", "乙?": "$b", "丙?": {"丁": "$b", "戊": "$a"}, "$spread": {"小计": "$值"},
              "行": {"每行": "$rows", "为": {"名": "$n", "数?": "$v"}}}
    values = {"a": Decimal("1.00"), "b": None, "spread": {"X": 2, "Y": 3},
              "rows": [{"n": "p", "v": 1}, {"n": "q", "v": None}]}
    assert synth.fill_layout(layout, values) == {
        "甲": Decimal("1.00"), "X": {"小计": 2}, "Y": {"小计": 3},
        "行": [{"名": "p", "数": 1}, {"名": "q"}]}
    assert synth.fill_layout({"必?": {"要": "$b"}}, values) == {}
    assert synth.fill_layout({"行?": {"每行": "$b", "为": {}}}, values) == {}


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.one_of(st.none(), st.integers(min_value=1, max_value=60)))
def test_every_synthetic_department_adds_up(seed, rows):
    fig = figures_from_tree(synth.department(seed, rows), "synth.yaml")
    assert not [f for f in audit_figures(fig) if f.severity == "error"]
