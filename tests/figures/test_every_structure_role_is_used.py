"""Every role of rules/figures-schema.yaml 结构用语 is read by code (as ``WORDS.<role>`` or the
``W`` alias): a word that nothing refers to is either dead or still written out in Python."""

from __future__ import annotations

import re
from pathlib import Path

from narrator.figures.names import StructureWords

SRC = Path(__file__).resolve().parents[2] / "src" / "narrator"


def test_every_role_is_referenced_in_src():
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py")) if p.name != "names.py")
    unused = [role for role in StructureWords.__dataclass_fields__
              if not re.search(rf"\b(?:WORDS|W)\.{role}\b", code)]
    assert unused == []


SCHEMA_KINDS = """
    from narrator.figures.model import schema
    out["kinds"] = {name: node.kind for name, node in schema().children.items()}
"""


def test_a_renamed_schema_type_is_the_one_the_schema_is_read_by(tmp_path):
    from rules_copy import run_with_rules

    shipped = run_with_rules(tmp_path / "a", {}, SCHEMA_KINDS)["kinds"]
    assert shipped["收入决算表"] == "table" and shipped["文字说明"] != "table"
    both = run_with_rules(tmp_path / "b", {"figures-schema.yaml": [("  table_type: 科目表", "  table_type: 编码表"),
                                                                   ("类型: 科目表", "类型: 编码表")]}, SCHEMA_KINDS)
    assert both["kinds"] == shipped
    role_only = run_with_rules(tmp_path / "c", {"figures-schema.yaml": [("  table_type: 科目表", "  table_type: 编码表")]},
                               SCHEMA_KINDS)
    assert role_only["kinds"]["收入决算表"] == "map"      # 科目表 is no longer the word for a table
