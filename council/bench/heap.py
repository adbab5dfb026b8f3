"""Garbage collection set for processes that run problem after problem: `council bench`,
its worker processes and its Ray actors.

Each problem allocates thousands of short-lived objects (LangGraph's tasks, configs and
checkpoints; pydantic models). At CPython's default first threshold (700 allocations)
the cycle collector ran about every other problem, and every few hundred problems a full
collection walked the ~130,000 objects of the loaded libraries, models and compiled
graph, none of which will ever be garbage: against the instant stub, about 0.5 ms of a
2.5 ms problem. Freezing what exists once the runner is built takes it out of the
collector's sight, and a larger first threshold collects young objects less often;
reference counting frees almost all of them anyway (the collector only finds cycles).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""Allocations between collections of the youngest generation (CPython's default: 700)."""


def settle_for_many_problems() -> None:
    """Call once everything long-lived is built (runner, models, grader)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
