"""Hard budgets: tokens and cost spent so far (read from the run directories' results on
start, so a resumed run or study counts what earlier sessions spent), and a gate that lets
no new problem start once a limit is reached. Problems already started finish and are
kept, so a run overshoots by what those spend: at most `concurrency` problems, and those
started while the last results were being written. `council bench --budget-tokens/
--budget-usd` gates one run; a study's `budget:` gates all its runs (and an arm's, that
arm's)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from pathlib import Path
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from council.run_log.log import RunLog
from council.run_log.results import RESULTS_FILE, ResultHead

Item = TypeVar("Item", covariant=True)


class Budget(BaseModel):
    """Hard limits: on reaching one, no new problem starts (those in flight finish and are
    kept), and the same command resumes once it is raised."""

    model_config = ConfigDict(extra="forbid")

    max_tokens: int | None = Field(default=None, ge=1)
    max_cost_usd: float | None = Field(default=None, gt=0)


class BudgetGate:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.tokens = 0
        self.cost = 0.0
        self._limit: str | None = None

    def count_run(self, run_dir: Path) -> None:
        """Add what a run directory's lines spent (every line: errors spent tokens too)."""
        if not (run_dir / RESULTS_FILE).exists():
            return
        for line in RunLog.stream(run_dir, ResultHead, live=True):
            self.observe(line)

    def observe(self, line: ResultHead) -> None:
        self.tokens += line.tokens
        self.cost += line.cost_usd or 0.0

    def check(self) -> bool:
        """True while no limit is reached."""
        limit_tokens, limit_cost = self.budget.max_tokens, self.budget.max_cost_usd
        if limit_tokens is not None and self.tokens >= limit_tokens:
            self._limit = "tokens"
        elif limit_cost is not None and self.cost >= limit_cost:
            self._limit = "cost"
        return self._limit is None

    @property
    def reached(self) -> str | None:
        """Which limit stopped new problems, with everything spent by now (the problems in
        flight then included); None: none was reached."""
        if self._limit == "tokens":
            return f"max_tokens {self.budget.max_tokens} reached ({self.tokens} spent)"
        if self._limit == "cost":
            return f"max_cost_usd {self.budget.max_cost_usd} reached (${self.cost:.4f} spent)"
        return None


class SizedProblems(Sized, Iterable[Item], Protocol[Item]):
    """What a run takes: a list of problems, or a `ProblemSet` read as the run goes."""


class GatedProblems(Iterable[Item]):
    """Problems (sized, iterable) whose iteration stops at the first budget reached; every
    written line is counted by each gate (`observe`)."""

    def __init__(self, problems: SizedProblems[Item], gates: list[BudgetGate]) -> None:
        self.problems = problems
        self.gates = gates

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Item]:
        for problem in self.problems:
            if not all([gate.check() for gate in self.gates]):
                return
            yield problem

    def observe(self, line: ResultHead) -> None:
        for gate in self.gates:
            gate.observe(line)
