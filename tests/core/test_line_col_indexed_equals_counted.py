"""line_col looks lines up in an index of line starts above a size (a whole disclosure's
~600 table cells each given their line): the same line and column as counting newlines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.core import findings
from narrator.core.findings import line_col


def counted(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab\n\r\t 一。", max_size=60), min_size=1, max_size=120), st.data())
def test_indexed_line_col_equals_counting(pieces, data):
    text = "x" * findings._INDEX_ABOVE + "".join(pieces)      # above the size: the index is used
    offsets = data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=20))
    for off in offsets:
        assert line_col(text, off) == counted(text, off)
    other = text + "\n"                                       # another text: its own index
    assert line_col(other, len(other)) == counted(other, len(other))
    assert line_col(text, len(text)) == counted(text, len(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab\n\r\t 一。", max_size=60), min_size=1, max_size=120), st.data(),
       st.booleans())
def test_line_of_is_line_col_line(pieces, data, large):
    text = ("x" * findings._INDEX_ABOVE if large else "") + "".join(pieces)
    line = findings.line_of(text)
    for off in data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=30)):
        assert line(off) == counted(text, off)[0] == line_col(text, off)[0]
