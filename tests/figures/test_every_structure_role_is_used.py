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
