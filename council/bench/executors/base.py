"""What every executor offers the driver, and what a remote worker needs to do the work.

Models, tools and sandboxes are not sent to workers: their configuration is (a
`RunnerRecipe`), and each worker builds its own runner and grader from it, on its own
machine, reaching the model server the configuration names."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field, model_validator

from council.bench.datasets import Problem
from council.bench.problem import ProblemOutcome, run_problem
from council.config import CouncilConfig
from council.models.settings import ModelSpec
from council.protocols.options import ProtocolOptions
from council.runner import GraphRunner

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


class RunnerRecipe(BaseModel):
    """How a worker builds the run's runner: the protocol and the configuration the
    driver's own runner was built from."""

    protocol: str
    config: CouncilConfig
    options: ProtocolOptions
    cache: Path | None = None
    model_given: bool = False

    @classmethod
    def on_model(cls, protocol: str, model: ModelSpec) -> RunnerRecipe:
        """A built-in protocol with every role on one model, decoding with its settings."""
        return cls(
            protocol=protocol,
            config=CouncilConfig(model=model),
            options=ProtocolOptions(settings=model.settings),
            model_given=True,
        )

    def to_json(self) -> str:
        """Only what was set: a protocol refuses options it does not use, so defaults
        must stay unset when the recipe is read back in a worker."""
        return self.model_dump_json(exclude_unset=True)

    def build(self) -> GraphRunner:
        from council.bench.session import BenchSession

        session = BenchSession(
            self.config, self.options, cache=self.cache, model_given=self.model_given
        )
        return session.runner(self.protocol)

    @property
    def uses_embedded_model(self) -> bool:
        """The embedded model runs in a server each process would start for itself:
        N workers would load N copies on the same cores, so it stays in one process."""
        specs = [self.config.model, *self.config.role_models.values()]
        return any(not spec.name or spec.name.startswith("local/") for spec in specs)


class ProblemSolver:
    """A worker's runner and grader, built once per worker from the recipe."""

    def __init__(self, recipe: RunnerRecipe) -> None:
        from council.bench.grading import Grader

        self.runner = recipe.build()
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
