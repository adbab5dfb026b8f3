"""`tir` through the real Docker sandbox against QwenLM/Qwen2.5-Math's math_eval.py
(tests/fixtures/references/tir.*.json): with the reference's replies scripted, council
sends the reference's requests byte for byte, runs the programs it runs, shows each output
exactly as its PythonExecutor formats it (auto mode, error's last line, 400 characters,
the 5 s timeout) and ends with the same turn and answer."""

from __future__ import annotations

import pytest

from council.config import CouncilConfig
from council.graphs.state import CouncilState
from council.protocols import RunSpec
from tests.integration.test_sandbox import docker_ready
from tests.support.tir_reference import TIR_CASES, assert_same_calls, tir_case

pytestmark = [
    pytest.mark.integration,
    pytest.mark.docker,
    pytest.mark.skipif(not docker_ready(), reason="needs the Docker engine and sandbox image"),
]


@pytest.mark.parametrize("case", TIR_CASES)
async def test_tir_in_the_sandbox_matches_the_reference(case: str) -> None:
    reference = tir_case(case)
    runner = RunSpec(graph="tir", config=CouncilConfig()).build(models=reference.scripted_model())
    result = await runner.arun(reference.problem)
    assert_same_calls(result.calls, reference)
    turn = CouncilState.model_validate(result.state).turns[0]
    assert [(t.arguments["code"], t.output) for t in turn.tool_traces] == [
        (e.program, e.output) for e in reference.executions
    ]
    assert turn.text == reference.turn
    assert result.answer == reference.answer
