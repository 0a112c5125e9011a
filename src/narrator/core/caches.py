"""Caches keyed by what documents say, and one call that empties them all.

Some look-ups pay off within a document and across the next few (templated wording
repeats), but what they remember is document text: names, sentences, windows around
numbers, spellings of amounts. Over a batch of thousands such a cache only fills, and an
LRU cache that is full keeps replacing entries, which scatters the allocator's memory. A
batch worker therefore empties all of them every few documents (``narrator.batch``):
its memory is then its warm state (packs, rules, compiled templates: the caches that are
*not* registered here) plus a few documents' worth, whatever the number of documents.

A module registers a cache where it defines it::

    @per_document
    @lru_cache(maxsize=1 << 12)
    def _norm(s: str) -> str: ...

    _VALUE_CACHE: dict = per_document({}, "loader_fast._VALUE_CACHE")

Only caches whose entries can be recomputed from their key belong here: emptying one
never changes a result, only its cost (tests/batch/test_batch_memory.py runs documents with and
without clearing and compares the outputs).
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")

_CLEARERS: list[tuple[str, Callable[[], None], Callable[[], int]]] = []


def per_document(cache: T, name: str | None = None) -> T:
    """Register ``cache`` (an ``lru_cache`` function, or a dict named by ``name``) as keyed by
    document content; returns it unchanged."""
    clear: Callable[[], None]
    size: Callable[[], int]
    if hasattr(cache, "cache_clear") and hasattr(cache, "cache_info"):
        clear = cache.cache_clear  # type: ignore[attr-defined]
        size = lambda c=cache: c.cache_info().currsize  # type: ignore[attr-defined]  # noqa: E731
        name = name or f"{cache.__module__}.{cache.__qualname__}"  # type: ignore[attr-defined]
    elif isinstance(cache, dict):
        clear = cache.clear
        size = cache.__len__
        if not name:
            raise TypeError("per_document: a dict needs a name")
    else:
        raise TypeError(f"per_document: not an lru_cache function or a dict: {cache!r}")
    _CLEARERS.append((name, clear, size))
    return cache


def clear_per_document() -> None:
    """Empty every registered cache (results are unchanged; the next documents refill them)."""
    for _name, clear, _size in _CLEARERS:
        clear()


def registered() -> list[tuple[str, Any]]:
    """(name, current number of entries) of every registered cache, for tests and benchmarks."""
    return [(name, size()) for name, _clear, size in _CLEARERS]
