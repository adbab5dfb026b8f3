"""Choosing the executor for a run from its placement (`--workers`, `--executor`)."""

from __future__ import annotations

from council.bench.executors.base import Executor, Placement, RunnerRecipe


async def open_executor(placement: Placement, recipe: RunnerRecipe | None) -> Executor | None:
    """A started remote executor, or None for the in-process path: one worker, no recipe
    (models given as objects, e.g. scripted), or the embedded model (one server, one
    process)."""
    if placement.executor == "ray":
        if recipe is None:
            return None
        from council.bench.executors.ray import RayExecutor

        return await RayExecutor(recipe, placement).start()
    if placement.workers <= 1 or recipe is None or recipe.uses_embedded_model:
        return None
    from council.bench.executors.processes import ProcessExecutor

    return await ProcessExecutor(recipe, placement.workers).start()
