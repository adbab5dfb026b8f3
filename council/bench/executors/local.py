"""Problems in this process, on its event loop: today's path, and the one for --memory
(memory carries from problem to problem in order) and for models that cannot be rebuilt
elsewhere (scripted models in tests, the embedded model's server)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.problem import ProblemHook, ProblemOutcome, run_problem
from council.runner import GraphRunner


class LocalExecutor:
    def __init__(self, runner: GraphRunner, grader: Grader, hook: ProblemHook | None = None):
        self.runner = runner
        self.grader = grader
        self.hook = hook

    def submit(self, problem: Problem) -> Coroutine[Any, Any, ProblemOutcome]:
        return run_problem(self.runner, problem, self.grader, self.hook)

    async def close(self) -> None:
        return None
