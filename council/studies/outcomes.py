"""Problem-by-problem outcomes of an arm, whichever way it was produced (its own bench run,
or k samples of a pool): what paired statistics, noise and the plot read. An errored
problem counts wrong, as in `council bench`'s accuracy."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from council.bench.grading import Grader
from council.calls import CallCost
from council.run_log.results import ResultHead, ResultsFile, ResultTurns
from council.stats import wilson_interval
from council.usage import Usage


class ProblemResult(BaseModel):
    problem_id: str
    correct: bool
    done: bool = True
    answer: str | None = None
    tokens: int = 0
    calls: int = 0
    """Model calls it took (read from a pool: the calls a live run would have made)."""
    cost_usd: float | None = None
    seconds: float = 0.0
    spent: list[CallCost] = Field(default=[], exclude=True)
    """The recorded calls it is made of (an arm read from other runs' calls: the share of
    them it would have made), for attribution; not written to the report."""

    @classmethod
    def read_from_calls(
        cls,
        problem_id: str,
        correct: bool,
        answer: str | None,
        calls: list[CallCost],
        usage: Usage | None = None,
    ) -> ProblemResult:
        """A problem of an arm read from other runs' recorded calls (a pool's samples, a
        cascade's ballots, a longer debate's rounds): it costs what those calls cost, or
        `usage` where a stage's totals are recorded apart from its calls."""
        cost = Usage.total(call.usage for call in calls) if usage is None else usage
        return cls(
            problem_id=problem_id,
            correct=correct,
            answer=answer,
            tokens=cost.total_tokens,
            calls=len(calls),
            cost_usd=cost.cost_usd,
            seconds=cost.seconds,
            spent=calls,
        )


class AnswerGrades:
    """Grades each (problem, answer) once: arms read from recorded turns ask about the same
    answers again and again (every k, every cascade rule, every round)."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader
        self._grades: dict[tuple[str, str], bool] = {}

    async def correct(self, line: ResultHead, answer: str | None) -> bool:
        if answer is None:
            return False
        key = (line.problem_id, answer)
        if key not in self._grades:
            self._grades[key] = (await self.grader.agrade(answer, line.gold)).correct
        return self._grades[key]


class ArmFigures(BaseModel):
    """An arm's headline figures, computed as `council bench`'s summary computes them."""

    problems: int
    graded: int
    errors: int
    correct: int
    unanswered: int = 0
    """Graded problems with no answer (every reply cut at the token limit, unreadable, or
    a prompt beyond the model's context): wrong, and shown apart from wrong answers."""
    accuracy: float
    ci95_low: float
    ci95_high: float
    tokens_per_problem: float
    calls_per_problem: float = 0.0
    cost_per_problem: float | None
    seconds_per_problem: float


def figures(results: dict[str, ProblemResult]) -> ArmFigures:
    values = list(results.values())
    graded = [r for r in values if r.done]
    correct = sum(r.correct for r in graded)
    attempted = len(values)
    low, high = wilson_interval(correct, attempted)
    n = len(graded)
    costs = [r.cost_usd for r in graded if r.cost_usd is not None]
    return ArmFigures(
        problems=attempted,
        graded=n,
        errors=attempted - n,
        correct=correct,
        unanswered=sum(r.answer is None for r in graded),
        accuracy=correct / attempted if attempted else 0.0,
        ci95_low=low,
        ci95_high=high,
        tokens_per_problem=sum(r.tokens for r in graded) / n if n else 0.0,
        calls_per_problem=sum(r.calls for r in graded) / n if n else 0.0,
        cost_per_problem=sum(costs) / n if costs and n else None,
        seconds_per_problem=sum(r.seconds for r in graded) / n if n else 0.0,
    )


def read_lines(run_dir: Path) -> dict[str, ResultTurns]:
    """Each problem's latest line (turns and call costs, no replies). Read only: a run
    being written (a study still running) is left alone, its unfinished last line unread."""
    return ResultsFile.in_run(run_dir).latest(ResultTurns, repair=False)


def run_results(run_dir: Path, ids: set[str] | None = None) -> dict[str, ProblemResult]:
    """A bench run's outcomes, on `ids` only when given (the problems of the study)."""
    results: dict[str, ProblemResult] = {}
    for problem_id, line in read_lines(run_dir).items():
        if ids is not None and problem_id not in ids:
            continue
        results[problem_id] = ProblemResult(
            problem_id=problem_id,
            correct=line.done and line.correct,
            done=line.done,
            answer=line.predicted if line.done else None,
            tokens=line.tokens,
            calls=len(line.calls),
            cost_usd=line.cost_usd,
            seconds=line.seconds,
        )
    return results
