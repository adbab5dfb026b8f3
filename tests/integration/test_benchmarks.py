"""Every script in benchmarks/ runs from a checkout at smoke size and says how to reproduce
what it prints: a script that no longer runs against today's council fails here, not in
front of the next person who measures. The figures themselves are not asserted (no timed
assertions); only that each script ends cleanly and prints its command, date and machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.loopback import stub_process

REPO = Path(__file__).resolve().parents[2]
ARITHMETIC = REPO / "examples" / "data" / "arithmetic.jsonl"

pytestmark = pytest.mark.integration


def run_script(name: str, *args: str, timeout: float = 300) -> str:
    """`python benchmarks/NAME ARGS` in a fresh interpreter from the repository's root, as
    a user runs it; returns its stdout. (Never writing a measurements page.)"""
    env = {k: v for k, v in os.environ.items() if k != "COUNCIL_MEASUREMENTS"}
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    command = f"# command: python benchmarks/{name} {' '.join(args)}".rstrip()
    assert command in lines, done.stdout[:2000]
    assert any(line.startswith("# date: ") for line in lines)
    assert any(line.startswith("# machine: ") for line in lines)
    return done.stdout


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("overhead.py", ["--problems", "3", "--batches", "1"]),
        ("call_cpu.py", ["--calls", "3", "--repeats", "1"]),
        ("runner_pieces.py", ["--problems", "3", "--rounds", "1"]),
        ("workers_cpu.py", ["--count", "8", "--concurrency", "4"]),
        ("bench_scale.py", ["--sizes", "20", "--concurrency", "4"]),
        ("bench_throughput.py", ["--fixed-delay", "0.02", "--levels", "1,2", "--per-level", "1"]),
        ("rate_limit.py", ["--problems", "20", "--concurrency", "4", "--workers", "1"]),
    ],
)
def test_cpu_and_throughput_probes_run_at_smoke_size(script: str, args: list[str]) -> None:
    """These start their own loopback stub server: nothing else is needed."""
    assert run_script(script, *args).count("\n") > 4  # its figures follow the header


def test_accuracy_cot_reference_and_replay_run_at_smoke_size(tmp_path: Path) -> None:
    """The accuracy table (which runs `council bench` and `cot_reference.py`) against the
    stub, then the cascade replay over the runs it wrote."""
    out = tmp_path / "runs"
    with stub_process(0.0, "--reply", "so the answer is \\boxed{12}") as api_base:
        printed = run_script(
            "accuracy.py",
            "--limit",
            "2",
            "--dataset",
            str(ARITHMETIC),
            "--model",
            "openai/stub",
            "--api-base",
            api_base,
            "--out",
            str(out),
            "--only",
            "single",
            "self-consistency",
            "cascade",
            "cot-reference",
        )
    assert "| single |" in printed and "| cascade |" in printed
    replayed = run_script(
        "replay_cascade.py",
        "--greedy",
        str(out / "single"),
        "--samples",
        str(out / "self-consistency"),
        "--live",
        str(out / "cascade"),
        "--limits",
        "2,3",
    )
    assert "replay reproduces 2 of 2 answers" in replayed


@pytest.mark.docker
def test_sandbox_probe_runs_at_smoke_size() -> None:
    assert "warm print(1+1)" in run_script("sandbox.py", "--calls", "5")


@pytest.mark.browser
def test_web_latency_probe_runs_at_smoke_size() -> None:
    assert "first streamed step" in run_script("web_latency.py", "--questions", "2")


@pytest.mark.model
def test_llama_contention_probe_runs_at_smoke_size() -> None:
    printed = run_script("llama_contention.py", "--requests", "1", "--tokens", "8")
    assert "| default |" in printed and "| PASSIVE |" in printed
