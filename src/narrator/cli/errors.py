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
import re
import signal
import sys
import traceback
from typing import Callable

from narrator.core.errors import InputError, UsageError
from narrator.core.messages import msg
from narrator.core.outputs import is_stream_error, silence_stdout


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
        return msg("cli.usage", message=_one_line(e))
    if isinstance(e, InputError):
        return msg("cli.error", message=_one_line(e))
    if isinstance(e, OSError):
        if is_stream_error(e):
            return msg("cli.error", message=msg("cli.cannot_write_stdout", reason=e.strerror or e))
        name = e.filename if e.filename is not None else "<output>"
        return msg("cli.error", message=f"{name}: {e.strerror or _one_line(e)}")
    if isinstance(e, RecursionError):
        return msg("cli.error", message=msg("cli.too_deep"))
    if isinstance(e, MemoryError):
        return msg("cli.error", message=msg("cli.out_of_memory"))
    return msg("cli.internal_error", kind=type(e).__name__, detail=_one_line(e, 200))


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
        _say(msg("cli.interrupted"))
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


# -------------------------------------------------------------------------------------
# click's usage errors ("Missing argument", "No such option" …) in the reader's language
# -------------------------------------------------------------------------------------
_EXTRA = re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$")
_NO_COMMAND = re.compile(r"^No such command '(.*)'\.?$")
_NOT_ONE_OF = re.compile(r"^'(.*)' is not one of (.*?)\.?$")


def _param_name(param) -> tuple[str, bool]:
    """How the user writes a parameter (--figures, or TEXT for an argument), and whether it is an option."""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts:
        return opts[0], True
    return (param.name.upper() if param is not None and param.name else "?"), False


def usage_message(e, command: str) -> str:
    """One line for a click usage error (without the ``narrator:`` prefix)."""
    ce = _click_exceptions()
    param = getattr(e, "param", None)
    name, is_option = _param_name(param)
    if isinstance(e, ce.MissingParameter):
        key = "usage.missing_option" if is_option else "usage.missing_argument"
        return msg(key, name=name, command=command)
    if isinstance(e, ce.NoSuchOption):
        hint = msg("usage.did_you_mean", names="、".join(sorted(e.possibilities))) if e.possibilities else ""
        return msg("usage.no_such_option", name=e.option_name, hint=hint, command=command)
    if isinstance(e, ce.BadOptionUsage) and "requires an argument" in e.message:
        return msg("usage.option_needs_value", name=e.option_name, command=command)
    if isinstance(e, ce.BadParameter):
        m = _NOT_ONE_OF.match(e.message)
        if m:
            choices = m.group(2).replace("'", "")
            return msg("usage.bad_value", name=name, value=m.group(1), command=command,
                       hint=msg("usage.choices", choices=choices))
        return msg("usage.other", detail=e.format_message(), command=command)
    text = e.format_message()
    if m := _EXTRA.match(text):
        return msg("usage.extra_arguments", args=m.group(1), command=command)
    if m := _NO_COMMAND.match(text):
        return msg("usage.no_such_command", name=m.group(1), command=command)
    return msg("usage.other", detail=text, command=command)


def _show_usage_error(self, file=None) -> None:
    command = self.ctx.command_path if getattr(self, "ctx", None) is not None else "narrator"
    line = msg("cli.usage", message=usage_message(self, command))
    try:
        (file or sys.stderr).write(line + "\n")
    except (OSError, ValueError):
        pass


def _click_exceptions():
    """click's exceptions module: vendored inside typer since 0.28, the click package before."""
    try:
        from typer._click import exceptions
    except ImportError:
        from click import exceptions
    return exceptions


def install_usage_messages() -> None:
    """Make click's usage errors one line in narrator's words (rules/messages.yaml)."""
    _click_exceptions().UsageError.show = _show_usage_error
