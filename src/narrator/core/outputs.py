"""Where narrator may write: every output path is checked before any work is done.

narrator never modifies its input and never loses a user's file. Before a command reads
anything, ``guard_outputs`` refuses, with one line naming the path and why:

* an output that is one of the command's inputs — compared by real path *and* by
  device and inode, so ``./f.yaml``, ``dir/../f.yaml``, symbolic and hard links all count;
* two outputs of one command that are the same file (``--fix x -o x``);
* an output that exists and is not a regular file (a folder, ``/dev/null``, ``/dev/full``,
  a pipe): an atomic write would replace it by a regular file (``-o -`` means stdout);
* an output under a regular file, or in a folder that cannot be written in (missing
  folders of an output path are created, as ``-o`` documents).

``write_output`` then writes through the one atomic writer (``textio.atomic_write``) and
turns what the operating system refuses (a full disk, a read-only place) into the same
kind of one-line error. ``stdout_write`` writes a report to standard output and reports a
full device or a closed pipe as one line too.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path
from typing import Iterable, Sequence

from narrator.core.errors import InputError
from narrator.core.messages import msg
from narrator.core.textio import atomic_write

STDOUT = "-"


class OutputError(InputError):
    """An output narrator must not or cannot write. One line: ``PATH: why``; exit code 2."""


def is_stdout(path) -> bool:
    return path is not None and str(path) == STDOUT


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise OutputError(msg("output.cannot_use", reason=e.strerror), str(path)) from None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return msg("output.kind_folder")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return msg("output.kind_device")
    if stat.S_ISFIFO(mode):
        return msg("output.kind_pipe")
    if stat.S_ISSOCK(mode):
        return msg("output.kind_socket")
    return msg("output.kind_other")


def _real(path: Path) -> str:
    return os.path.realpath(path)


def check_output(path: Path, option: str = "-o") -> os.stat_result | None:
    """Refuse an output that exists and is not a regular file, or whose folder cannot take it.

    Returns the output's stat when it exists (a regular file), else None.
    """
    name = str(path)
    st = _stat(path)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise OutputError(msg("output.names_folder", option=option), name)
            raise OutputError(msg("output.not_regular_file", option=option, kind=_kind(st.st_mode)), name)
        parent = Path(_real(path)).parent
    else:
        parent = Path(os.path.abspath(path)).parent
    # the nearest folder that exists: missing folders below it are created (documented at -o)
    up = parent
    while True:
        try:
            pst = os.stat(up)
            break
        except FileNotFoundError:
            if up == up.parent:
                raise OutputError(msg("output.no_folder", option=option), name) from None
            up = up.parent
        except NotADirectoryError:
            raise OutputError(msg("output.part_is_file", option=option), name) from None
        except OSError as e:
            raise OutputError(msg("output.cannot_use_folder", option=option, folder=up, reason=e.strerror), name) from None
    if not stat.S_ISDIR(pst.st_mode):
        raise OutputError(msg("output.folder_is_file", option=option, folder=up), name)
    if not os.access(up, os.W_OK | os.X_OK):
        raise OutputError(msg("output.no_permission", option=option, folder=up), name)
    return st


def guard_outputs(outputs: Sequence[tuple[str, Path | None]], inputs: Iterable[Path | str | None]) -> None:
    """Check every output of one command against its inputs and each other (see module doc).

    ``outputs``: (option as the user wrote it, path or None); ``-`` (stdout) is always fine.
    ``inputs``: the files the command reads (None entries ignored; missing ones are the
    reader's business).
    """
    ins: list[tuple[Path, str, tuple[int, int] | None]] = []
    for p in inputs:
        if p is None or is_stdout(p):
            continue
        p = Path(p)
        try:
            st = os.stat(p)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            ident = None
        ins.append((p, _real(p), ident))
    seen: list[tuple[str, str, tuple[int, int] | None]] = []
    for option, out in outputs:
        if out is None or is_stdout(out):
            continue
        out = Path(out)
        st = check_output(out, option)
        real = _real(out)
        ident = (st.st_dev, st.st_ino) if st is not None else None
        for p, preal, pident in ins:
            if real == preal or (ident is not None and ident == pident):
                raise OutputError(msg("output.is_input", option=option, input=p), str(out))
        for other, oreal, oident in seen:
            if real == oreal or (ident is not None and ident == oident):
                raise OutputError(msg("output.same_file", option=option, other=other), str(out))
        seen.append((option, real, ident))


def write_output(path: Path, data: str | bytes, option: str = "-o") -> None:
    """Write one output atomically; what the system refuses becomes one line (exit 2)."""
    check_output(Path(path), option)
    try:
        atomic_write(path, data)
    except InputError:
        raise
    except OSError as e:
        raise OutputError(msg("output.cannot_write", reason=e.strerror or e), str(path)) from None


def stdout_write(data: str) -> None:
    """Write text to standard output; a full device or a closed pipe is one line, exit 2."""
    try:
        sys.stdout.write(data)
        if not data.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
    except OSError as e:
        silence_stdout()
        raise OutputError(msg("output.cannot_write", reason=e.strerror or e), "<stdout>") from None


def silence_stdout() -> None:
    """After a failed write to stdout: point it at /dev/null so that the interpreter's last
    flush at exit does not fail again (and print a second, multi-line complaint)."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def is_stream_error(e: OSError) -> bool:
    """An OSError of writing to a standard stream (full device, closed pipe)."""
    return e.filename is None and e.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT)
