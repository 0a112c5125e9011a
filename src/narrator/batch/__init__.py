"""Generate, check or validate a folder of documents: plan, run in a pool, state, progress,
summaries; and synthetic departments for tests and benchmarks."""
