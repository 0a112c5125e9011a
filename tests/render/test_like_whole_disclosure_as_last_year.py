"""--like with a whole disclosure: its 情况说明 is last year's wording, its tables last year's figures.

samples/renshe-2024/disclosure.txt (概况, the nine tables, the 情况说明, 重点工作, 名词解释) is last
year's disclosure of a 2025 whose figures are the sample's moved on a year. Its author wrote
“收、支总计14344.12万元”, which is the 本年收入合计 (its own 收入支出决算总表 gives 总计 14351.53).
"""

import copy
import re

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE
from narrator.cli.main import app
from narrator.figures.dump import dump_yaml, figures_to_tree
from narrator.figures.model import figures_from_tree
from narrator.pipeline import figures_from_document, load_text_or_document

DISCLOSURE = SAMPLE / "disclosure.txt"


@pytest.fixture(scope="module")
def next_year(sample_figures, tmp_path_factory):
    tree = copy.deepcopy(figures_to_tree(sample_figures))
    tree["年度"] = 2025
    path = tmp_path_factory.mktemp("f") / "figures-2025.yaml"
    path.write_text(dump_yaml(figures_from_tree(tree, str(path))), encoding="utf-8")
    return path


def _generate(tmp_path, figures, like, *extra) -> str:
    out = tmp_path / "draft.txt"
    res = CliRunner().invoke(app, ["generate", str(figures), "--like", str(like), "-o", str(out), *extra])
    assert res.exit_code == 0, res.output
    return out.read_text(encoding="utf-8")


def test_only_the_narrative_is_learned(tmp_path, next_year):
    draft = _generate(tmp_path, next_year, DISCLOSURE)
    assert draft.splitlines()[0] == "第三部分 区人社局 2025 年度 部门决算情况说明"
    for elsewhere in ("第一部分", "第二部分", "第四部分", "部门决算表", "名词解释", "稳岗返还资金"):
        assert elsewhere not in draft, elsewhere


def test_its_tables_are_last_years_figures(tmp_path, next_year):
    whole = _generate(tmp_path, next_year, DISCLOSURE)
    assert "收、支总计【待核：原文数字 14344.12万元】" in whole
    # the same 情况说明 alone: nothing contradicts its words, and the draft trusts them
    text = load_text_or_document(DISCLOSURE)
    _tables, _findings, (a, b) = figures_from_document(text, str(DISCLOSURE))
    alone = tmp_path / "narrative.txt"
    alone.write_text(text[a:b], encoding="utf-8")
    draft = _generate(tmp_path, next_year, alone)
    assert "2025年度收、支总计14351.53万元" in draft
    assert len(re.findall("【待核：原文数字", draft)) < len(re.findall("【待核：原文数字", whole))


def test_figures_given_win_over_its_tables(tmp_path, next_year, sample_figures):
    # last year's figures given: a 2024 with 总计 14344.12 makes the author's words true
    tree = copy.deepcopy(figures_to_tree(sample_figures))
    tree["收入支出决算总表"]["收入"]["总计"] = tree["收入支出决算总表"]["收入"]["本年收入合计"]
    last = tmp_path / "figures-2024.yaml"
    last.write_text(dump_yaml(figures_from_tree(tree, str(last))), encoding="utf-8")
    draft = _generate(tmp_path, next_year, DISCLOSURE, "--like-figures", str(last))
    assert "2025年度收、支总计14351.53万元" in draft
