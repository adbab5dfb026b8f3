"""The `council` command as a user meets it: errors in one line, exit codes, refusals
before anything is written. Commands run in this process through `council.main.main`
(the `cli` fixture); only the start-up check needs a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.cli import CliRun
from tests.support.openai_stub import StubBehaviour
from tests.support.servers import free_port, stub_thread

HEAVY = ("langgraph", "litellm", "docker", "llama_cpp", "sympy")


def test_help_lists_commands_without_importing_heavy_libraries() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from council.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(__import__('json').dumps({'help': out.getvalue(), 'heavy': heavy}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["heavy"] == []
    assert "solve" in report["help"]


def test_unknown_model_is_a_clear_one_line_error(cli: Callable[..., CliRun]) -> None:
    done = cli("solve", "1+1", "--model", "nosuchprovider-xyz")
    assert done.returncode == 1
    assert "error: unknown model 'nosuchprovider-xyz'" in done.stderr
    assert "Traceback" not in done.stderr


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.fixture
def arithmetic(tmp_path: Path) -> Path:
    path = tmp_path / "data.jsonl"
    rows = [{"question": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(1, 7)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def bench_args(data: Path, out: Path, api_base: str, *extra: str) -> list[str]:
    """In this process (`--workers 1`): worker processes have their own tier
    (tests/integration/test_bench_workers.py)."""
    return [
        "bench",
        "--dataset",
        str(data),
        "--out",
        str(out),
        "--model",
        "openai/stub",
        "--api-base",
        api_base,
        "--workers",
        "1",
        *extra,
    ]


def test_bench_against_a_dead_server_stops_with_one_line_then_resumes(
    arithmetic: Path, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    port = free_port()
    api_base = f"http://127.0.0.1:{port}/v1"
    command = bench_args(arithmetic, tmp_path / "run", api_base, "--concurrency", "3")
    stopped = cli(*command)  # 3 at once: the retries' backoff overlaps
    assert stopped.returncode == 1, stopped.stderr[-2000:]
    assert "Traceback" not in stopped.stderr
    [line] = error_lines(stopped.stderr)
    assert line.startswith("error: bench stopped: 3 problems in a row failed: cannot reach model")
    assert f"127.0.0.1:{port}" in line and "the same command resumes" in line
    results = (tmp_path / "run" / "results.jsonl").read_text().splitlines()
    # two errors recorded; the third failure stops the run and is left for the resume
    assert len(results) == 2 and all(json.loads(r)["error"] for r in results)

    with stub_thread(StubBehaviour(reply="ANSWER: 4"), port):
        resumed = cli(*command)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    summary = json.loads(resumed.stdout)
    assert summary["problems"] == 6 and summary["errors"] == 0 and summary["correct"] == 1


def test_bench_that_ends_with_errors_exits_non_zero_and_shows_them(
    arithmetic: Path, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    """One refused request (a 400) costs one problem; the run finishes, and says so."""
    with stub_thread(StubBehaviour(fail_first=1, fail_status=400)) as base:
        done = cli(*bench_args(arithmetic, tmp_path / "run", base, "--concurrency", "1"))
    assert done.returncode == 3, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["problems"] == 6 and summary["errors"] == 1 and summary["graded"] == 5
    assert summary["accuracy"] == pytest.approx(1 / 6)  # the stub says 4: right for 2 + 2
    assert summary["accuracy_graded"] == pytest.approx(1 / 5)
    assert "accuracy 16.7% over 6 attempted" in done.stderr and "1 error" in done.stderr
    assert error_lines(done.stderr) == [
        f"error: 1 problem failed (see `error` in {tmp_path / 'run' / 'results.jsonl'}); "
        "the same command runs them again"
    ]
    report = cli("bench", "report", str(tmp_path / "run"), "--png", str(tmp_path / "a.png"))
    assert report.returncode == 0, report.stderr
    assert "errors" in report.stdout and "graded only" in report.stdout
    assert "16.7%" in report.stdout and "20.0% of 5" in report.stdout


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--concurrency", "0"], "--concurrency must be a whole number from 1 to 256 (got 0)"),
        (["--agents", "0"], "--agents must be a whole number from 1 to 32 (got 0)"),
        (["--rounds", "500"], "--rounds must be a whole number from 1 to 20 (got 500)"),
        (["--samples", "0"], "--samples must be a whole number from 1 to 256 (got 0)"),
        (["--limit", "0"], "--limit must be a whole number at least 1 (got 0)"),
        (["--limit", "-3"], "--limit must be a whole number at least 1 (got -3)"),
        (["--temperature", "-1"], "--temperature must be a number from 0.0 to 2.0 (got -1.0)"),
        (["--max-tokens", "0"], "--max-tokens must be a whole number from 1 to 1000000 (got 0)"),
        (["--seed", "-1"], "--seed must be a whole number from 0 to 4294967295 (got -1)"),
        (["--timeout", "0"], "--timeout must be a number above 0.0 and at most 86400.0 (got 0.0)"),
        (["--agents", "3"], "protocol 'single' does not use --agents; its options: none"),
        (["--corpus", "docs.jsonl"], "protocol 'single' does not use --corpus; its options: none"),
        (
            ["--protocol", "tir", "--samples", "4"],
            "protocol 'tir' does not use --samples; its options: --max-executions, --tir",
        ),
    ],
)
def test_bench_refuses_invalid_numbers_with_the_valid_range(
    option: list[str], message: str, arithmetic: Path, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    done = cli(*bench_args(arithmetic, tmp_path / "run", "http://127.0.0.1:9/v1"), *option)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: {message}"]
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_bench_on_ray_without_ray_says_how_to_get_it(
    arithmetic: Path, tmp_path: Path, cli: Callable[..., CliRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ray made unimportable whether or not it is installed (None in sys.modules makes
    `import ray` fail as a missing package does)."""
    monkeypatch.setitem(sys.modules, "ray", None)
    done = cli(
        *bench_args(arithmetic, tmp_path / "run", "http://127.0.0.1:9/v1", "--executor", "ray")
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: --executor ray needs Ray: pip install 'council-reasoning[ray]'"
    ]
    assert not (tmp_path / "run").exists()  # refused before anything was written


def test_solve_against_a_refusing_server_exits_non_zero_with_one_line(
    cli: Callable[..., CliRun],
) -> None:
    port = free_port()
    done = cli(
        "solve",
        "What is 2 + 2?",
        "--model",
        "openai/stub",
        "--api-base",
        f"http://127.0.0.1:{port}/v1",
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert error_lines(done.stderr) == [done.stderr.strip().splitlines()[-1]]
    assert f"error: cannot reach model 'openai/stub' at http://127.0.0.1:{port}/v1" in done.stderr


def test_solve_refuses_invalid_rounds(cli: Callable[..., CliRun]) -> None:
    done = cli("solve", "1+1", "--rounds", "0", "--model", "openai/stub")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: --rounds must be a whole number from 1 to 20 (got 0)"
