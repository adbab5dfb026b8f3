"""Issue 24: `council bench` against a rate-limited provider on loopback (a sliding second
of 20 requests, 429 with Retry-After: 1 beyond it, 0.2 s per answer), as
`benchmarks/rate_limit.py` runs it, smaller: no problem fails and few requests are wasted.
Speed is the benchmark's to measure, not this test's."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.support.limited_server import Counts, Limits, limited_server

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


async def test_a_throttled_run_loses_no_problem_and_wastes_few_requests(tmp_path: Path) -> None:
    counts = Counts()
    data = write_data(tmp_path / "data.jsonl", 100)
    async with limited_server(Limits(), counts) as base:
        code, stdout, stderr = await bench(
            base, data, tmp_path / "run", "--limit", "100", "--concurrency", "8", "--workers", "1"
        )
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
