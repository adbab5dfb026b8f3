"""`council bench --budget-tokens/--budget-usd`: on reaching the budget no new problem
starts, what finished is kept, the command exits 4 with one line saying what to raise, and
the same command with a larger budget resumes, counting what earlier sessions spent; no
problem runs twice. Against a loopback server whose every call costs 10 tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import CliRun
from tests.support.doubling_stub import bench_command, read_request, reply, write_rows
from tests.support.openai_stub import StubBehaviour
from tests.support.servers import stub_thread

TOKENS_PER_CALL = 10  # the stub's usage: 7 prompt + 3 completion tokens


def done_problems(run: Path) -> int:
    return len((run / "results.jsonl").read_text().splitlines())


def test_a_token_budget_stops_the_run_and_a_larger_one_resumes(
    cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    data = write_rows(tmp_path / "rows.jsonl", range(1, 11), gold="plain")
    run = tmp_path / "run"
    stub = StubBehaviour(responder=lambda body: reply(read_request(body).n))
    with stub_thread(stub) as base:
        command = bench_command(data, run, base, "single")
        first = cli(*command, "--budget-tokens", "35")
        # by hand: one call (10 tokens) a problem; the 4th brings 40 >= 35, so no problem
        # starts after it (but the 5th, if it started while the 4th's line was written)
        kept = done_problems(run)
        assert first.returncode == 4, first.stderr
        assert kept in (4, 5)
        assert (
            f"error: the run's budget stopped it: max_tokens 35 reached ({10 * kept} spent); "
            f"{kept} problems are kept in {run}; raise --budget-tokens/--budget-usd" in first.stderr
        )
        raised = 10 * kept + 25  # what earlier sessions spent counts: 3 more problems
        second = cli(*command, "--budget-tokens", str(raised))
        assert second.returncode == 4 and done_problems(run) in (kept + 3, kept + 4)
        last = cli(*command)
        assert last.returncode == 0 and done_problems(run) == 10
        assert len(stub.requests) == 10  # no problem ran twice
    summary = json.loads((run / "summary.json").read_text())
    assert (summary["problems"], summary["tokens_total"]) == (10, 10 * TOKENS_PER_CALL)


def test_a_cost_budget_uses_the_declared_price(cli: Callable[..., CliRun], tmp_path: Path) -> None:
    data = write_rows(tmp_path / "rows.jsonl", range(1, 11), gold="plain")
    run = tmp_path / "run"
    stub = StubBehaviour(responder=lambda body: reply(read_request(body).n))
    with stub_thread(stub) as base:
        done = cli(
            *bench_command(data, run, base, "single"),
            *("--price", "1000,1000", "--budget-usd", "0.025"),
        )
    # by hand: 10 tokens at $1000 per million = $0.01 a problem; the 3rd reaches $0.03
    kept = done_problems(run)
    assert done.returncode == 4 and kept in (3, 4)
    assert f"max_cost_usd 0.025 reached (${kept / 100:.4f} spent)" in done.stderr


def test_a_budget_beside_a_baseline_is_refused_before_anything_runs(
    cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    data = write_rows(tmp_path / "rows.jsonl", range(1, 3), gold="plain")
    done = cli(
        *("bench", "--dataset", str(data), "--protocol", "debate", "--baseline"),
        *("--model", "openai/stub", "--budget-tokens", "100", "--out", str(tmp_path / "run")),
    )
    assert done.returncode == 1
    assert "error: --budget-tokens/--budget-usd gate the run's own problems" in done.stderr
    assert not (tmp_path / "run").exists()
