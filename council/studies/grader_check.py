"""The grader checked before anything runs: each gold answer graded against itself. A gold
the grader cannot match with itself would mark every right answer wrong (a known failure
of other graders on LaTeX, units and thousands separators), so the study refuses to start
until such problems are fixed in the data or listed under `data: exclude:`."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.errors import ConfigError


class GoldFailure(BaseModel):
    problem_id: str
    gold: str
    predicted: str | None


class GraderCheck(BaseModel):
    checked: int
    failures: list[GoldFailure]
    excluded: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


async def check_golds(
    problems: Iterable[Problem], grader: Grader, excluded: Iterable[str] = ()
) -> GraderCheck:
    failures: list[GoldFailure] = []
    checked = 0
    for problem in problems:
        checked += 1
        grade = await grader.agrade(problem.gold, problem.gold)
        if not grade.correct:
            failures.append(
                GoldFailure(problem_id=problem.id, gold=problem.gold, predicted=grade.predicted)
            )
    return GraderCheck(checked=checked, failures=failures, excluded=sorted(excluded))


def refuse_failures(check: GraderCheck) -> None:
    if check.passed:
        return
    shown = "; ".join(f"{f.problem_id} (gold {f.gold!r})" for f in check.failures[:10])
    more = f" and {len(check.failures) - 10} more" if len(check.failures) > 10 else ""
    raise ConfigError(
        f"the grader does not accept {len(check.failures)} gold answer(s) as equal to "
        f"themselves: {shown}{more}; fix them in the data or list their ids under "
        "data: exclude: in the study file"
    )
