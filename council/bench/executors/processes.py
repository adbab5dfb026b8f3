"""Problems in N worker processes on this machine, each with its own event loop, runner
and grader: one Python process spends a few ms of CPU per problem, so against a fast
server a single event loop, not the server, becomes the limit.

The driver sends each worker problems (never more in flight than the run's concurrency,
spread to the least-loaded worker); a worker sends outcomes back as they finish, batched
by a sender thread. Workers are spawned (not forked: the driver has threads) and end with
the driver, however it ends (`council.processes.exit_when_parent_dies`).

The run's rate limiters are the driver's (`council.models.shared_limiter`): each worker asks
them over a pipe of its own (`council.bench.executors.limiter_pipe`), so the workers
together send what the provider accepts, not each of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from council.bench.datasets import Problem
from council.bench.executors.base import ProblemSolver, WorkerDiedError
from council.bench.executors.limiter_pipe import PipeLimiterClient, PipeLimiterServer
from council.bench.heap import settle_for_many_problems
from council.bench.problem import ProblemOutcome
from council.models.limiter import ENDPOINT_LIMITERS
from council.models.shared_limiter import LimiterHost
from council.processes import exit_when_parent_dies
from council.protocols.run_spec import RunSpec

JOIN_SECONDS = 10.0
READY: list[ProblemOutcome] = []
"""A worker's first message: its runner is built (outcomes come in non-empty batches)."""


def serve(spec_json: str, conn: Connection, limiter_conn: Connection, parent_pid: int) -> None:
    """A worker's main: solve the problems the driver sends until it sends None."""
    exit_when_parent_dies(parent_pid)
    asyncio.run(_serve(RunSpec.model_validate_json(spec_json), conn, limiter_conn))


async def _serve(spec: RunSpec, conn: Connection, limiter_conn: Connection) -> None:
    limiters = PipeLimiterClient(limiter_conn)
    ENDPOINT_LIMITERS.share(limiters)
    solver = ProblemSolver(spec)
    settle_for_many_problems()
    conn.send(READY)
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[list[Problem] | None] = asyncio.Queue()
    outbox: queue.SimpleQueue[ProblemOutcome | None] = queue.SimpleQueue()

    def receive() -> None:
        while True:
            try:
                message: list[Problem] | None = conn.recv()
            except (EOFError, OSError):
                message = None
            loop.call_soon_threadsafe(inbox.put_nowait, message)
            if message is None:
                return

    def send() -> None:
        while (first := outbox.get()) is not None:
            batch = [first]
            with contextlib.suppress(queue.Empty):
                while len(batch) < 256:
                    item = outbox.get_nowait()
                    if item is None:
                        conn.send(batch)
                        return
                    batch.append(item)
            conn.send(batch)

    threading.Thread(target=receive, daemon=True).start()
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    running: set[asyncio.Task[None]] = set()

    async def solve(problem: Problem) -> None:
        outbox.put(await solver.solve(problem))

    while (problems := await inbox.get()) is not None:
        for problem in problems:
            task = asyncio.create_task(solve(problem))
            running.add(task)
            task.add_done_callback(running.discard)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    outbox.put(None)
    await asyncio.to_thread(sender.join)
    solver.close()
    limiters.close()


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    limiter: PipeLimiterServer
    ready: asyncio.Future[None]
    pending: dict[str, asyncio.Future[ProblemOutcome]] = field(default_factory=dict)
    outbox: list[Problem] = field(default_factory=list)
    """Problems submitted in this turn of the event loop, sent together at its end."""
    gone: bool = False


class ProcessExecutor:
    """`start()` spawns the workers (each builds its runner: seconds, once), so one
    executor may serve several runs (which then share what their limiters learned);
    `close()` ends them."""

    def __init__(self, spec: RunSpec, workers: int) -> None:
        self.spec = spec
        self.count = workers
        self._workers: list[_Worker] = []
        self._closing = False
        self._flush_due = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.limiters = LimiterHost()

    async def start(self) -> ProcessExecutor:
        self._loop = asyncio.get_running_loop()
        context = multiprocessing.get_context("spawn")
        spec_json = self.spec.to_json()
        for index in range(self.count):
            ours, theirs = context.Pipe()
            limiter_ours, limiter_theirs = context.Pipe()
            name = f"council-bench-worker-{index}"
            process = context.Process(
                target=serve,
                args=(spec_json, theirs, limiter_theirs, os.getpid()),
                name=name,
                daemon=False,  # a worker has children of its own (its grader)
            )
            process.start()
            theirs.close()
            limiter_theirs.close()
            limiter = PipeLimiterServer(self.limiters, limiter_ours, name)
            worker = _Worker(process, ours, limiter, self._loop.create_future())
            self._workers.append(worker)
            threading.Thread(target=self._receive, args=(worker,), daemon=True).start()
        try:  # each built its runner: started together, they share the provider's first window
            await asyncio.gather(*(worker.ready for worker in self._workers))
        except BaseException:
            await self.close()
            raise
        return self

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def submit(self, problem: Problem) -> asyncio.Future[ProblemOutcome]:
        """Queued for the least-loaded worker; what is submitted in one turn of the event
        loop (the driver refills after a burst of finished problems) goes to each worker
        as one message, so the driver and the worker wake once for it, not per problem."""
        assert self._loop is not None, "start() the executor first"
        worker = min(self._workers, key=lambda w: len(w.pending))
        future: asyncio.Future[ProblemOutcome] = self._loop.create_future()
        if worker.gone or not worker.process.is_alive():
            future.set_exception(WorkerDiedError(self._died(worker)))
            return future
        worker.pending[problem.id] = future
        worker.outbox.append(problem)
        if not self._flush_due:
            self._flush_due = True
            self._loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self._flush_due = False
        for worker in self._workers:
            if not worker.outbox:
                continue
            batch, worker.outbox = worker.outbox, []
            try:
                worker.conn.send(batch)
            except (OSError, ValueError):  # it died since: its problems cannot run there
                self._fail(worker)

    def _receive(self, worker: _Worker) -> None:
        """Per worker, a thread: hands each batch of outcomes to the event loop."""
        assert self._loop is not None
        while True:
            try:
                outcomes: list[ProblemOutcome] = worker.conn.recv()
            except (EOFError, OSError):
                if not self._closing:
                    self._loop.call_soon_threadsafe(self._fail, worker)
                return
            self._loop.call_soon_threadsafe(self._deliver, worker, outcomes)

    def _deliver(self, worker: _Worker, outcomes: list[ProblemOutcome]) -> None:
        if not worker.ready.done():
            worker.ready.set_result(None)
        for outcome in outcomes:
            future = worker.pending.pop(outcome.line.problem_id, None)
            if future is not None and not future.done():
                future.set_result(outcome)

    def _fail(self, worker: _Worker) -> None:
        worker.gone = True
        worker.process.join(timeout=1)
        error = WorkerDiedError(self._died(worker))
        if not worker.ready.done():
            worker.ready.set_exception(WorkerDiedError(self._died(worker, "building its runner")))
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(error)
        worker.pending.clear()

    def _died(self, worker: _Worker, doing: str = "problems were in flight") -> str:
        return (
            f"bench worker {worker.process.name} (pid {worker.process.pid}) ended with exit "
            f"code {worker.process.exitcode} while {doing}"
        )

    async def close(self) -> None:
        self._closing = True
        for worker in self._workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in self._workers:
            await asyncio.to_thread(worker.process.join, JOIN_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                await asyncio.to_thread(worker.process.join, JOIN_SECONDS)
            worker.conn.close()
            worker.limiter.close()
        self._workers.clear()
