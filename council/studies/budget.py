"""Hard budgets over a whole study: tokens and cost spent by every run so far (read from
their results on start, so a resumed study counts what earlier sessions spent), and a gate
that lets no new problem start once a limit is reached. Problems already started finish
and are kept, so a study overshoots by what those spend: at most `concurrency` problems,
and those started while the last results were being written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from council.bench.datasets import Problem
from council.run_log.log import RunLog
from council.run_log.results import ResultHead
from council.studies.study_file import Budget


class BudgetGate:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.tokens = 0
        self.cost = 0.0
        self.reached: str | None = None

    def count_run(self, run_dir: Path) -> None:
        """Add what a run directory's lines spent (every line: errors spent tokens too)."""
        for line in RunLog.stream(run_dir, ResultHead, live=True):
            self.observe(line)

    def observe(self, line: ResultHead) -> None:
        self.tokens += line.tokens
        self.cost += line.cost_usd or 0.0

    def check(self) -> bool:
        """True while no limit is reached."""
        limit_tokens, limit_cost = self.budget.max_tokens, self.budget.max_cost_usd
        if limit_tokens is not None and self.tokens >= limit_tokens:
            self.reached = f"max_tokens {limit_tokens} reached ({self.tokens} spent)"
        elif limit_cost is not None and self.cost >= limit_cost:
            self.reached = f"max_cost_usd {limit_cost} reached (${self.cost:.4f} spent)"
        return self.reached is None


class GatedProblems:
    """`Problems` (sized, iterable) whose iteration stops at the first budget reached (the
    study's, the arm's); every written line is counted by each (`observe`)."""

    def __init__(self, problems: list[Problem], gates: list[BudgetGate]) -> None:
        self.problems = problems
        self.gates = gates

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        for problem in self.problems:
            if not all([gate.check() for gate in self.gates]):
                return
            yield problem

    def observe(self, line: ResultHead) -> None:
        for gate in self.gates:
            gate.observe(line)
