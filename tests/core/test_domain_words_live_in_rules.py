"""A ratchet on the Chinese string literals in src/narrator: domain words live in rules/, and code
refers to them by role (figures.names.WORDS, the rule loaders). Counted by the rule of
benchmarks/cjk_literals.py (non-docstring str constants holding a CJK ideograph)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the count after the audit's findings moved to rules/messages.yaml (847, issue 17) + 25; lower it when you remove words
CEILING = 872


def _counter():
    spec = importlib.util.spec_from_file_location("cjk_literals", ROOT / "benchmarks" / "cjk_literals.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.count


def test_chinese_literals_in_src_stay_under_the_ceiling():
    counts = _counter()(ROOT / "src" / "narrator")
    total = sum(counts.values())
    worst = ", ".join(f"{name} {n}" for name, n in counts.most_common(5))
    assert total <= CEILING, (
        f"{total} Chinese string literals in src/narrator (ceiling {CEILING}; most in {worst}). "
        "Put new domain words in rules/ (a role in rules/figures-schema.yaml 结构用语 read through "
        "figures.names.WORDS, or the rules file of the stage) and refer to them by role; messages go to "
        "rules/messages.yaml. See CONTRIBUTING.md, 'Where to add …'.")


def test_the_counter_counts_literals_not_docstrings_nor_comments(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "m.py").write_text(
        '"""模块说明"""\n'
        "# 注释\n"
        "def f(x):\n"
        '    """函数说明"""\n'
        '    return x.get("合计"), f"{x}之和", "total"\n', encoding="utf-8")
    counts = _counter()(pkg)
    assert sum(counts.values()) == 2
