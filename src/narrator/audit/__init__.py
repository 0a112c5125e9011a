"""The table audit (审核公式) over the figures themselves."""

from narrator.audit.engine import audit_figures, validate_file
from narrator.audit.identities_for_reading import ReadingIdentity, identities_for_reading

__all__ = ["ReadingIdentity", "audit_figures", "identities_for_reading", "validate_file"]
