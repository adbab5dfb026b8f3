"""`council solve --graph P` and `council bench --protocol P` run the same protocol: on the
same question they send a loopback server the same requests (how many, the messages, the
decoding), whatever defaults the protocol has. Both go through the real CLI and HTTP."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from council.protocols import PROTOCOLS
from tests.support.openai_stub import StubBehaviour, openai_stub

pytestmark = [pytest.mark.integration, pytest.mark.docker]  # tir and pot open a sandbox

QUESTION = "Tom has 3 apples and buys 1 more. How many apples does he have?"
REPLY = "He has 3 + 1 = 4 apples. The answer is \\boxed{4}."


async def council(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "council.main",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode == 0, err.decode()[-2000:]


def canonical(requests: list[dict[str, Any]]) -> list[str]:
    """Each request body as sorted JSON, the list sorted: parallel agents interleave."""
    return sorted(json.dumps(body, sort_keys=True) for body in requests)


@pytest.mark.parametrize("protocol", list(PROTOCOLS))
async def test_solve_and_bench_send_the_same_requests(protocol: str, tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"question": QUESTION, "answer": "4"}) + "\n")
    behaviour = StubBehaviour(reply=REPLY)
    async with openai_stub(behaviour) as base:
        model = ["--model", "openai/stub", "--api-base", base]
        await council("solve", QUESTION, "--graph", protocol, "--json", *model)
        solved = canonical(behaviour.requests)
        behaviour.requests.clear()
        await council(
            "bench",
            "--protocol",
            protocol,
            "--dataset",
            str(data),
            "--out",
            str(tmp_path / "run"),
            "--concurrency",
            "1",
            "--workers",
            "1",
            *model,
        )
        benched = canonical(behaviour.requests)
    assert solved, f"{protocol} sent no request"
    assert benched == solved
