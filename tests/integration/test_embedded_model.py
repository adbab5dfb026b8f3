"""The embedded SmolLM2 through the same litellm path users take; nothing mocked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from council import CouncilConfig, ModelSettings, ModelSpec, ProtocolOptions, RunSpec
from council.messages import Message
from council.models.factory import build_model
from council.models.local_server import LocalServers
from council.models.openai_http import OpenAICompatibleModel

pytestmark = [pytest.mark.integration, pytest.mark.model]

FAST = ModelSettings(max_tokens=48, temperature=0.0, seed=0)


async def test_local_provider_completes_with_usage() -> None:
    model = build_model(ModelSpec(name="local/smollm2", settings=FAST))
    completion = await model.complete([Message.user("Say hello.")])
    assert completion.text.strip()
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.completion_tokens > 0
    assert completion.usage.cost_usd == 0.0
    assert completion.model == "local/smollm2"


async def test_model_loads_once_per_process() -> None:
    """Aliases of one file share one child server: the weights load once."""
    servers = LocalServers()
    first = OpenAICompatibleModel(ModelSpec(name="local/smollm2", settings=FAST), servers)
    second = OpenAICompatibleModel(ModelSpec(name="local/smollm2-135m", settings=FAST), servers)
    try:
        await first.complete([Message.user("One.")])
        pid = servers.server_for("smollm2").pid
        await second.complete([Message.user("Two.")])
        assert servers.server_for("smollm2-135m") is servers.server_for("smollm2")
        assert servers.server_for("smollm2").pid == pid
    finally:
        servers.close()


async def test_gguf_path_model_string(embedded_gguf: object) -> None:
    model = build_model(f"{embedded_gguf}")  # a bare .gguf path means local/<path>
    assert model.name.startswith("local/")
    completion = await model.complete([Message.user("Hi")], settings=FAST)
    assert completion.text


async def test_council_solves_with_embedded_model() -> None:
    council = RunSpec(
        config=CouncilConfig(model=ModelSpec(settings=FAST)), options=ProtocolOptions(rounds=1)
    ).build()
    result = await council.arun("What is 2 + 3?")
    assert result.answer
    assert result.status in ("accepted", "exhausted")
    roles = {step.role for step in result.steps}
    assert {"planner", "solver", "verifier"} <= roles
    assert result.usage.by_role["solver"].completion_tokens > 0
    assert result.usage.total.seconds > 0


def test_cli_solve_json_with_embedded_model() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "council.main",
            "solve",
            "What is 2 + 3?",
            "--json",
            "--rounds",
            "1",
            "--max-tokens",
            "48",
            "--temperature",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["answer"]
    assert payload["steps"] and all({"role", "content"} <= set(s) for s in payload["steps"])
    assert payload["usage"]["total"]["total_tokens"] > 0
    assert "planner" in payload["usage"]["by_role"]
    assert payload["seconds"] > 0
