"""The table audit (审核公式) over the figures themselves."""

from narrator.audit.engine import audit_figures, validate_file

__all__ = ["audit_figures", "validate_file"]
