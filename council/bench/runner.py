"""Running a protocol over a data set: concurrent, graded, appended as it goes, resumable.

Each finished problem is written (and fsynced) by the run's single writer
(`council.bench.writer`) before it is counted, so a killed run loses only problems in
flight; re-running skips every problem already done. A problem whose run failed is
recorded with its error and tried again on resume; a fault that would fail every problem
(`council.bench.faults`) stops the run instead, loudly.

Problems stream to an executor (this process, worker processes, or Ray:
`council.bench.executors`) with a bounded number in flight, so a run of any size holds
only that many problems' work at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from council.bench.datasets import Problem
from council.bench.executors.base import Executor
from council.bench.executors.local import LocalExecutor
from council.bench.faults import BenchStoppedError, FaultWatch
from council.bench.grading import Grader
from council.bench.problem import ProblemHook, ProblemOutcome, result_line, run_problem
from council.bench.summary import Summary, summarise_run
from council.bench.writer import ResultCallback, RunRecorder, WriteQueue
from council.runner import GraphRunner

__all__ = [
    "ProblemHook",
    "ProblemOutcome",
    "RunOptions",
    "RunRecorder",
    "result_line",
    "run_benchmark",
    "run_on",
    "run_problem",
]

MAX_CONCURRENCY = 256


class RunOptions(BaseModel):
    """How a run is executed (not what it computes, so not part of its recorded config)."""

    concurrency: int = Field(default=4, ge=1, le=MAX_CONCURRENCY, description="problems at once")


async def run_benchmark(
    runner: GraphRunner,
    problems: Iterable[Problem],
    run_dir: Path,
    *,
    grader: Grader,
    concurrency: int = 4,
    hook: ProblemHook | None = None,
    on_result: ResultCallback | None = None,
) -> Summary:
    """Run every problem not yet done in `run_dir` in this process; returns the summary of
    the whole run. With a hook (memory), problems run one at a time, in order.

    Raises `BenchStoppedError` (after writing what finished, and the summary) when a fault
    would fail every further problem: see `council.bench.faults`.
    """
    concurrency = RunOptions(concurrency=concurrency).concurrency
    limit = 1 if hook is not None else concurrency  # memory carries problem to problem, in order
    executor = LocalExecutor(runner, grader, hook)
    return await run_on(executor, problems, run_dir, concurrency=limit, on_result=on_result)


async def run_on(
    executor: Executor,
    problems: Iterable[Problem],
    run_dir: Path,
    *,
    concurrency: int = 4,
    on_result: ResultCallback | None = None,
) -> Summary:
    """`run_benchmark` on any executor: the driver's side of every run. Problems are
    submitted as earlier ones finish, never more than `concurrency` at once; outcomes are
    checked against the stop rules and written in the order they arrive."""
    concurrency = RunOptions(concurrency=concurrency).concurrency
    recorder = RunRecorder(run_dir)
    done = recorder.results.done_ids()
    todo = (p for p in problems if p.id not in done)
    writes = WriteQueue(recorder, on_result)
    watch = FaultWatch()
    started = time.perf_counter()
    stopped: str | None = None
    total = 0
    in_flight: set[asyncio.Future[ProblemOutcome]] = set()

    def refill() -> None:
        nonlocal total
        while len(in_flight) < concurrency:
            problem = next(todo, None)
            if problem is None:
                return
            total += 1
            in_flight.add(asyncio.ensure_future(_awaited(executor.submit(problem))))

    try:
        refill()
        while in_flight and stopped is None:
            finished, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            # a finished future stays in `in_flight` until used, so none goes unseen
            for future in finished:
                if stopped is not None:
                    break  # what finished beside the stop is left, to run on resume
                in_flight.discard(future)
                outcome = future.result()  # an executor's own failure ends the run
                reason = watch.observe(outcome.failure)
                if reason is not None:
                    stopped = reason  # the fault that stops the run is not this problem's:
                    continue  # it is left unrecorded, to run on resume
                writes.put(outcome)
            if stopped is None:
                refill()
    finally:  # on a stop, failure or cancellation, end the rest rather than leave them; a
        # problem cut off in flight is not recorded, so it runs on resume
        for future in in_flight:
            future.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        await writes.close()
    previous = _previous_wall(run_dir)
    summary = summarise_run(run_dir, previous + time.perf_counter() - started)
    (run_dir / "summary.json").write_text(summary.model_dump_json(indent=2))
    if stopped is not None:
        attempted = len(done) + total
        raise BenchStoppedError(
            f"bench stopped: {stopped} — {summary.graded} of {_count(problems, attempted)} "
            f"problems are done and kept in {run_dir}; once that is fixed, the same command "
            "resumes",
            summary,
        )
    return summary


async def _awaited(work: Awaitable[ProblemOutcome]) -> ProblemOutcome:
    return await work


def _count(problems: Iterable[Problem], fallback: int) -> int:
    return len(problems) if isinstance(problems, list | tuple) else fallback


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
