"""`tir` and `pot` through the real Docker sandbox with a scripted model: the blocks run
in one session (state carries from block to block), real output is fed back into the
assistant turn, and the printed result is the answer."""

from __future__ import annotations

import pytest

from council.config import CouncilConfig
from council.graphs.state import CouncilState
from council.models.scripted import ScriptedModel
from council.protocols import RunSpec
from tests.integration.test_sandbox import docker_ready

pytestmark = [
    pytest.mark.integration,
    pytest.mark.docker,
    pytest.mark.skipif(not docker_ready(), reason="needs the Docker engine and sandbox image"),
]


async def test_tir_blocks_share_the_sandbox_session_and_see_real_output() -> None:
    model = ScriptedModel(
        [
            "First the primes.\n```python\nimport sympy\nprimes = list(sympy.primerange(2, 30))\n"
            "print(len(primes))\n```",
            "Now their sum.\n```python\nprint(sum(primes))\n```",
            "The sum of the primes below 30 is \\boxed{129}.",
        ]
    )
    runner = RunSpec(graph="tir", config=CouncilConfig()).build(models=model)
    result = await runner.arun("What is the sum of the primes below 30?")
    assert result.answer == "129"
    assert model.calls[1][-1].content.endswith("```output\n10\n```\n")
    assert model.calls[2][-1].content.endswith("```output\n129\n```\n")  # `primes` persisted
    traces = CouncilState.model_validate(result.state).turns[0].tool_traces
    assert [t.output for t in traces] == ["10", "129"]


async def test_pot_prints_the_answer_from_the_sandbox() -> None:
    model = ScriptedModel(["```python\nfrom math import comb\nprint(comb(10, 3))\n```"])
    result = (
        await RunSpec(graph="pot", config=CouncilConfig()).build(models=model).arun("10 choose 3?")
    )
    assert result.answer == "120"


async def test_pot_error_in_the_sandbox_is_no_answer() -> None:
    model = ScriptedModel(["```python\nprint(undefined_name)\n```"])
    result = await RunSpec(graph="pot", config=CouncilConfig()).build(models=model).arun("q")
    assert result.answer is None
    turn = CouncilState.model_validate(result.state).turns[0]
    assert "NameError" in turn.tool_traces[0].output
