"""The worker-process executor's driver side, without processes: problems submitted in
one turn of the event loop travel to each worker as one message, and a worker that can no
longer be reached fails its problems rather than leaving them waiting."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest

from council.bench.datasets import Problem
from council.bench.executors.base import WorkerDiedError
from council.bench.executors.processes import ProcessExecutor, _Worker
from council.protocols.run_spec import RunSpec

PROBLEMS = [Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(7)]


class FakeProcess:
    name = "council-bench-worker-test"
    pid = 1
    exitcode = None

    def is_alive(self) -> bool:
        return True

    def join(self, timeout: float | None = None) -> None:
        return None


class FakeConn:
    def __init__(self, broken: bool = False) -> None:
        self.sent: list[list[Problem]] = []
        self.broken = broken

    def send(self, message: list[Problem]) -> None:
        if self.broken:
            raise BrokenPipeError("the worker is gone")
        self.sent.append(message)


def executor_with(*conns: FakeConn) -> ProcessExecutor:
    recipe = RunSpec(graph="single")
    executor = ProcessExecutor(recipe, workers=len(conns))
    executor._loop = asyncio.get_running_loop()
    fake: Any = FakeProcess()
    no_limiter: Any = None  # these tests make no model calls
    ready = executor._loop.create_future()
    ready.set_result(None)
    executor._workers = [
        _Worker(fake, conn, no_limiter, ready)  # type: ignore[arg-type]
        for conn in conns
    ]
    return executor


async def test_problems_submitted_together_reach_each_worker_as_one_message() -> None:
    first, second = FakeConn(), FakeConn()
    executor = executor_with(first, second)
    for problem in PROBLEMS:
        executor.submit(problem)
    assert first.sent == [] and second.sent == []  # sent when this turn of the loop ends
    await asyncio.sleep(0)
    assert [len(batch) for batch in first.sent] == [4]  # spread to the least loaded
    assert [len(batch) for batch in second.sent] == [3]
    executor.submit(PROBLEMS[0].model_copy(update={"id": "again"}))
    await asyncio.sleep(0)
    assert [len(batch) for batch in second.sent] == [3, 1]


async def test_a_worker_that_cannot_be_reached_fails_its_problems() -> None:
    executor = executor_with(FakeConn(broken=True))
    futures = [executor.submit(problem) for problem in PROBLEMS[:3]]
    await asyncio.sleep(0)
    for future in futures:
        with pytest.raises(WorkerDiedError, match="council-bench-worker-test"):
            future.result()
    later = executor.submit(PROBLEMS[3])  # and no more go to it
    with pytest.raises(WorkerDiedError):
        later.result()


def test_settling_the_heap_freezes_what_exists_and_collects_young_objects_less_often() -> None:
    code = (
        "import gc, json\n"
        "from council.bench.heap import YOUNG_THRESHOLD, settle_for_many_problems\n"
        "before = gc.get_freeze_count()\n"
        "settle_for_many_problems()\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()[0], "
        "YOUNG_THRESHOLD]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after, threshold, wanted = json.loads(done.stdout)
    assert before == 0 and after > 1000 and threshold == wanted
