"""The Ray actor that solves problems on a node: an async actor, so one process keeps
many problems in flight on its event loop, like a local worker process. Imported only
where Ray is installed."""

from __future__ import annotations

import os
from typing import Any

import ray

from council.bench.datasets import Problem
from council.bench.executors.base import ProblemSolver
from council.bench.executors.ray_limiter import RayLimiterClient
from council.bench.heap import settle_for_many_problems
from council.bench.problem import ProblemOutcome
from council.models.limiter import ENDPOINT_LIMITERS
from council.models.shared_limiter import Grant
from council.protocols.run_spec import RunSpec


class SolverActor:
    """Builds its runner (models, tools, sandbox) on its own node from the spec; its model
    calls ask the run's `LimiterActor` (`limiter`, a handle) when they may start."""

    def __init__(self, spec_json: str, limiter: Any) -> None:
        self.limiter = RayLimiterClient(limiter, ray.get_runtime_context().current_actor)
        ENDPOINT_LIMITERS.share(self.limiter)
        self.solver = ProblemSolver(RunSpec.model_validate_json(spec_json))
        settle_for_many_problems()

    async def solve(self, problem: Problem) -> ProblemOutcome:
        return await self.solver.solve(problem)

    async def limiter_grants(self, grants: list[Grant]) -> None:
        """The run's limiter host answering this actor's calls (`RayLimiterClient`)."""
        self.limiter.deliver(grants)

    async def load(self) -> tuple[int, int]:
        """(pid, problems in flight): which process holds work, e.g. to kill it in a test."""
        return os.getpid(), self.solver.in_flight
