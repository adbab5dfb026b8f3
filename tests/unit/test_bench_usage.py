"""`summary.json` attributes tokens, cost and time to each role and agent (issue 26, point
6), across sessions: a debate run stopped by its budget and resumed counts every graded
problem's calls once, and `council bench report` prints them. Against a loopback server
whose every call costs 7 prompt + 3 completion tokens, at a declared price."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from council.calls import CallCost, usage_of
from council.run_log.summary import summarise_run
from tests.support.cli import CliRun
from tests.support.doubling_stub import bench_command, read_request, reply, write_rows
from tests.support.openai_stub import StubBehaviour
from tests.support.servers import stub_thread


def test_usage_by_role_and_agent_adds_up_across_sessions(
    cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    data = write_rows(tmp_path / "rows.jsonl", range(1, 5), gold="plain")
    run = tmp_path / "run"
    stub = StubBehaviour(responder=lambda body: reply(read_request(body).n))
    with stub_thread(stub) as base:
        command = (*bench_command(data, run, base, "debate"), "--price", "1000,2000")
        first = cli(*command, "--budget-tokens", "100")
        assert first.returncode == 4, first.stderr  # 60 tokens a problem: stopped after 2
        assert len((run / "results.jsonl").read_text().splitlines()) < 4
        last = cli(*command)
        assert last.returncode == 0, last.stderr
    usage = json.loads((run / "summary.json").read_text())["usage"]
    # by hand: Du et al.'s debate, 3 debaters × 2 rounds = 6 calls a problem, 4 problems;
    # a call costs 7 × $0.001 + 3 × $0.002 = $0.013
    assert set(usage["by_role"]) == {"debater"}
    debaters = usage["by_role"]["debater"]
    assert (debaters["calls"], debaters["prompt_tokens"], debaters["completion_tokens"]) == (
        24,
        24 * 7,
        24 * 3,
    )
    assert abs(debaters["cost_usd"] - 24 * 0.013) < 1e-9
    assert sorted(usage["by_agent"]) == ["debater_1", "debater_2", "debater_3"]
    assert {agent["calls"] for agent in usage["by_agent"].values()} == {8}
    assert usage["total"]["total_tokens"] == 240
    # the summary recomputed from the results file, a line at a time, is the same
    recomputed = summarise_run(run).usage
    assert recomputed is not None
    assert recomputed.model_dump(mode="json") == usage

    report = cli("bench", "report", str(run), "--png", str(tmp_path / "plot.png"))
    assert report.returncode == 0, report.stderr
    assert "usage by role and agent" in report.stdout
    assert "debater_3" in report.stdout and "$0.10400" in report.stdout  # 8 × $0.013


def test_agents_are_listed_in_natural_order() -> None:
    calls = [CallCost(role="solver", agent=f"sample_{i}") for i in (10, 2, 1)]
    assert list(usage_of(calls).by_agent) == ["sample_1", "sample_2", "sample_10"]
