"""Check human-written text: extract its numbers, segment it, align it with the draft the
figures give, compare, and check the text against itself."""

from narrator.check.checker import check_text

__all__ = ["check_text"]
