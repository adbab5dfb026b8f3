"""`tir`'s tool loop with a scripted model and a scripted sandbox, against the calls
QwenLM/Qwen2.5-Math's math_eval.py makes (tests/fixtures/references/tir.*.json): the
continuation mechanics, the programs the reference runs, where it stops and what it reads
the answer from. The outputs as the reference's executor formats them are checked with
the real sandbox in tests/integration/test_tir_reference_docker.py."""

from __future__ import annotations

import pytest

from council.agents.reference_programs import cumulative_program
from council.agents.tir_options import TirOptions
from council.graphs.run import RunResult
from council.graphs.state import CouncilState
from council.models.scripted import ScriptedModel, ScriptedReply
from council.protocols import ProtocolOptions, RunSpec
from council.tools.sandbox.result import ExecutionResult
from council.tools.sandbox.run_options import RunOptions
from tests.support.sandbox import ScriptedSandbox, no_code_runs
from tests.support.tir_reference import (
    TIR_CASES,
    TirReference,
    assert_same_calls,
    reference_sandbox,
    tir_case,
)

MECHANICS_CASES = ["code-then-boxed", "code-error", "expression-value", "max-calls"]
"""Cases whose outputs a scripted sandbox can give as the reference shows them (the long
output and the timeout need the real executor)."""


async def run_case(
    reference: TirReference, options: ProtocolOptions | None = None
) -> tuple[RunResult, ScriptedSandbox]:
    model = reference.scripted_model()
    sandbox = reference_sandbox(reference)
    spec = RunSpec(graph="tir", options=options or ProtocolOptions())
    runner = spec.build(models=model, session_factory=sandbox.factory())
    return await runner.arun(reference.problem), sandbox


@pytest.mark.parametrize("case", MECHANICS_CASES)
async def test_tir_makes_the_reference_calls_and_runs_its_programs(case: str) -> None:
    reference = tir_case(case)
    result, sandbox = await run_case(reference)
    assert_same_calls(result.calls, reference)
    assert sandbox.programs == [e.program for e in reference.executions]
    assert sandbox.options == [RunOptions(value_of="last_line", namespace="fresh")] * len(
        reference.executions
    )
    assert sandbox.timeouts == [5.0] * len(reference.executions)
    turn = CouncilState.model_validate(result.state).turns[0]
    assert turn.text == reference.turn
    assert result.answer == reference.answer


@pytest.mark.parametrize("case", TIR_CASES)
def test_the_program_for_each_run_is_the_references(case: str) -> None:
    """At each run the program is read from the turn so far (math_eval.py:307); the turn
    so far is the next request's assistant message before its output block."""
    reference = tir_case(case)
    turns = [c.messages[-1].content for c in reference.calls[1:]]
    if reference.turn.endswith("Reach max function call limit."):
        turns.append(reference.turn)
    ran = [turn[: turn.rindex("\n```output\n")] for turn in turns]
    assert [cumulative_program(text) for text in ran] == [e.program for e in reference.executions]


async def test_a_continuation_asks_the_server_to_extend_the_final_assistant_message() -> None:
    result, _ = await run_case(tir_case("code-error"))
    decodings = [c.decoding for c in result.calls if c.decoding]
    assert [d.continue_final_message for d in decodings] == [False, True, True]
    assert "continue_final_message" not in decodings[0].request_fields()
    fields = decodings[1].request_fields()
    assert fields["continue_final_message"] is True and fields["add_generation_prompt"] is False
    assert fields["stop"] == ["</s>", "<|im_end|>", "<|endoftext|>", "\n\n---", "```output"]


async def test_prefill_sends_the_final_assistant_message_alone() -> None:
    options = ProtocolOptions(tir=TirOptions(continuation="prefill"))
    reference = tir_case("code-error")
    result, _ = await run_case(reference, options)
    assert_same_calls(result.calls, reference)
    assert not any(c.decoding and c.decoding.continue_final_message for c in result.calls)


async def test_an_output_the_model_invents_is_cut_where_a_server_would_stop() -> None:
    """A server that ignores `stop` returns the model's invented output; the turn keeps
    only what a server that honours it would have returned."""
    reference = tir_case("code-then-boxed")
    first, second = (c.reply for c in reference.calls)
    replies = iter([first + "```output\n999\n```\nSo \\boxed{999}.", second])
    model = ScriptedModel(responder=lambda call: next(replies))
    sandbox = reference_sandbox(reference)
    runner = RunSpec(graph="tir").build(models=model, session_factory=sandbox.factory())
    result = await runner.arun(reference.problem)
    assert_same_calls(
        result.calls,
        reference.model_copy(
            update={
                "calls": [
                    reference.calls[0].model_copy(
                        update={"reply": first + "```output\n999\n```\nSo \\boxed{999}."}
                    ),
                    reference.calls[1],
                ]
            }
        ),
    )
    assert CouncilState.model_validate(result.state).turns[0].text == reference.turn


