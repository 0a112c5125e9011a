"""The sums the disclosure reader repairs cells with are the audit's own (rules/audit.yaml):
over any set of cells, identities_for_reading gives exactly the equalities the audit builds."""

from __future__ import annotations

import copy
from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.audit import identities_for_reading
from narrator.audit.engine import identities
from narrator.audit.model import audit_rules
from conftest import SAMPLE
from narrator.figures.load import load_figures
from narrator.figures.model import Figures, schema
from narrator.figures.names import WORDS as W
from narrator.sources.disclosure import vocabulary

CODES = [r.code for r in audit_rules() if r.builder in ("row_sum", "equation")]
ROW_SUMS = {r.code for r in audit_rules() if r.builder == "row_sum"}     # 列合计: kept with no part read
SANGONG = "财政拨款“三公”经费支出决算表"


def _number(v) -> bool:
    return isinstance(v, (Decimal, int)) and not isinstance(v, bool)


def _leaves(data: dict) -> list[tuple]:
    """Every number of the figures: (table, 科目, code, column), (table, 合计, column) or a map path."""
    out = []
    for name, node in schema().children.items():
        t = data.get(name)
        if not isinstance(t, dict):
            continue
        if node.kind == "table":
            for col, v in (t.get(W.total) or {}).items():
                if _number(v):
                    out.append((name, W.total, col))
            for row in t.get(W.rows) or []:
                out += [(name, W.rows, row[W.code], c) for c, v in row.items() if _number(v) and c != W.code]
            out += [(name, k) for k, v in t.items() if _number(v)]
        else:
            stack = [((name,), t)]
            while stack:
                p, d = stack.pop()
                for k, v in d.items():
                    if isinstance(v, dict):
                        stack.append((p + (k,), v))
                    elif _number(v):
                        out.append(p + (k,))
    return out


def _without(data: dict, dropped: set[tuple]) -> dict:
    """The figures with the amounts at ``dropped`` removed (a 科目表 column: (table, column))."""
    data = copy.deepcopy(data)
    for p in _leaves(data):
        table = schema().children[p[0]].kind == "table" and p[1] in (W.rows, W.total)
        if p in dropped or (table and (p[0], p[-1]) in dropped):
            d = data[p[0]]
            if table and p[1] == W.rows:
                d = next(r for r in d[W.rows] if r[W.code] == p[2])
            else:
                for k in p[1:-1]:
                    d = d[k]
            del d[p[-1]]
    return data


def _audit_view(figures: Figures, codes) -> Counter:
    ids, _ = identities(figures)
    out = Counter()
    for i in ids:
        if i.code in codes and i.relation == "=" and i.total.given:
            parts = frozenset((c.path, c.sign) for c in i.parts if c.given)
            if parts or i.code in ROW_SUMS:
                out[(i.code, i.total.path, parts)] += 1
    return out


def _reading_view(paths, codes) -> Counter:
    return Counter((i.code, i.lhs[0], frozenset([(p, -1) for p in i.lhs[1:]] + [(p, 1) for p in i.rhs]))
                   for i in identities_for_reading(paths, codes))


def test_on_the_sample_the_reading_identities_are_the_audit_equalities(sample_figures):
    paths = _leaves(sample_figures.data)
    got = _reading_view(paths, CODES)
    assert got == _audit_view(sample_figures, CODES)
    codes = {c for c, _, _ in got}
    # every table sum the reader had in disclosure.yaml is among them
    assert {"T104", "T103", "T111", "T114", "T115", "T122", "T126", "T127", "T131", "T138"} <= codes
    assert len(got) > 100


def _droppable(data: dict) -> list[tuple]:
    keys = set()
    for p in _leaves(data):
        if schema().children[p[0]].kind == "table" and p[1] in (W.rows, W.total):
            keys.add((p[0], p[-1]))
        else:
            keys.add(p)
    return sorted(keys)


SAMPLE_DATA = load_figures(SAMPLE / "figures.yaml").data


@settings(max_examples=25, deadline=None)
@given(dropped=st.sets(st.sampled_from(_droppable(SAMPLE_DATA)), max_size=25))
def test_over_any_cells_found_the_reading_identities_are_the_audit_equalities(dropped):
    tree = _without(SAMPLE_DATA, dropped)
    figures = Figures(tree, source="sample")
    paths = _leaves(tree)
    got = _reading_view(paths, CODES)
    assert got == _audit_view(figures, CODES)
    present = set(paths)
    for _, total, parts in got:
        assert total in present and all(p in present for p, _ in parts)


def test_an_absent_term_is_left_out_and_an_absent_total_drops_the_sum():
    base = [("收入支出决算总表", "收入", x) for x in ("总计", "本年收入合计", "年初结转和结余")]
    t111 = [i for i in identities_for_reading(base, ["T111"])]
    assert [(i.lhs, i.rhs) for i in t111] == [((base[0],), (base[1], base[2]))]
    assert t111[0].description == ("收入支出决算总表：收入 总计 = 收入 本年收入合计 + 收入 使用非财政拨款结余 "
                                   "+ 收入 年初结转和结余")
    assert identities_for_reading(base[1:], ["T111"]) == []


def test_a_row_total_read_without_its_parts_says_they_sum_to_nothing():
    # a reading that lost a table's 基本支出 and 项目支出 columns must not add up
    t = "国有资本经营预算财政拨款支出决算表"
    got = identities_for_reading([(t, W.total, "合计"), (t, W.rows, "223", "合计")], ["T103"])
    assert sorted((i.lhs, i.rhs) for i in got) == [(((t, W.total, "合计"),), ()), (((t, W.rows, "223", "合计"),), ())]
    assert got[0].description.startswith(f"{t} 合计 行：合计 = 基本支出 + 项目支出")


def test_one_of_takes_the_parts_that_were_read():
    with_subtotal = [(SANGONG, "决算数", x) for x in ("合计", "公务用车购置及运行维护费", "公务接待费")]
    parts_only = [(SANGONG, "决算数", x) for x in ("合计", "公务用车购置费", "公务用车运行维护费", "公务接待费")]
    a = next(i for i in identities_for_reading(with_subtotal, ["T138"]) if i.lhs[0][-1] == "合计")
    b = next(i for i in identities_for_reading(parts_only, ["T138"]) if i.lhs[0][-1] == "合计")
    assert set(a.rhs) == {with_subtotal[1], with_subtotal[2]}
    assert set(b.rhs) == {parts_only[1], parts_only[2], parts_only[3]}
    assert "决算数 公务用车购置费 + 决算数 公务用车运行维护费" in b.description and "取其一" not in b.description


def test_each_class_is_named_in_the_description():
    t = "财政拨款收入支出决算总表"
    cols = ("小计", "一般公共预算财政拨款")
    paths = [(t, "支出", "社会保障和就业支出", c) for c in cols]
    [i] = identities_for_reading(paths, ["T126"])
    assert i.description == (f"{t}：支出 社会保障和就业支出 小计 = 支出 社会保障和就业支出 一般公共预算财政拨款 + "
                             "支出 社会保障和就业支出 政府性基金预算财政拨款 + 支出 社会保障和就业支出 国有资本经营预算财政拨款")


def test_the_reader_names_only_audit_equalities():
    kinds = {r.code: r.builder for r in audit_rules()}
    for code in vocabulary()["修补公式"]:
        assert kinds.get(code) in ("row_sum", "equation"), code
