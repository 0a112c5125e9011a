"""Mechanisms every stage shares, with no domain words: exact numbers and values, formula
expressions, errors and findings, per-document caches, text and YAML input/output, where the
shipped rules/ and templates/ live, and the rule catalogue."""
