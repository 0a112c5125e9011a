"""Errors that narrator reports to its users as one line, with exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """Unusable input: a file narrator cannot read, parse or validate.

    Rendered as ``file:line: message`` (line omitted when unknown).
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 column: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class UsageError(Exception):
    """Wrong command-line usage (unknown pack, bad option value)."""
