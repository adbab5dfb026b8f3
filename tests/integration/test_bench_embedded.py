"""`council bench` end to end with the embedded model on three GSM8K problems."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.model]


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "council.main", "bench", *args],
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_bench_three_gsm8k_problems_then_resume_and_report(
    shared_datasets: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    command = [
        "--dataset",
        str(shared_datasets / "gsm8k_train.jsonl"),
        "--shuffle",
        "--seed",
        "0",
        "--limit",
        "3",
        "--protocol",
        "single",
        "--max-tokens",
        "96",
        "--concurrency",
        "2",
        "--out",
        str(out),
    ]
    first = bench(*command)
    assert first.returncode == 0, first.stderr[-2000:]
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert line["gold"] and line["calls"] and line["steps"]
        assert line["prompt_tokens"] > 0 and isinstance(line["correct"], bool)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["problems"] == 3 and 0 <= summary["accuracy"] <= 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["prompt_hashes"]["solver"] and manifest["packages"]["litellm"]
    again = bench(*command)  # a re-run resumes: nothing new to do, nothing duplicated
    assert again.returncode == 0 and "resuming" in again.stderr
    assert len((out / "results.jsonl").read_text().splitlines()) == 3
    report = bench("report", str(out), str(out))
    assert report.returncode == 0, report.stderr
    assert (out / "accuracy_vs_tokens.png").stat().st_size > 1000


def test_bench_with_memory_runs_in_order_and_keeps_its_memory_in_the_run(
    shared_datasets: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = bench(
        "--dataset",
        str(shared_datasets / "gsm8k_train.jsonl"),
        "--limit",
        "2",
        "--protocol",
        "solve",
        "--rounds",
        "1",
        "--max-tokens",
        "64",
        "--memory",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [line["problem_id"] for line in lines] == sorted(line["problem_id"] for line in lines)
    assert json.loads((out / "config.json").read_text())["memory"] is True
    memory = subprocess.run(
        [
            sys.executable,
            "-m",
            "council.main",
            "memory",
            "--db",
            str(out / "memory.sqlite"),
            "--namespace",
            "bench",
            "list",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert memory.returncode == 0, memory.stderr
    accepted = [line for line in lines if line["status"] == "accepted"]
    assert ("no memory" in memory.stdout) == (not accepted)  # learned iff the team verified
