"""Issue 24: `council bench` against a rate-limited provider on loopback (a sliding second
of 20 requests, 429 with Retry-After: 1 beyond it, 0.2 s per answer), as
`benchmarks/rate_limit.py` runs it, smaller: no problem fails and few requests are wasted,
in one process, in two worker processes and in two Ray actors (which share one limiter).
Speed is the benchmark's to measure, not this test's."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.limited_server import Counts, Limits, limited_server
from council.bench.datasets import Problem
from council.bench.executors.base import Placement
from council.bench.runner import run_on
from council.models.settings import ModelSettings, ModelSpec
from council.protocols.run_spec import RunSpec

ROOT = Path(__file__).resolve().parents[2]


async def bench(base: str, data: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "council.main",
        "bench",
        "--dataset",
        str(data),
        "--out",
        str(out),
        "--protocol",
        "single",
        "--model",
        "openai/limited",
        "--api-base",
        base,
        *extra,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await child.communicate()
    assert child.returncode is not None
    return child.returncode, stdout.decode(), stderr.decode()


def write_data(path: Path, count: int) -> Path:
    rows = [
        {"id": f"p{i}", "question": f"What is 2 + 2? ({i})", "answer": "4"} for i in range(count)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_a_throttled_run_loses_no_problem_and_wastes_few_requests(
    tmp_path: Path, workers: str
) -> None:
    """With two worker processes, too: they ask the driver's limiter, not each its own."""
    counts = Counts()
    data = write_data(tmp_path / "data.jsonl", 100)
    async with limited_server(Limits(), counts) as base:
        options = ["--limit", "100", "--concurrency", "8", "--workers", workers]
        code, stdout, stderr = await bench(base, data, tmp_path / "run", *options)
    assert code == 0, stderr
    assert json.loads(stdout)["errors"] == 0
    assert counts.answered == 100
    assert counts.refused > 0  # the provider did throttle the run
    assert counts.requests <= 1.10 * counts.answered, counts.report()


async def test_resume_on_a_moved_server_is_recorded_and_another_model_refused(
    tmp_path: Path,
) -> None:
    data = write_data(tmp_path / "data.jsonl", 6)
    out = tmp_path / "run"
    unlimited = Limits(per_window=None, answer_seconds=0.0)
    async with limited_server(unlimited, Counts()) as first:
        code, _, stderr = await bench(first, data, out, "--limit", "3", "--workers", "1")
        assert code == 0, stderr
    async with limited_server(unlimited, Counts()) as moved:
        code, stdout, stderr = await bench(moved, data, out, "--limit", "6", "--workers", "1")
        assert code == 0, stderr
        assert json.loads(stdout)["graded"] == 6
        code, _, stderr = await bench(
            moved, data, out, "--limit", "6", "--workers", "1", "--model", "openai/other"
        )
    assert code == 1
    assert "the models changed (default: openai/limited → default: openai/other)" in stderr
    sessions = [json.loads(line) for line in (out / "sessions.jsonl").read_text().splitlines()]
    assert [s["reach"]["models"][0]["api_base"] for s in sessions] == [first, moved]


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.ray
async def test_ray_actors_ask_one_limiter_and_lose_no_problem(
    ray_cluster: None, tmp_path: Path
) -> None:
    from council.bench.executors.ray import RayExecutor

    counts = Counts()
    problems = [Problem(id=f"p{i}", question=f"What is 2 + 2? ({i})", gold="4") for i in range(100)]
    async with limited_server(Limits(), counts) as base:
        model = ModelSpec(name="openai/limited", api_base=base, settings=ModelSettings())
        executor = await RayExecutor(
            RunSpec.on("single", model), Placement(executor="ray", workers=2)
        ).start()
        try:
            summary = await run_on(executor, problems, tmp_path, concurrency=8)
            granted = await executor.limiter.granted.remote()
        finally:
            await executor.close()
    assert summary.errors == 0 and summary.graded == 100
    assert len(granted) == 2 and min(granted.values()) > 0  # both actors asked the one host
    assert sum(granted.values()) == counts.requests  # and it allowed every request sent
    assert counts.refused > 0  # the provider did throttle the run
    assert counts.requests <= 1.10 * counts.answered, counts.report()
