"""Running a protocol over a data set: concurrent, graded, appended as it goes, resumable.

Each finished problem is written (and fsynced) by the run's single writer
(`council.run_log.writer`) before it is counted, so a killed run loses only problems in
flight; re-running skips every problem already done. A problem whose run failed is
recorded with its error and tried again on resume; a fault that would fail every problem
(`council.bench.faults`) stops the run instead, loudly.

Problems stream to an executor (this process, worker processes, or Ray:
`council.bench.executors`) with a bounded number in flight, so a run of any size holds
only that many problems' work at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sized
from pathlib import Path

from pydantic import BaseModel, Field

from council.bench.datasets import Problem
from council.bench.executors.base import Executor
from council.bench.executors.local import LocalExecutor
from council.bench.faults import BenchStoppedError, FaultWatch
from council.bench.grading import Grader
from council.bench.problem import ProblemHook, ProblemOutcome, result_line, run_problem
from council.models.limiter import ThrottleReport
from council.run_log.ledger import Ledger
from council.run_log.results import ResultLine
from council.run_log.summary import (
    Summary,
    read_budget,
    read_saved_summary,
    summary_of,
    write_summary,
)
from council.run_log.writer import ResultCallback, RunRecorder, WriteQueue
from council.runner import GraphRunner

__all__ = [
    "BenchOptions",
    "ProblemHook",
    "ProblemOutcome",
    "RunRecorder",
    "StartCallback",
    "result_line",
    "run_benchmark",
    "run_on",
    "run_problem",
]

MAX_CONCURRENCY = 256
WRITE_BACKLOG = 2
"""Outcomes waiting for the writer, per problem in flight, before no more are started: a
disk slower than the problems holds them back instead of piling results up in memory."""
StartCallback = Callable[[Summary], None]
"""Told, before the first problem, the summary of what earlier sessions finished."""
ThrottleCallback = Callable[[ThrottleReport], None]
"""Told how throttled the process that ran a problem has been (when it has been)."""


class BenchOptions(BaseModel):
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
    on_start: StartCallback | None = None,
    on_throttle: ThrottleCallback | None = None,
) -> Summary:
    """Run every problem not yet done in `run_dir` in this process; returns the summary of
    the whole run. With a hook (memory), problems run one at a time, in order.

    Raises `BenchStoppedError` (after writing what finished, and the summary) when a fault
    would fail every further problem: see `council.bench.faults`.
    """
    concurrency = BenchOptions(concurrency=concurrency).concurrency
    limit = 1 if hook is not None else concurrency  # memory carries problem to problem, in order
    executor = LocalExecutor(runner, grader, hook)
    return await run_on(
        executor,
        problems,
        run_dir,
        concurrency=limit,
        on_result=on_result,
        on_start=on_start,
        on_throttle=on_throttle,
    )


async def run_on(
    executor: Executor,
    problems: Iterable[Problem],
    run_dir: Path,
    *,
    concurrency: int = 4,
    on_result: ResultCallback | None = None,
    on_start: StartCallback | None = None,
    on_throttle: ThrottleCallback | None = None,
) -> Summary:
    """`run_benchmark` on any executor: the driver's side of every run. Problems are
    submitted as earlier ones finish, never more than `concurrency` at once; outcomes are
    checked against the stop rules and written in the order they arrive. `on_start` is
    told what earlier sessions finished, before the first problem.

    A problem whose id is done or in flight is not submitted again (a data set may repeat
    an id), so no problem is ever recorded as done twice."""
    concurrency = BenchOptions(concurrency=concurrency).concurrency
    run_dir.mkdir(parents=True, exist_ok=True)  # its summary is written even if nothing ran
    recorder = RunRecorder(run_dir)
    ledger = Ledger.read(recorder.results)
    resumed = ledger.graded
    if on_start is not None:
        on_start(summary_of(ledger, 0.0))

    claimed: set[str] = set()  # submitted, not yet written: in flight or in the write queue

    def recorded(line: ResultLine) -> None:
        ledger.add(line, line.calls)
        claimed.discard(line.problem_id)
        if on_result is not None:
            on_result(line)

    finished: asyncio.Queue[asyncio.Future[ProblemOutcome] | None] = asyncio.Queue()
    writes = WriteQueue(
        recorder,
        recorded,
        on_written=lambda: finished.put_nowait(None),
        inline=concurrency == 1,  # nothing else in flight to serve while the disk syncs
    )
    watch = FaultWatch()
    started = time.perf_counter()
    stopped: str | None = None
    submitted = 0
    todo = iter(problems)
    in_flight: set[asyncio.Future[ProblemOutcome]] = set()
    backlog = WRITE_BACKLOG * concurrency

    def refill() -> None:
        nonlocal submitted
        while len(in_flight) < concurrency and writes.pending < backlog:
            problem = next(todo, None)
            if problem is None:
                return
            if problem.id in ledger.done or problem.id in claimed:
                continue
            claimed.add(problem.id)
            submitted += 1
            future = asyncio.ensure_future(executor.submit(problem))
            in_flight.add(future)
            future.add_done_callback(finished.put_nowait)

    try:
        refill()
        while (in_flight or writes.pending) and stopped is None:
            future = await finished.get()  # a problem finished, or a write (None)
            if future is not None:
                in_flight.discard(future)
                outcome = future.result()  # an executor's own failure ends the run
                if outcome.throttle is not None and on_throttle is not None:
                    on_throttle(outcome.throttle)
                reason = watch.observe(outcome.failure)
                if reason is not None:
                    stopped = reason  # the fault that stops the run is not this problem's:
                    break  # it is left unrecorded, as is what finished beside it
                writes.put(outcome)
            if finished.empty():  # a burst is taken whole before refilling
                refill()
    finally:  # on a stop, failure or cancellation, end the rest rather than leave them; a
        # problem cut off in flight is not recorded, so it runs on resume
        for future in in_flight:
            future.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        try:
            await writes.close()
        finally:
            recorder.close()
    if not ledger.exact:  # the file already held a done problem twice: read it again
        ledger = Ledger.read(recorder.results)
    saved = read_saved_summary(run_dir)  # earlier sessions' wall time
    previous = saved.wall_seconds if saved is not None else 0.0
    budget = read_budget(run_dir)
    summary = summary_of(ledger, previous + time.perf_counter() - started, budget)
    write_summary(run_dir, summary)
    if stopped is not None:
        attempted = resumed + submitted
        raise BenchStoppedError(
            f"bench stopped: {stopped} — {summary.graded} of {_count(problems, attempted)} "
            f"problems are done and kept in {run_dir}; once that is fixed, the same command "
            "resumes",
            summary,
        )
    return summary


def _count(problems: Iterable[Problem], fallback: int) -> int:
    return len(problems) if isinstance(problems, Sized) else fallback
