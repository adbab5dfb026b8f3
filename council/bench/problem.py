"""One problem, run and graded: the unit of work every executor (in-process, worker
processes, Ray) performs, and the outcome it hands back to the run's single writer."""

from __future__ import annotations

import time
import traceback
from typing import Protocol

from pydantic import BaseModel, Field

from council.bench.datasets import Problem
from council.bench.faults import Failure
from council.bench.grading import Grade, Grader
from council.calls import CallRecord
from council.errors import CouncilError
from council.graphs.run import RunResult
from council.models.limiter import ENDPOINT_LIMITERS, ThrottleReport
from council.run_log.records import RecordedTurn
from council.run_log.results import ResultLine
from council.runner import GraphRunner
from council.usage import Usage


class ProblemOutcome(BaseModel):
    """A problem's result line (its calls not yet in it), the calls whole, and why its run
    failed (to decide whether the failure is the problem's own or one that stops the run).
    A pydantic value, so a worker process or a Ray actor can send it to the writer."""

    line: ResultLine
    calls: list[CallRecord] = Field(default_factory=list)
    failure: Failure | None = None
    throttle: ThrottleReport | None = None
    """How throttled the process that ran it has been (None: never), for the progress line."""


class ProblemHook(Protocol):
    """Per-problem work around a run, e.g. memory: retrieve before, curate after."""

    async def before(self, problem: Problem) -> str:
        """Memory text for this problem's prompts ('' for none)."""

    async def after(self, problem: Problem, result: RunResult, grade: Grade) -> None: ...


def result_line(problem: Problem, result: RunResult, grade: Grade) -> ResultLine:
    """The problem's line without its calls (the recorder adds them, as message hashes)."""
    total = Usage.total(call.usage for call in result.calls)
    state = result.state
    turns = [RecordedTurn.of(turn) for turn in state.turns]
    extractions: dict[str, int] = {}
    for turn in turns:
        if turn.extraction is not None:
            extractions[turn.extraction] = extractions.get(turn.extraction, 0) + 1
    return ResultLine(
        problem_id=problem.id,
        question=problem.question,
        gold=problem.gold,
        answer=result.answer,
        predicted=grade.predicted,
        correct=grade.correct,
        extraction_failed=grade.extraction_failed,
        status=result.status,
        rounds=result.rounds,
        stopped_round=state.stopped_round,
        stopped_early=bool(state.stopped_early),
        prompt_tokens=total.prompt_tokens,
        completion_tokens=total.completion_tokens,
        cost_usd=total.cost_usd,
        seconds=result.seconds,
        failure=result.failure,
        call_count=len(result.calls),
        truncated_calls=sum(call.truncated for call in result.calls),
        extractions=extractions,
        turns=turns,
        votes=list(state.votes),
        selections=list(state.selections),
        steps=result.steps,
    )


async def run_problem(
    runner: GraphRunner, problem: Problem, grader: Grader, hook: ProblemHook | None = None
) -> ProblemOutcome:
    started = time.perf_counter()
    try:
        memory = await hook.before(problem) if hook else ""
        result = await runner.arun(
            problem.question, problem_id=problem.id, memory=memory, info=problem.info
        )
        grade = await grader.agrade(result.answer, problem.gold)
        if hook:
            await hook.after(problem, result, grade)
        return ProblemOutcome(
            line=result_line(problem, result, grade),
            calls=list(result.calls),
            throttle=ENDPOINT_LIMITERS.report(),
        )
    except Exception as exc:  # one broken problem is recorded (and retried on resume); the
        # caller decides whether the run goes on. A bug, unlike a model or sandbox failure,
        # also gets its traceback.
        if not isinstance(exc, CouncilError | OSError | TimeoutError):
            traceback.print_exc()
        line = ResultLine(
            problem_id=problem.id,
            question=problem.question,
            gold=problem.gold,
            seconds=time.perf_counter() - started,
            error=f"{type(exc).__name__}: {exc}",
        )
        return ProblemOutcome(
            line=line, failure=Failure.of(exc), throttle=ENDPOINT_LIMITERS.report()
        )
