"""`tir` on the embedded SmolLM2 (llama-cpp-python's server in council's child process),
nothing mocked but the sandbox: a recording proxy between council and the real server
shows that the continuation went to the raw /completions endpoint as one prompt that
extends the first request's prompt, so the model continued its own turn (the reference's
way, QwenLM/Qwen2.5-Math math_eval.py:298, 322), not a new one."""

from __future__ import annotations

import asyncio

import pytest

from council.models.local_server import LocalServers
from council.models.openai_http import OpenAICompatibleModel
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, RunSpec
from council.tools.sandbox.result import ExecutionResult
from tests.support.recording_proxy import Recording, recording_proxy
from tests.support.sandbox import ScriptedSandbox

pytestmark = [pytest.mark.integration, pytest.mark.model]

PROBLEM = "Copy this code block exactly, and nothing else:\n```python\nprint(48 + 24)\n```"
"""Asks for a program alone, so even a 135M model ends its first reply at a block (greedy
SmolLM2-135M-Instruct Q4_1 writes the block with a comment line in it), which makes the
next call a continuation."""


async def test_the_continuation_is_a_raw_completion_extending_the_first_prompt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servers = LocalServers()
    server = servers.server_for("smollm2")
    recording = Recording()
    sandbox = ScriptedSandbox(lambda code: ExecutionResult(stdout="72\n"))
    try:
        upstream = await asyncio.to_thread(server.api_base)  # starts the child
        async with recording_proxy(upstream, recording) as proxy:
            monkeypatch.setattr(server, "api_base", lambda: proxy)
            model = OpenAICompatibleModel(ModelSpec(name="local/smollm2"), servers)
            options = ProtocolOptions(
                max_executions=2, settings=ModelSettings(max_tokens=32, seed=0)
            )
            runner = RunSpec(graph="tir", options=options).build(
                models=model, session_factory=sandbox.factory()
            )
            result = await runner.arun(PROBLEM)
    finally:
        servers.close()

    assert sandbox.programs, f"the model wrote no program: {result.calls[0].reply!r}"
    assert len(recording.requests) == 2
    first, continuation = recording.requests
    assert first.path == continuation.path == "completions"
    assert "messages" not in first.body and "messages" not in continuation.body
    first_prompt, next_prompt = str(first.body["prompt"]), str(continuation.body["prompt"])
    assert first_prompt.endswith("<|im_start|>assistant\n")  # SmolLM2's generation prompt
    assert next_prompt.startswith(first_prompt)
    extension = next_prompt[len(first_prompt) :]
    assert extension.startswith(result.calls[0].reply.rstrip())
    assert extension.endswith("\n```output\n72\n```\n")
    assert "<|im_end|>" not in extension  # one open turn, not a finished one and a new one
    assert [c.decoding.endpoint for c in result.calls if c.decoding] == ["completion"] * 2
