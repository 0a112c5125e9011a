"""narrator: rule-based 部门决算情况说明 generator and numeric consistency checker."""

__version__ = "0.1.0"
