"""Generate, check or validate a folder of documents: plan, run in a pool, state, progress,
summaries; and synthetic departments for tests and benchmarks."""

from narrator.batch.run import run_batch

__all__ = ["run_batch"]
