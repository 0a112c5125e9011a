"""generate --like on real pairs (benchmarks/like_corpus.py, on copies of the corpus pairs).

Last year's published text, this year's figures made from this year's text: no silently
wrong number, no number without support, no check error, and at least 80% of this year's
numbers reproduced at the places last year's wording has; with the sections last year's text
lacks added from the standard pack (comparing with last year as the earlier texts do), at least
80% of all of this year's numbers.
"""

import importlib.util
import sys

import pytest

from conftest import ROOT

CORPUS = ROOT / "tests" / "fixtures" / "like" / "corpus"


@pytest.fixture(scope="module")
def like_corpus():
    spec = importlib.util.spec_from_file_location("like_corpus", ROOT / "benchmarks" / "like_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["like_corpus"] = module         # (its dataclass looks itself up there)
    spec.loader.exec_module(module)
    yield module
    del sys.modules["like_corpus"]


@pytest.mark.parametrize("earlier, later", [("03", "30"), ("04", "29")])
def test_a_pair(like_corpus, earlier, later):
    files = {p.name[:2]: p for p in CORPUS.glob("*.txt")}
    c = like_corpus.score_pair(files[earlier], files[later])
    assert c["wrong"] == 0 and c["unsupported"] == 0 and c["check errors"] == 0, c
    placed = c["reproduced"] + c["rounded"] + c["marked"] + c["wrong"]
    assert placed >= 20 and c["reproduced"] / placed >= 0.8, c
    # the standard sections added where the earlier text has none give most of the rest: both
    # earlier texts compare with last year, so the added 科目 lines print their changes and rates
    # too, the totals they state gain the comparison the later texts print, and the added 政府采购
    # section lists zero categories as both departments write zeros (80.8% and 84.1% of all
    # numbers, benchmarks/README.md)
    assert c["new"] >= 20, c
    assert (c["reproduced"] + c["new"]) / (placed + c["absent"]) >= 0.8, c
