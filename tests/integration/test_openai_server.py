"""litellm → a real OpenAI-compatible server (llama_cpp.server) on loopback."""

from __future__ import annotations

import pytest

from council import CouncilConfig, ModelSettings, ModelSpec, ProtocolOptions, RunSpec
from council.messages import Message
from council.models.factory import build_model

pytestmark = [pytest.mark.integration, pytest.mark.model]

FAST = ModelSettings(max_tokens=48, temperature=0.0, seed=0, max_retries=1)


async def test_completion_through_openai_compatible_server(llama_server: str) -> None:
    model = build_model(ModelSpec(name="openai/smollm2", api_base=llama_server, settings=FAST))
    completion = await model.complete([Message.user("Say hello.")])
    assert completion.text.strip()
    assert completion.usage.completion_tokens > 0


async def test_council_over_openai_compatible_server(llama_server: str) -> None:
    spec = ModelSpec(name="openai/smollm2", api_base=llama_server, settings=FAST)
    result = (
        await RunSpec(config=CouncilConfig(model=spec), options=ProtocolOptions(rounds=1))
        .build()
        .arun("What is 4 + 4?")
    )
    assert {c.role for c in result.calls} >= {"planner", "solver", "verifier"}
    assert all(call.model == "openai/smollm2" for call in result.calls)
    assert all(c.reply and c.finish_reason in ("stop", "length") for c in result.calls)
    assert result.status in ("accepted", "exhausted")
    assert result.usage.total.prompt_tokens > 0
