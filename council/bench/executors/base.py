"""What every executor offers the driver, and what a remote worker needs to do the work.

Models, tools and sandboxes are not sent to workers: the run's `RunSpec` is, and each
worker builds its own runner (the one way every runner is built) and grader from it, on
its own machine, reaching the model server the spec names."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Literal, Protocol

from pydantic import BaseModel, Field, model_validator

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.problem import ProblemOutcome, run_problem
from council.protocols.run_spec import RunSpec

ExecutorKind = Literal["local", "ray"]


class Executor(Protocol):
    """Runs one problem per `submit`; the driver bounds how many are in flight."""

    def submit(self, problem: Problem) -> Awaitable[ProblemOutcome]: ...

    async def close(self) -> None: ...


class WorkerDiedError(RuntimeError):
    """A worker process ended with problems in flight (outside Ray, nothing retries them:
    the run stops, keeping what finished, and the same command resumes)."""


class Placement(BaseModel):
    """Where problems run: `workers` processes here (1: in this process), or on Ray."""

    executor: ExecutorKind = "local"
    workers: int = Field(default=1, ge=0, le=1024, description="0: Ray's cluster CPUs")
    ray_address: str | None = None
    ray_runtime_env: dict[str, object] | None = None

    @model_validator(mode="after")
    def _workers_given_here(self) -> Placement:
        if self.executor == "local" and self.workers < 1:
            raise ValueError("workers must be at least 1")
        return self


class ProblemSolver:
    """A worker's runner and grader, built once per worker from the run's spec."""

    def __init__(self, spec: RunSpec) -> None:
        self.runner = spec.build()
        self.grader = Grader(workers=1)
        self.in_flight = 0

    async def solve(self, problem: Problem) -> ProblemOutcome:
        self.in_flight += 1
        try:
            return await run_problem(self.runner, problem, self.grader)
        finally:
            self.in_flight -= 1

    def close(self) -> None:
        self.grader.close()
