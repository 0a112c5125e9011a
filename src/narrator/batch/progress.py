"""The progress line on stderr: done, failed, rate and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from narrator.core.messages import msg


# =====================================================================================
# Progress
# =====================================================================================
class Progress:
    """One updating line on a terminal; plain lines (every 5 s or 10 %) otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True, command: str = ""):
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self.done = 0
        self.skipped = 0
        self.failed = 0
        self.command = command
        self._last = 0.0
        self._last_count = 0
        self._step = max(1, total // 10)

    def line(self) -> str:
        el = time.monotonic() - self.start
        worked = self.done - self.skipped
        rate = worked / el if el > 0 else 0.0
        left = self.total - self.done
        eta = _fmt_secs(left / rate) if rate > 0 else ("0:00" if left == 0 else "?")
        extra = []
        if self.skipped:
            extra.append(msg("batch.progress_skipped", count=self.skipped))
        if self.failed:
            extra.append(msg("batch.progress_failed", count=self.failed))
        tail = msg("batch.progress_tail", parts=msg("batch.list_separator").join(extra)) if extra else ""
        return msg("batch.progress", command=command_name(self.command), done=self.done, total=self.total,
                   rate=f"{rate:.1f}", eta=eta, tail=tail)

    def update(self, row: dict) -> None:
        self.done += 1
        if row["status"] == "skipped":
            self.skipped += 1
        elif row["status"] == "failed":
            self.failed += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last >= 0.1 or self.done == self.total:
                self.stream.write("\r\x1b[K" + self.line())
                self.stream.flush()
                self._last = now
        elif now - self._last >= 5 or self.done - self._last_count >= self._step or self.done == self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last = now
            self._last_count = self.done

    def finish(self) -> None:
        if self.enabled and self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()


def command_name(command: str) -> str:
    """generate / check / validate in the reader's words."""
    key = {"generate": "batch.command.generate", "check": "batch.command.check",
           "validate": "batch.command.validate"}.get(command)
    return msg(key) if key else command


def _fmt_secs(s: float) -> str:
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
