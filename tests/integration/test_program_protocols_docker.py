"""`pot` through the real Docker sandbox with a scripted model: the printed result is the
answer, a failing program gives none. (`tir` against its reference in the sandbox:
test_tir_reference_docker.py.)"""

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
