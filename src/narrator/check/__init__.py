"""Check human-written text: extract its numbers, segment it, align it with the draft the
figures give, compare, and check the text against itself."""
