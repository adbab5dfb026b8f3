"""Running a protocol over a data set: concurrent, graded, appended as it goes, resumable.

Each finished problem is written (and fsynced) before the next result is counted, so a
killed run loses only problems in flight; re-running skips every problem already done.
A problem whose run failed is recorded with its error and tried again on resume; a fault
that would fail every problem (`council.bench.faults`) stops the run instead, loudly.
"""

from __future__ import annotations

import asyncio
import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from council.bench.datasets import Problem
from council.bench.faults import BenchStoppedError, FaultWatch
from council.bench.grading import Grade, Grader
from council.bench.messages import MessageStore
from council.bench.records import RecordedCall, RecordedTurn
from council.bench.results import RESULTS_FILE, ResultLine, ResultsFile
from council.bench.summary import Summary, summarise_run
from council.calls import CallRecord
from council.errors import CouncilError
from council.graphs.run import RunResult
from council.graphs.state import Turn
from council.runner import GraphRunner
from council.scoring.base import Selection
from council.usage import Usage
from council.voting import VoteTable

ResultCallback = Callable[[ResultLine], None]

MAX_CONCURRENCY = 256


class RunOptions(BaseModel):
    """How a run is executed (not what it computes, so not part of its recorded config)."""

    concurrency: int = Field(default=4, ge=1, le=MAX_CONCURRENCY, description="problems at once")


@dataclass(frozen=True)
class ProblemOutcome:
    """A problem's result line (its calls not yet in it), the calls whole, and the
    exception when its run failed (to decide whether the failure is the problem's own or
    one that stops the run)."""

    line: ResultLine
    calls: tuple[CallRecord, ...] = ()
    failure: Exception | None = None


class RunRecorder:
    """Writes finished problems: their messages into the run's content-addressed store
    first, then the result line naming them, each fsynced; so a line never refers to a
    message that is not on disk."""

    def __init__(self, run_dir: Path) -> None:
        self.results = ResultsFile(run_dir / RESULTS_FILE)
        self.messages = MessageStore(run_dir)

    def write(self, outcome: ProblemOutcome) -> ResultLine:
        calls = [RecordedCall.of(c, self.messages.add(c.messages)) for c in outcome.calls]
        line = outcome.line.model_copy(update={"calls": calls})
        self.results.append(line)
        return line


class _Stop(Exception):
    """Raised by the problem that decided the stop, to end the others."""


class ProblemHook(Protocol):
    """Per-problem work around a run, e.g. memory: retrieve before, curate after."""

    async def before(self, problem: Problem) -> str:
        """Memory text for this problem's prompts ('' for none)."""

    async def after(self, problem: Problem, result: RunResult, grade: Grade) -> None: ...


def _turns(result: RunResult) -> list[RecordedTurn]:
    raw = result.state.get("turns", [])
    return [RecordedTurn.of(t if isinstance(t, Turn) else Turn.model_validate(t)) for t in raw]


def _votes(result: RunResult) -> list[VoteTable]:
    raw = result.state.get("votes", [])
    return [v if isinstance(v, VoteTable) else VoteTable.model_validate(v) for v in raw]


def _selections(result: RunResult) -> list[Selection]:
    raw = result.state.get("selections", [])
    return [s if isinstance(s, Selection) else Selection.model_validate(s) for s in raw]


def result_line(problem: Problem, result: RunResult, grade: Grade) -> ResultLine:
    """The problem's line without its calls (the recorder adds them, as message hashes)."""
    total = Usage.total(call.usage for call in result.calls)
    turns = _turns(result)
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
        stopped_round=result.state.get("stopped_round"),
        stopped_early=bool(result.state.get("stopped_early")),
        prompt_tokens=total.prompt_tokens,
        completion_tokens=total.completion_tokens,
        cost_usd=total.cost_usd,
        seconds=result.seconds,
        call_count=len(result.calls),
        truncated_calls=sum(call.truncated for call in result.calls),
        extractions=extractions,
        turns=turns,
        votes=_votes(result),
        selections=_selections(result),
        steps=result.steps,
    )


