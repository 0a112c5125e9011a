"""Shared by the benchmarks: the mean time of a warm function call."""

import time


def timeit(fn, n):
    """Seconds per call of ``fn``, averaged over ``n`` calls after one warm-up call."""
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n
