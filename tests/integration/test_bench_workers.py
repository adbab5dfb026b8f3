"""`council bench --workers N` and `--executor ray` against the loopback stub server in its
own process: every problem recorded exactly once (also after a resume and after a Ray
worker is killed mid-problem), worker processes ending with the driver."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.bench.datasets import Problem
from council.bench.executors.base import Placement, WorkerDiedError
from council.bench.executors.processes import ProcessExecutor
from council.bench.runner import run_on
from council.models.settings import ModelSettings, ModelSpec
from council.protocols.run_spec import RunSpec
from council.run_log.message_store import MessageStore
from council.run_log.results import ResultsFile
from tests.support.processes import cmdline, descendants, kill_all, wait_until_gone
from tests.support.servers import stub_process

pytestmark = pytest.mark.integration

PROBLEMS = [
    Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(1, 13)
]


def recipe(api_base: str) -> RunSpec:
    settings = ModelSettings(max_retries=0, timeout_seconds=30)
    model = ModelSpec(name="openai/stub", api_base=api_base, settings=settings)
    return RunSpec.on("single", model)


def recorded_ids(run_dir: Path) -> Counter[str]:
    return Counter(line.problem_id for line in ResultsFile(run_dir / "results.jsonl").read())


@pytest.fixture(scope="module")
def slow_stub() -> Iterator[str]:
    with stub_process(delay=0.5) as base:
        yield base


async def test_worker_processes_record_every_problem_once_and_resume(
    slow_stub: str, tmp_path: Path
) -> None:
    executor = await ProcessExecutor(recipe(slow_stub), workers=2).start()
    try:
        first = await run_on(executor, PROBLEMS[:5], tmp_path, concurrency=4)
        assert first.graded == 5
        summary = await run_on(executor, PROBLEMS, tmp_path, concurrency=6)
    finally:
        await executor.close()
    assert recorded_ids(tmp_path) == Counter(p.id for p in PROBLEMS)  # each exactly once
    assert summary.graded == 12 and summary.errors == 0
    assert summary.correct == 1  # the stub answers 4: only "2 + 2" is right
    lines = ResultsFile(tmp_path / "results.jsonl").read()
    stored = MessageStore(tmp_path).read()
    for line in lines:  # the driver's writer stored each message the line names
        assert line.calls and all(h in stored for h in line.calls[0].message_hashes)


async def test_a_dead_worker_process_stops_the_run_keeping_what_finished(
    tmp_path: Path,
) -> None:
    with stub_process(delay=3.0) as base:
        executor = await ProcessExecutor(recipe(base), workers=2).start()
        try:
            run = asyncio.create_task(run_on(executor, PROBLEMS, tmp_path, concurrency=4))
            await asyncio.sleep(0.5)  # problems are with the (slow) server
            os.kill(executor.pids[0], signal.SIGKILL)
            with pytest.raises(WorkerDiedError, match="ended with exit code -9"):
                await run
        finally:
            await executor.close()
    assert recorded_ids(tmp_path) == Counter()  # nothing had finished: nothing half-written


def test_bench_workers_end_with_the_driver(slow_stub: str, tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text(
        "".join(json.dumps({"question": p.question, "answer": p.gold}) + "\n" for p in PROBLEMS)
    )
    bench = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "council.main",
            "bench",
            "--dataset",
            str(data),
            "--question-field",
            "question",
            "--answer-field",
            "answer",
            "--model",
            "openai/stub",
            "--api-base",
            slow_stub,
            "--workers",
            "2",
            "--concurrency",
            "2",
            "--out",
            str(tmp_path / "run"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and bench.poll() is None and len(workers) < 2:
            workers = {p for p in descendants(bench.pid) if "multiprocessing.spawn" in cmdline(p)}
            time.sleep(0.2)
        assert len(workers) >= 2, "the bench did not start its worker processes"
        everything = descendants(bench.pid)
        os.kill(bench.pid, signal.SIGKILL)
        bench.wait(timeout=10)
        assert wait_until_gone(everything, seconds=15) == set()
    finally:
        if bench.poll() is None:
            bench.kill()
        kill_all(descendants(bench.pid) | workers)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}},
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.ray
async def test_ray_run_survives_a_killed_worker_recording_each_problem_once(
    ray_cluster: None, tmp_path: Path
) -> None:
    from council.bench.executors.ray import RayExecutor

    with stub_process(delay=2.0) as base:
        executor = await RayExecutor(recipe(base), Placement(executor="ray", workers=2)).start()
        try:
            before = {pid for pid, _ in await executor.load()}
            run = asyncio.create_task(run_on(executor, PROBLEMS, tmp_path, concurrency=6))
            victim = None
            deadline = time.monotonic() + 60
            while victim is None and time.monotonic() < deadline and not run.done():
                busy = [pid for pid, in_flight in await executor.load() if in_flight > 0]
                victim = busy[0] if busy else None
                await asyncio.sleep(0.1)
            assert victim is not None, "no Ray worker was running a problem"
            os.kill(victim, signal.SIGKILL)  # mid-problem: the stub answers after 2 s
            summary = await asyncio.wait_for(run, timeout=180)
            after = {pid for pid, _ in await executor.load()}
        finally:
            await executor.close()
    assert recorded_ids(tmp_path) == Counter(p.id for p in PROBLEMS)  # none lost, none twice
    assert summary.graded == 12 and summary.errors == 0
    assert victim in before and victim not in after  # Ray restarted the killed actor
