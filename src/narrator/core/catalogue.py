"""The rule catalogue (rules/checks.yaml): stable codes, names, severities, documentation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from narrator.core.messages import lang
from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    severity: str
    message: str
    doc: str
    wrong: str
    right: str
    group: str


def catalogue() -> dict[str, RuleDoc]:
    """The rules, their one-line 说明 in the messages' language (English: the rule's name)."""
    return _catalogue(lang())


@cache
def _catalogue(language: str) -> dict[str, RuleDoc]:
    out: dict[str, RuleDoc] = {}
    for fname, group in (("checks.yaml", "prose"), ("audit.yaml", "tables")):
        path = rules_dir() / fname
        if not path.is_file():
            continue
        data = load_rule_file(path)
        for code, spec in (data.get("规则") if "规则" in data else data).items():
            message = spec["说明"] if language == "zh" else str(spec["名称"]).replace("-", " ")
            out[str(code)] = RuleDoc(str(code), spec["名称"], spec["级别"], message, spec.get("文档", ""),
                                     spec.get("错误", ""), spec.get("正确", ""),
                                     "tables" if str(code).startswith("T") else group)
    return out


def rule(code: str) -> RuleDoc:
    return catalogue()[code]
