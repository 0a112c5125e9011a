"""The words of the formula language (求和, 取其一, 绝对值 and the audit paths' 各类, 每类, 各项) live
in rules/figures-schema.yaml 结构用语: each is used by the rule files, and a word renamed there
(and in the formulas) gives the same audit, while formulas still using the old word are refused."""

from conftest import ROOT, SAMPLE
from rules_copy import run_with_rules
from narrator.core.yamlio import load_rule_file
from narrator.figures.names import WORDS

FORMULA_ROLES = ("fn_sum", "fn_first", "fn_abs", "all_classes", "each_class", "all_items")


def test_every_formula_word_is_used_by_a_rule_file_or_offered_to_metrics():
    text = "".join((ROOT / "rules" / name).read_text(encoding="utf-8") for name in ("audit.yaml", "metrics.yaml"))
    code = "\n".join(line.split("#")[0] for line in text.splitlines())      # comments aside
    for role in FORMULA_ROLES:
        assert getattr(WORDS, role) in code or role == "fn_abs", role
    assert set(FORMULA_ROLES) <= set(load_rule_file(ROOT / "rules" / "figures-schema.yaml")["结构用语"])


METRIC_WITH_ABS = """
    from narrator.core.errors import InputError
    from narrator.figures.metrics import RuleSet
    for formula in ("绝对值(1 - 3)", "取绝对值(1 - 3)"):
        try:
            RuleSet({"指标": {"差": formula}})
            out[formula] = "ok"
        except InputError as e:
            out[formula] = str(e)
"""


def test_the_metric_functions_are_the_words_of_the_rules(tmp_path):
    shipped = run_with_rules(tmp_path / "a", {}, METRIC_WITH_ABS)
    assert shipped["绝对值(1 - 3)"] == "ok" and "取绝对值" in shipped["取绝对值(1 - 3)"]
    renamed = run_with_rules(tmp_path / "b", {"figures-schema.yaml": [("  fn_abs: 绝对值", "  fn_abs: 取绝对值")]},
                             METRIC_WITH_ABS)
    assert renamed["取绝对值(1 - 3)"] == "ok" and "绝对值" in renamed["绝对值(1 - 3)"]


AUDIT_SAMPLE = f"""
    from narrator.audit.engine import identities
    from narrator.figures.load import load_figures
    try:
        ids, _ = identities(load_figures({str(SAMPLE / "figures.yaml")!r}))
        out["ids"] = sorted((i.code, repr(i.total.path)) for i in ids)
    except Exception as e:
        out["error"] = type(e).__name__ + ": " + str(e)
"""


def test_a_renamed_wildcard_gives_the_same_audit(tmp_path):
    shipped = run_with_rules(tmp_path / "a", {}, AUDIT_SAMPLE)
    renamed = run_with_rules(tmp_path / "b", {
        "figures-schema.yaml": [("  each_class: 每类", "  each_class: 逐类"), ("  all_classes: 各类", "  all_classes: 诸类")],
        "audit.yaml": [(".每类", ".逐类"), (".各类", ".诸类")],
    }, AUDIT_SAMPLE)
    assert renamed == shipped and len(shipped["ids"]) > 100


def test_formulas_with_a_word_no_longer_in_the_rules_are_refused(tmp_path):
    out = run_with_rules(tmp_path, {"figures-schema.yaml": [("  each_class: 每类", "  each_class: 逐类")]}, AUDIT_SAMPLE)
    assert out["error"].startswith("AuditRuleError") and "每类" in out["error"]
