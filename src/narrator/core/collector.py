"""The garbage collector's young-generation threshold raised while one document is worked on.

A document's check allocates tens of thousands of short-lived containers and almost no cycles:
with CPython's default threshold (700) the young generation is collected a dozen times per
disclosure (~3.5 ms of ~55, measured with gc.callbacks). ``fewer_collections()`` raises the
threshold for the duration of a call and puts back what it found, so importing narrator, or
using it as a library, changes nothing outside the call. A threshold already higher (the batch
worker's) or 0 (the collector disabled by the caller) is left as it is.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 20_000       # gen-0 threshold during a call (the batch worker's, see batch/worker.py)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Within the block the young generation is collected every YOUNG allocations; nested and
    concurrent blocks share one raise, undone when the last of them ends."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            if 0 < _saved[0] < YOUNG:
                gc.set_threshold(YOUNG, *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                if 0 < _saved[0] < YOUNG and gc.get_threshold()[0] == YOUNG:
                    gc.set_threshold(*_saved)
                _saved = None
