"""The fast figures reader leaves to the YAML library every line holding a character that
library rejects (yaml.reader's NON_PRINTABLE) or reads as a line break or a BOM, and tabs and
carriage returns; checked on every Unicode code point."""

from __future__ import annotations

from yaml.reader import Reader

from narrator.figures.loader_fast import _BAD_CHARS


def test_bad_characters_are_exactly_what_libyaml_rejects_or_breaks_on():
    rejected = Reader.NON_PRINTABLE
    extra = set("\t\r\x85\u2028\u2029\ufeff")
    wrong = [hex(i) for i in range(0x110000)
             if bool(_BAD_CHARS.search(chr(i))) != (chr(i) in extra or bool(rejected.match(chr(i))))]
    assert wrong == []
    assert _BAD_CHARS.search("\n") is None and _BAD_CHARS.search("收入 12.5") is None
