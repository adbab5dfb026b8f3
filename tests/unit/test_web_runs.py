"""The run view's reader: pages of problems from line heads, never the whole run."""

from __future__ import annotations

from pathlib import Path

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.run_view import problem_rows
from council.bench.runner import run_benchmark
from council.models.roles import RoleModels
from council.models.scripted import ScriptedModel
from council.protocols import RunSpec
from tests.support.runs import doubling

PROBLEMS = [Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(7)]


async def test_problems_come_a_page_at_a_time_with_the_total(
    tmp_path: Path, grader: Grader
) -> None:
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=1)

    first = problem_rows(tmp_path, limit=3)
    last = problem_rows(tmp_path, offset=6, limit=3)
    beyond = problem_rows(tmp_path, offset=9, limit=3)

    assert [r.problem_id for r in first.rows] == ["q0", "q1", "q2"]
    assert (first.total, first.offset, first.limit) == (7, 0, 3)
    assert [r.problem_id for r in last.rows] == ["q6"] and last.total == 7
    assert beyond.rows == [] and beyond.total == 7
    assert all(r.calls == 1 and r.outcome == "correct" for r in first.rows)
    assert problem_rows(tmp_path, "wrong").total == 0
