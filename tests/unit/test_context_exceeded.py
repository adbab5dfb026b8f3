"""A prompt beyond the model's context is the problem's own outcome, not a fault of the run:
a debate whose second round no longer fits (Qwen2.5-Coder-0.5B wrote a reply long enough
that the next round's prompt asked for 9291 of its server's 8192 tokens) ends with no
answer, status `context_exceeded`, counted wrong, with the calls it made recorded, and a
resume does not run it again (with a seed it would fail the same way, and retrying until a
shorter reply fits would pick the replies that are scored). The refusal is the embedded
server's own message (`council.models.llama_server`, llama-cpp-python's wording)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.cli import CliRun
from tests.support.doubling_stub import read_request, reply, write_rows
from tests.support.openai_stub import StubBehaviour
from tests.support.servers import stub_thread

TOO_LONG = (
    "This model's maximum context length is 8192 tokens. However, you requested 9291 "
    "tokens (9291 in the messages, None in the completion). Please reduce the length of "
    "the messages or completion."
)
OVERFLOWS = 1
"""The problem (n) whose second debate round does not fit."""


def refuse_second_round_of_problem_1(body: dict[str, object]) -> tuple[int, str] | None:
    request = read_request(body)
    return (400, TOO_LONG) if request.n == OVERFLOWS and request.has_role("assistant") else None


def behaviour() -> StubBehaviour:
    return StubBehaviour(
        responder=lambda body: reply(read_request(body).n),
        refuser=refuse_second_round_of_problem_1,
    )


def test_a_debate_beyond_the_context_is_wrong_kept_and_not_run_again(
    cli: Callable[..., CliRun], tmp_path: Path
) -> None:
    data = write_rows(tmp_path / "rows.jsonl", [1, 2], gold="plain")
    out = tmp_path / "run"
    stub = behaviour()
    command = (
        *("bench", "--dataset", str(data), "--protocol", "debate", "--seed", "0"),
        *("--model", "openai/stub", "--concurrency", "1", "--out", str(out)),
    )
    with stub_thread(stub) as base:
        done = cli(*command, "--api-base", base)
        sent = len(stub.requests)
        again = cli(*command, "--api-base", base)
        assert len(stub.requests) == sent  # nothing was run again
    assert (done.returncode, again.returncode) == (0, 0)
    # problem 2: 3 debaters x 2 rounds; problem 1: its 3 first-round calls, then the
    # second round's first refused call ends it (the others may or may not have been sent)
    assert 3 + 1 + 6 <= sent <= 3 + 3 + 6
    lines = {
        json.loads(line)["problem_id"]: json.loads(line)
        for line in (out / "results.jsonl").read_text().splitlines()
    }
    (overflowed,) = [line for line in lines.values() if line["question"].startswith("What is 1 ")]
    assert overflowed["status"] == "context_exceeded"
    assert overflowed["error"] is None and overflowed["answer"] is None
    assert not overflowed["correct"]
    assert "maximum context length is 8192 tokens" in overflowed["failure"]
    assert overflowed["call_count"] == 3 == len(overflowed["calls"])  # the first round's
    assert [c["round"] for c in overflowed["calls"]] == [1, 1, 1]
    assert overflowed["prompt_tokens"] + overflowed["completion_tokens"] == 3 * 10
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["problems"], summary["graded"], summary["errors"]) == (2, 2, 0)
    assert (summary["correct"], summary["context_exceeded"]) == (1, 1)
    assert "1 problem ended by a prompt beyond the model's context (counted wrong)" in (
        done.stdout + done.stderr
    )


def test_solve_beyond_the_context_exits_non_zero_with_the_models_message(
    cli: Callable[..., CliRun],
) -> None:
    with stub_thread(behaviour()) as base:
        done = cli(
            *("solve", "What is 1 + 1?", "--graph", "debate", "--seed", "0"),
            *("--model", "openai/stub", "--api-base", base),
        )
    assert done.returncode == 1
    assert "context_exceeded after 2 round(s); 30 tokens in 3 calls" in done.stdout
    assert "error: " in done.stderr and "maximum context length is 8192 tokens" in done.stderr
