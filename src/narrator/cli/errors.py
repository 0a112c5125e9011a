"""The last line of defence of the command line: whatever goes wrong ends in one line on
stderr and a defined exit code, never a traceback (unless ``--debug``).

* narrator's own errors (unusable input, usage, an output it must not write): the command
  already printed ``narrator: error: FILE:LINE: …`` and exits 2;
* the operating system refusing a file (``FILE: strerror``) or standard output failing
  (a full device, a closed pipe): one line, exit 2;
* input so large or deep that Python gives up (RecursionError, MemoryError, an integer
  too long to convert): one line, exit 2;
* anything else is a bug: ``narrator: internal error: … (please report; --debug shows the
  traceback)``, exit 2 (exit 1 stays "errors found");
* Ctrl-C or SIGTERM: ``narrator: interrupted``, exit 130.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from typing import Callable

from narrator.core.errors import InputError, UsageError
from narrator.core.outputs import is_stream_error, silence_stdout

INTERNAL_HINT = "please report; --debug shows the traceback"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def describe(e: BaseException) -> str:
    """The one line for an exception that reached the top."""
    if isinstance(e, UsageError):
        return f"narrator: {_one_line(e)}"
    if isinstance(e, InputError):
        return f"narrator: error: {_one_line(e)}"
    if isinstance(e, OSError):
        if is_stream_error(e):
            return f"narrator: error: <stdout>: cannot write: {e.strerror or e}"
        name = e.filename if e.filename is not None else "<output>"
        return f"narrator: error: {name}: {e.strerror or _one_line(e)}"
    if isinstance(e, RecursionError):
        return "narrator: error: input nested too deeply to read"
    if isinstance(e, MemoryError):
        return "narrator: error: out of memory (input too large?)"
    return f"narrator: internal error: {type(e).__name__}: {_one_line(e, 200)} ({INTERNAL_HINT})"


def _sigterm(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt


def run_guarded(call: Callable[[], object], debug: bool = False) -> None:
    """Run the command line; map every way out to one line and an exit code (see module doc)."""
    try:
        signal.signal(signal.SIGTERM, _sigterm)  # SIGTERM is handled like Ctrl-C
    except (ValueError, OSError):  # not the main thread
        pass
    code = 0
    try:
        call()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except KeyboardInterrupt:
        _say("narrator: interrupted")
        code = 130
    except BaseException as e:  # noqa: BLE001 - the one place that turns a failure into one line
        if debug:
            traceback.print_exc()
        _say(describe(e))
        if isinstance(e, OSError) and is_stream_error(e):
            silence_stdout()
        code = 2
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as e:
        if isinstance(e, OSError):
            _say(describe(e))
            code = code or 2
        silence_stdout()
    sys.exit(code)
