"""narrator's cache folder on disk, for what a short command would otherwise rebuild in every
process: the compiled templates (render/bytecode.py), the parsed rule files (core/yamlio.py) and
the code of the metric formulas (figures/metrics.py).

Where: ``$NARRATOR_CACHE_DIR`` (``off`` turns the cache off), else ``$XDG_CACHE_HOME/narrator``,
else ``~/.cache/narrator``. Every use degrades to no cache: a folder that cannot be made, an entry
that cannot be read or written, a corrupt entry — the value is then computed as without a cache.
Each kind of entry keeps at most ``MAX_ENTRIES``: a new entry beyond them removes the oldest
written (:func:`prune`), so that packs learned for many departments, or a new version of narrator,
do not fill the disk."""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import re
import sys
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")


def cache_dir() -> Path | None:
    given = os.environ.get("NARRATOR_CACHE_DIR")
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "no") else Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "narrator"


def content_key(data: bytes, salt: str) -> str:
    """A key for what was computed from ``data``: its content (a file's times can repeat
    within a clock tick, its content cannot) and ``salt``, what else shapes the result."""
    return hashlib.sha1(data + b"\0" + salt.encode("utf-8", "surrogateescape")).hexdigest()


def pickled(kind: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, remembered on disk under ``kind/key``."""
    d = cache_dir()
    if d is None:
        return compute()
    entry = d / kind / f"{key}.pickle"
    try:
        return pickle.loads(entry.read_bytes())
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: compute it again
        pass
    value = compute()
    _write(entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


# what marshal's format (and a code object's bytecode) depends on
MARSHAL_SALT = f"{sys.version}|{sys.implementation.cache_tag}|{marshal.version}"


def marshalled(kind: str, key: str, compute: Callable[[], T], valid: Callable[[T], bool]) -> T:
    """``compute()``, remembered on disk under ``kind/key`` with marshal (code objects, which
    pickle cannot keep). ``key`` must include ``MARSHAL_SALT``. An entry is used only if its
    checksum matches (a changed byte could still load as other code) and ``valid(value)``."""
    d = cache_dir()
    if d is None:
        return compute()
    entry = d / kind / f"{key}.marshal"
    try:
        data = entry.read_bytes()
        digest, payload = data[:20], data[20:]
        if hashlib.sha1(payload).digest() == digest:
            value = marshal.loads(payload)
            if valid(value):
                return value
    except Exception:  # noqa: BLE001 - missing, unreadable or corrupt: compute it again
        pass
    value = compute()
    try:
        payload = marshal.dumps(value)
    except ValueError:  # not marshallable: no cache
        return value
    _write(entry, hashlib.sha1(payload).digest() + payload)
    return value


def compiled_patterns(kind: str, patterns: list[str]) -> list[re.Pattern]:
    """``re.compile`` of each pattern, the compiled programs kept in the cache folder.

    A large pattern takes ~10 ms to compile in every process; CPython's re compiles a pattern
    to a program (a list of ints) handed to ``_sre.compile``, which checks it. That program is
    what is kept, keyed by the patterns and the Python build; anything unexpected (another
    Python, a rejected program) gives ``re.compile``'s patterns."""
    try:
        import _sre
        from re import _compiler, _parser

        salt = f"{MARSHAL_SALT}|{_sre.MAGIC}|{_sre.CODESIZE}"

        def compute():
            out = []
            for p in patterns:
                tree = _parser.parse(p, 0)
                indexgroup = [None] * tree.state.groups
                for name, i in tree.state.groupdict.items():
                    indexgroup[i] = name
                code = [int(op) for op in _compiler._code(tree, 0)]  # (named int opcodes)
                out.append((int(tree.state.flags), code, tree.state.groups - 1,
                            dict(tree.state.groupdict), tuple(indexgroup)))
            return out

        def valid(progs) -> bool:
            return (isinstance(progs, list) and len(progs) == len(patterns)
                    and all(isinstance(x, tuple) and len(x) == 5 and isinstance(x[1], list) for x in progs))

        key = content_key("\0".join(patterns).encode("utf-8", "surrogatepass"), salt)
        progs = marshalled(kind, key, compute, valid)
        return [_sre.compile(p, *prog) for p, prog in zip(patterns, progs)]
    except Exception:  # noqa: BLE001 - not CPython's re as known: compiled as usual
        return [re.compile(p) for p in patterns]


# entries one kind of cache keeps at most (a pack's templates, rule files and catalogues number tens)
MAX_ENTRIES = 400


def prune(folder: Path, keep: int | None = None) -> None:
    """Remove the oldest written entries of ``folder`` when it holds more than ``keep``
    (``MAX_ENTRIES``), down to three quarters of it, so that pruning is rare. A removed entry that
    is needed again is computed again; errors are ignored (another process may prune too)."""
    keep = MAX_ENTRIES if keep is None else keep
    try:
        with os.scandir(folder) as it:
            entries = [e for e in it if not e.name.startswith(".tmp-") and e.is_file()]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in entries[:len(entries) - keep * 3 // 4]:
            try:
                os.unlink(e.path)
            except OSError:
                pass
    except OSError:
        pass


def _write(entry: Path, data: bytes) -> None:
    """``data`` to ``entry``, whole or not at all (a temporary file renamed); then the folder
    pruned."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=entry.suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
        return
    prune(entry.parent)
