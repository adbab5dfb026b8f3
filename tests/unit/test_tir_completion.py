"""`tir` continued through the raw completion endpoint, as QwenLM/Qwen2.5-Math's
math_eval.py continues its turn (one raw prompt: the first prompt plus the text generated
so far plus each output block, math_eval.py:298, 322), over HTTP to a loopback
OpenAI-compatible server. The chat templates are published ones, read from GGUF files
(tests/fixtures/chat_templates/*.json); the expected prompts are built here from the
reference fixtures (tests/fixtures/references/tir.*.json), never from council's code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from council.agents.tir_options import TirOptions
from council.errors import ConfigError
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.chat_format import ChatTemplate
from council.models.openai_http import OpenAICompatibleModel
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, RunSpec
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.sandbox import no_code_runs
from tests.support.tir_reference import TirReference, reference_sandbox, tir_case

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "chat_templates"
COMPLETION = ProtocolOptions(tir=TirOptions(continuation="completion"))


def published_template(name: str) -> ChatTemplate:
    data = json.loads((TEMPLATES / f"{name}.json").read_text(encoding="utf-8"))
    return ChatTemplate(text=data["text"], bos_token=data["bos_token"], eos_token=data["eos_token"])


def reference_prompt(reference: TirReference) -> str:
    """The reference's first raw prompt: its system and user messages in the ChatML form of
    Qwen2.5-Math's evaluation/utils.py:141-147 (the fixture's `rendered_by`)."""
    system, user = reference.calls[0].messages
    return (
        f"<|im_start|>system\n{system.content}<|im_end|>\n"
        f"<|im_start|>user\n{user.content}<|im_end|>\n<|im_start|>assistant\n"
    )


def replies_in_order(reference: TirReference) -> Callable[[dict[str, object]], str]:
    replies = iter(c.reply for c in reference.calls)
    return lambda body: next(replies)


@pytest.mark.parametrize("template", ["qwen2.5-instruct", "smollm2-135m-instruct"])
@pytest.mark.parametrize("case", ["code-error", "max-calls"])
async def test_a_continuation_is_one_raw_prompt_the_first_plus_the_turn(
    template: str, case: str
) -> None:
    reference = tir_case(case)
    behaviour = StubBehaviour(responder=replies_in_order(reference))
    sandbox = reference_sandbox(reference)
    async with openai_stub(behaviour) as base:
        spec = ModelSpec(
            name="openai/stub", api_base=base, chat_template=published_template(template)
        )
        runner = RunSpec(graph="tir", options=COMPLETION).build(
            models=OpenAICompatibleModel(spec), session_factory=sandbox.factory()
        )
        result = await runner.arun(reference.problem)

    prompts = [body.get("prompt") for body in behaviour.requests]
    assert len(prompts) == len(reference.calls)
    assert not any("messages" in body for body in behaviour.requests)
    first = prompts[0]
    assert first == reference_prompt(reference)
    for sent, call in zip(prompts[1:], reference.calls[1:], strict=True):
        turn_so_far = call.messages[-1].content  # the reference's text after its prompt
        assert sent == first + turn_so_far  # byte for byte
    for body, call in zip(behaviour.requests, reference.calls, strict=True):
        assert (body["temperature"], body["top_p"], body["max_tokens"], body["stop"]) == (
            call.decoding.temperature,
            call.decoding.top_p,
            call.decoding.max_tokens,
            call.decoding.stop,
        )
        assert "continue_final_message" not in body and "add_generation_prompt" not in body
    assert CouncilState.model_validate(result.state).turns[0].text == reference.turn
    assert result.answer == reference.answer


async def test_completion_calls_are_recorded_like_chat_calls() -> None:
    """Each call keeps the conversation it rendered, the raw reply, the finish reason, the
    tokens and the time, and says in its decoding that it went to /completions."""
    reference = tir_case("code-error")
    behaviour = StubBehaviour(responder=replies_in_order(reference))
    async with openai_stub(behaviour) as base:
        spec = ModelSpec(
            name="openai/stub",
            api_base=base,
            chat_template=published_template("qwen2.5-instruct"),
        )
        runner = RunSpec(graph="tir", options=COMPLETION).build(
            models=OpenAICompatibleModel(spec),
            session_factory=reference_sandbox(reference).factory(),
        )
        result = await runner.arun(reference.problem)
    assert [(m.role, m.content) for m in result.calls[1].messages] == [
        (m.role, m.content) for m in reference.calls[1].messages
    ]
    for recorded, call in zip(result.calls, reference.calls, strict=True):
        assert recorded.reply == call.reply
        assert recorded.finish_reason == "stop"
        assert (recorded.usage.prompt_tokens, recorded.usage.completion_tokens) == (7, 3)
        assert recorded.usage.calls == 1 and recorded.usage.seconds > 0
        assert recorded.decoding is not None and recorded.decoding.endpoint == "completion"
    opened = [c.decoding.continue_final_message for c in result.calls if c.decoding]
    assert opened == [False, True, True]


async def test_the_embedded_model_continues_through_the_completion_endpoint_by_default() -> None:
    reference = tir_case("code-error")
    embedded = reference.scripted_model()
    embedded.name = "local/smollm2"
    runner = RunSpec(graph="tir").build(
        models=embedded, session_factory=reference_sandbox(reference).factory()
    )
    result = await runner.arun(reference.problem)
    assert [c.decoding.endpoint for c in result.calls if c.decoding] == ["completion"] * 3
    served = reference.scripted_model()  # any other model: continue_final_message
    runner = RunSpec(graph="tir").build(
        models=served, session_factory=reference_sandbox(reference).factory()
    )
    result = await runner.arun(reference.problem)
    assert [c.decoding.endpoint for c in result.calls if c.decoding] == ["chat"] * 3


def test_graph_show_names_each_continuation(cli: Callable[..., object]) -> None:
    run = cli("graph", "show", "tir")
    out = str(getattr(run, "stdout", ""))
    assert "continuation='continue_final_message'" in out
    assert "embedded_continuation='completion'" in out


async def test_the_completion_endpoint_without_a_template_is_a_one_line_error() -> None:
    behaviour = StubBehaviour(reply="\\boxed{1}")
    async with openai_stub(behaviour) as base:
        runner = RunSpec(graph="tir", options=COMPLETION).build(
            models=OpenAICompatibleModel(ModelSpec(name="openai/stub", api_base=base)),
            session_factory=no_code_runs().factory(),
        )
        with pytest.raises(ConfigError, match="chat template") as raised:
            await runner.arun("q")
    assert "\n" not in str(raised.value) and behaviour.requests == []


async def test_no_cap_is_sent_as_null_on_the_completion_endpoint() -> None:
    """/completions caps a reply at 16 tokens unless told otherwise; "no cap" must say so."""
    behaviour = StubBehaviour(reply="done")
    template = published_template("smollm2-135m-instruct")
    async with openai_stub(behaviour) as base:
        model = OpenAICompatibleModel(
            ModelSpec(name="openai/stub", api_base=base, chat_template=template)
        )
        completion = await model.complete(
            [Message.user("Hi")], settings=ModelSettings(endpoint="completion")
        )
    assert completion.text == "done"
    body = behaviour.requests[0]
    assert body["max_tokens"] is None
    assert body["prompt"] == (
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
        "Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )
