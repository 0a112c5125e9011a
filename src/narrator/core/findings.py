"""A finding: one thing a person should look at, with where, what, what instead and why."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial

from narrator.core.messages import msg, severity_label

SEVERITIES = ("error", "warning", "info")


@dataclass(slots=True)
class Finding:
    code: str                 # stable rule code, e.g. "N101"
    name: str                 # rule name, e.g. "share-mismatch"
    severity: str             # error | warning | info
    message: str              # one line a person can act on
    file: str | None = None
    line: int | None = None   # 1-based
    column: int | None = None  # 1-based
    start: int | None = None  # 0-based char offset into the decoded text, end exclusive
    end: int | None = None
    found: str | None = None
    expected: str | None = None
    formula: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        d.pop("file")
        if extra:
            d["extra"] = extra
        return d

    def location(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def render(self, width: int | None = None) -> str:
        """One line; with ``width``, a line longer than that (its location aside, so that the
        layout does not depend on the file's name) keeps the formula (each of its
        parts, separated by join.semicolon: ``；``, in English ``; ``) on indented lines below."""
        text = f"{self.location()}: {self.code} [{severity_label(self.severity)}] {self.message}"
        if self.found is not None or self.expected is not None:
            text += f" ({self.found} → {self.expected})"
        if self.formula:
            if width is not None and len(text) - len(self.location()) + len(self.formula) + 4 > width:
                return text + "".join(f"\n    {part}" for part in self.formula.split(msg("join.semicolon")))
            text += f"  [{self.formula}]"
        return text


# Above this many characters line_col looks lines up in an index of the text's line starts,
# built once per text: counting newlines from the start for every finding made ``check``
# quadratic on large texts (a finding per sentence × the text before it); a whole disclosure
# (~30 k characters, ~600 table cells given their line) already pays for the index.
_INDEX_ABOVE = 2_048
_index: tuple[str, list[int]] | None = None  # (the last large text, its line starts)


def _line_starts(text: str) -> list[int]:
    global _index
    if _index is not None and _index[0] is text:
        return _index[1]
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    _index = (text, starts)
    return starts


def line_of(text: str) -> Callable[[int], int]:
    """The 1-based line of an offset of ``text`` (``line_col(text, offset)[0]``), for a caller
    that asks for hundreds: one index, a bisection per offset."""
    return partial(bisect_right, _line_starts(text))


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a 0-based character offset."""
    if len(text) <= _INDEX_ABOVE:
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return line, col
    starts = _line_starts(text)
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1
