"""`council bench --memory`: memory carried from problem to problem, in data set order."""

from __future__ import annotations

from pathlib import Path

from council.bench.datasets import Problem
from council.bench.grading import Grade
from council.graphs.run import RunResult
from council.memory.policy import MemoryPolicy
from council.memory.store import MemoryStore
from council.models.base import ChatModel


class MemoryHook:
    """Implements the bench runner's ProblemHook. Learns from the team's own verification,
    never from the gold answer, so the measured gain is test-time learning, not leakage."""

    def __init__(self, path: Path, model: ChatModel | None, namespace: str = "bench") -> None:
        self.policy = MemoryPolicy.with_model(
            MemoryStore(path, namespace), model, source_run=str(path.parent)
        )

    async def before(self, problem: Problem) -> str:
        return self.policy.recall(problem.question)

    async def after(self, problem: Problem, result: RunResult, grade: Grade) -> None:
        await self.policy.learn(problem.question, result)
