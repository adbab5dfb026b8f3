"""Choosing the executor for a run from its placement (`--workers`, `--executor`)."""

from __future__ import annotations

from council.bench.executors.base import Executor, Placement
from council.bench.executors.processes import ProcessExecutor
from council.protocols.run_spec import RunSpec


async def open_executor(placement: Placement, spec: RunSpec | None) -> Executor | None:
    """A started remote executor, or None for the in-process path: one worker, no spec
    (models given as objects, e.g. scripted), or the embedded model (one server, one
    process)."""
    if placement.executor == "ray":
        if spec is None:
            return None
        # optional extra: ray
        from council.bench.executors.ray import RayExecutor

        return await RayExecutor(spec, placement).start()
    if placement.workers <= 1 or spec is None or spec.uses_embedded_model:
        return None
    return await ProcessExecutor(spec, placement.workers).start()
