"""narrator's cache folder on disk, for what a short command would otherwise rebuild in every
process: the compiled templates (render/bytecode.py) and the parsed rule files (core/yamlio.py).

Where: ``$NARRATOR_CACHE_DIR`` (``off`` turns the cache off), else ``$XDG_CACHE_HOME/narrator``,
else ``~/.cache/narrator``. Every use degrades to no cache: a folder that cannot be made, an entry
that cannot be read or written, a corrupt entry — the value is then computed as without a cache."""

from __future__ import annotations

import hashlib
import os
import pickle
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
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
        pass
    return value