async def run_problem(
    runner: GraphRunner, problem: Problem, grader: Grader, hook: ProblemHook | None
) -> ProblemOutcome:
    started = time.perf_counter()
    try:
        memory = await hook.before(problem) if hook else ""
        result = await runner.arun(problem.question, problem_id=problem.id, memory=memory)
        grade = await grader.agrade(result.answer, problem.gold)
        if hook:
            await hook.after(problem, result, grade)
        return ProblemOutcome(result_line(problem, result, grade), tuple(result.calls))
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
        return ProblemOutcome(line, failure=exc)


async def run_benchmark(
    runner: GraphRunner,
    problems: list[Problem],
    run_dir: Path,
    *,
    grader: Grader,
    concurrency: int = 4,
    hook: ProblemHook | None = None,
    on_result: ResultCallback | None = None,
) -> Summary:
    """Run every problem not yet done in `run_dir`; returns the summary of the whole run.

    Raises `BenchStoppedError` (after writing what finished, and the summary) when a fault
    would fail every further problem: see `council.bench.faults`.
    """
    concurrency = RunOptions(concurrency=concurrency).concurrency
    recorder = RunRecorder(run_dir)
    done = recorder.results.done_ids()
    todo = [p for p in problems if p.id not in done]
    limit = 1 if hook is not None else concurrency  # memory carries problem to problem, in order
    semaphore = asyncio.Semaphore(limit)
    # A finished problem's write must land even when the run is failing or cancelled, so
    # writes run as their own futures (fsync off the event loop) and are awaited at the end.
    writes: set[asyncio.Future[ResultLine]] = set()
    watch = FaultWatch()
    started = time.perf_counter()

    stopped: str | None = None

    async def one(problem: Problem) -> None:
        nonlocal stopped
        async with semaphore:
            if stopped is not None:
                return  # decided while this one waited: it is left for the resume
            outcome = await run_problem(runner, problem, grader, hook)
            reason = watch.observe(outcome.failure)
            if reason is not None and stopped is None:  # before the next one may start
                stopped = reason
        if reason is not None:
            raise _Stop(reason)  # the fault that stops the run is not this problem's: it
            # is left unrecorded, to run on resume; the stop cancels the problems in flight
        write = asyncio.ensure_future(asyncio.to_thread(recorder.write, outcome))
        writes.add(write)
        line = await asyncio.shield(write)
        if on_result is not None:
            on_result(line)

    try:
        if hook is not None:
            for problem in todo:
                await one(problem)
        else:
            tasks = [asyncio.create_task(one(problem)) for problem in todo]
            try:
                await asyncio.gather(*tasks)
            finally:  # on a stop, failure or cancellation, end the rest rather than leave
                # them; a problem cut off in flight is not recorded, so it runs on resume
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    except _Stop:
        pass  # `stopped` says why
    finally:
        await asyncio.gather(*writes, return_exceptions=True)
    previous = _previous_wall(run_dir)
    summary = summarise_run(run_dir, previous + time.perf_counter() - started)
    (run_dir / "summary.json").write_text(summary.model_dump_json(indent=2))
    if stopped is not None:
        raise BenchStoppedError(
            f"bench stopped: {stopped} — {summary.graded} of {len(problems)} problems are done "
            f"and kept in {run_dir}; once that is fixed, the same command resumes",
            summary,
        )
    return summary


def _previous_wall(run_dir: Path) -> float:
    """Wall time of earlier sessions of this run (read leniently: older summaries had other
    fields)."""
    path = run_dir / "summary.json"
    if not path.exists():
        return 0.0
    try:
        return float(json.loads(path.read_text()).get("wall_seconds", 0.0))
    except (ValueError, AttributeError, TypeError):
        return 0.0