async def test_the_answer_is_read_before_the_first_output_unless_asked_otherwise() -> None:
    reference = tir_case("code-then-boxed")
    script, _ = await run_case(reference)
    assert script.answer == reference.answer == "2"  # the script's cut: before ```output
    whole = ProtocolOptions(tir=TirOptions(answer_from="whole_turn"))
    result, _ = await run_case(reference, whole)
    assert result.answer == "72"


async def test_session_programs_run_the_new_block_alone_in_the_session() -> None:
    reference = tir_case("expression-value")
    model = reference.scripted_model()
    sandbox = ScriptedSandbox(
        lambda code: ExecutionResult(value="72" if "Rational" in code else "144")
    )
    options = ProtocolOptions(tir=TirOptions(programs="session"))
    runner = RunSpec(graph="tir", options=options).build(
        models=model, session_factory=sandbox.factory()
    )
    await runner.arun(reference.problem)
    assert sandbox.programs == [
        "from sympy import Rational\nclips = 48 + Rational(48, 2)\nclips\n",
        "clips * 2\n",
    ]
    assert {o.namespace for o in sandbox.options} == {"session"}
    assert model.calls[2][-1].content.endswith("```output\n144\n```\n")


async def test_a_reply_cut_at_the_token_cap_still_runs_a_program_it_ends_with() -> None:
    """math_eval.py reads no finish reason: a reply that ends with ``` runs (line 306)."""
    replies = iter(
        [
            ScriptedReply(text="```python\nprint(72)\n```", finish_reason="length"),
            ScriptedReply(text="So the answer is", finish_reason="length"),
        ]
    )
    model = ScriptedModel(responder=lambda call: next(replies))
    sandbox = ScriptedSandbox(lambda code: ExecutionResult(stdout="72\n"))
    runner = RunSpec(graph="tir").build(models=model, session_factory=sandbox.factory())
    result = await runner.arun("q")
    assert sandbox.programs == ["print(72)\n"] and len(model.calls) == 2
    assert CouncilState.model_validate(result.state).turns[0].truncated


async def test_the_users_decoding_wins_over_the_scripts() -> None:
    from council.models.settings import ModelSettings

    model = ScriptedModel(["\\boxed{1}"])
    settings = ModelSettings(max_tokens=512, stop=("```output",), top_p=0.8)
    runner = RunSpec(graph="tir", options=ProtocolOptions(settings=settings)).build(
        models=model,
        session_factory=no_code_runs().factory(),  # the reply has no program
    )
    result = await runner.arun("q")
    sent = result.calls[0].decoding
    assert sent is not None
    assert (sent.temperature, sent.top_p, sent.max_tokens, sent.stop) == (
        0.0,
        0.8,
        512,
        ("```output",),
    )


async def test_the_wire_carries_the_stop_sequences_and_the_continuation_fields() -> None:
    """Over HTTP to an OpenAI-compatible server (a loopback stub): every request sends the
    script's decoding; each continuation ends with the assistant turn and asks the server
    to continue it."""
    from council.models.openai_http import OpenAICompatibleModel
    from council.models.settings import ModelSpec
    from tests.support.openai_stub import StubBehaviour, openai_stub

    behaviour = StubBehaviour(reply="Count.\n\n```python\nprint(48 + 24)\n```\n")
    sandbox = ScriptedSandbox(lambda code: ExecutionResult(stdout="72\n"))
    async with openai_stub(behaviour) as base:
        model = OpenAICompatibleModel(ModelSpec(name="openai/stub", api_base=base))
        runner = RunSpec(graph="tir").build(models=model, session_factory=sandbox.factory())
        await runner.arun("How many?")
    reference = tir_case("max-calls").calls[0].decoding
    assert len(behaviour.requests) == 4
    for index, body in enumerate(behaviour.requests):
        assert (body["temperature"], body["top_p"], body["max_tokens"], body["stop"]) == (
            reference.temperature,
            reference.top_p,
            reference.max_tokens,
            reference.stop,
        )
        messages = body["messages"]
        assert isinstance(messages, list)
        if index == 0:
            assert "continue_final_message" not in body and messages[-1]["role"] == "user"
        else:
            assert body["continue_final_message"] is True
            assert body["add_generation_prompt"] is False
            assert messages[-1]["role"] == "assistant"
            assert messages[-1]["content"].endswith("```output\n72\n```\n")
