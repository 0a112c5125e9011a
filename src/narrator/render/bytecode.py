"""A Jinja bytecode cache on disk, so that a short command does not compile the templates again
in every process (~100–200 ms of a ``check``).

Where: narrator's cache folder (core/diskcache.py), under ``jinja/``; nothing is cached when
that folder cannot be made. Jinja checks each
entry against the template's source (a changed template is compiled again) and against the
Python version; the key also holds what else shapes the compiled code: the environment's class,
Jinja's version and the source of narrator's code generator (engine_fast.py). The folder keeps
at most ``diskcache.MAX_ENTRIES`` entries, the oldest written removed first."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

import jinja2

from narrator.core.diskcache import cache_dir, prune


class _SaltedCache(jinja2.FileSystemBytecodeCache):
    def __init__(self, directory: str, salt: str):
        super().__init__(directory, "narrator-%s.jinja")
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(f"{self.salt}\0{name}\0{filename or ''}".encode("utf-8")).hexdigest()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        super().dump_bytecode(bucket)
        prune(Path(self.directory))


@cache
def _generator_hash() -> str:
    src = Path(__file__).with_name("engine_fast.py")
    try:
        return hashlib.sha1(src.read_bytes()).hexdigest()[:16]
    except OSError:  # pragma: no cover
        return "none"


def bytecode_cache(env_class: type) -> jinja2.BytecodeCache | None:
    """The cache for environments of ``env_class``; None when there is no usable folder."""
    d = cache_dir()
    if d is None:
        return None
    d = d / "jinja"
    try:
        d.mkdir(parents=True, exist_ok=True)
        if not os.access(d, os.W_OK):
            return None
    except OSError:
        return None
    salt = f"{env_class.__module__}.{env_class.__qualname__}|jinja {jinja2.__version__}|{_generator_hash()}"
    return _SaltedCache(str(d), salt)
