"""The names narrator recognises by their role (rules/figures-schema.yaml, 结构用语).

Code refers to a name by its role (``WORDS.code`` for 科目编码, ``WORDS.total`` for 合计 …);
how the name is written lives in the rules file, next to the schema that uses it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from narrator.core.resources import rules_dir
from narrator.core.yamlio import load_rule_file


@dataclass(frozen=True)
class StructureWords:
    amount: str
    number: str
    integer: str
    text: str
    date: str
    code_type: str
    free_text: str
    table_type: str
    mapping_type: str
    list_type: str
    same_type: str
    total: str
    total_row: str
    rows: str
    code: str
    name: str
    income: str
    expense: str
    subtotal: str
    grand_total: str
    actual: str
    budget: str
    fiscal_opening: str
    default_code_system: str
    summary_table: str
    income_total: str
    expense_total: str
    dept: str
    year: str
    unit: str
    default_unit: str
    prior_year: str
    opening_budget: str
    opening_budget_amount: str
    performance: str
    project_eval: str
    projects: str
    project_name: str
    indicators: str
    indicator_name: str
    weight: str
    score: str
    notes: str
    project_count: str
    whole: str
    dept_count: str
    spent: str
    rate: str
    exec_weight: str
    exec_score: str
    self_score: str
    funds: str
    re_evaluation: str
    short_name: str
    row_code: str
    row_name: str
    level: str
    class_name: str
    kuan_name: str
    levels: dict
    level_rows: dict
    value_units: dict
    count_unit: str
    class_names: str
    fn_sum: str
    fn_first: str
    fn_abs: str
    all_classes: str
    each_class: str
    all_items: str

    @property
    def leaf_types(self) -> frozenset[str]:
        return frozenset((self.amount, self.number, self.integer, self.text, self.date, self.code_type,
                          self.free_text))


@cache
def structure_words() -> StructureWords:
    """rules/figures-schema.yaml 结构用语; a missing or unknown role is a TypeError naming it."""
    data = dict(load_rule_file(rules_dir() / "figures-schema.yaml")["结构用语"])
    data["levels"] = {int(k): str(v) for k, v in data["levels"].items()}
    data["level_rows"] = {str(k): int(v) for k, v in data["level_rows"].items()}
    return StructureWords(**data)


WORDS = structure_words()


@cache
def final_tables() -> tuple[dict, ...]:
    """rules/决算表.yaml: the nine tables, each {键: name in the figures, 类型: layout, 标题: [titles]}."""
    return tuple(load_rule_file(rules_dir() / "决算表.yaml")["表"])
