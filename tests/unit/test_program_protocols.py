"""Message flow of `pot` with a scripted model and a scripted sandbox: the exact messages
the model receives, what runs, the answer; and that `tir` and `pot` need a sandbox. tir's
message flow against its reference: tests/unit/test_tir.py. pot's expected messages are
PAL's own (tests/fixtures/references/pot.gsm-chatgpt.json), retold for this file's
problem."""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from council.errors import ConfigError, SandboxUnavailableError
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.tools.sandbox.result import ExecutionResult
from tests.support.references import reference_run
from tests.support.sandbox import ScriptedSandbox

PROBLEM = "What is the sum of the squares of 1 to 10?"


def pal_prompt() -> list[list[Message]]:
    """The request PAL's `gsm_chatgpt.py` makes (its system message, its three examples,
    then the question), for PROBLEM."""
    return [reference_run("pot.gsm-chatgpt").messages("solver", 1, problem=PROBLEM)]


def stdout(text: str) -> ExecutionResult:
    return ExecutionResult(stdout=text)


async def test_tir_without_a_sandbox_fails_with_the_fix() -> None:
    model = ScriptedModel(responder=lambda call: "```python\nprint(1)\n```")
    no_session = RunSpec(graph="tir").build(models=model, session_factory=lambda: nullcontext(None))
    with pytest.raises(SandboxUnavailableError, match="sandbox doctor"):
        await no_session.arun(PROBLEM)


async def test_pot_sends_pals_chat_prompt_and_answers_with_solutions_value() -> None:
    """PAL's `gsm_chatgpt.py`: its system message, its three examples then the question; the
    first ``` block is the program and `solution()`'s value is the answer."""
    program = "def solution():\n    total = sum(i * i for i in range(1, 11))\n    return total\n"
    reply = f"```\n{program}```\nOr:\n```\nprint(0)\n```"
    model = ScriptedModel(responder=lambda call: reply)
    sandbox = ScriptedSandbox(lambda code: stdout("385\n"))
    runner = RunSpec(graph="pot").build(models=model, session_factory=sandbox.factory())
    result = await runner.arun(PROBLEM)
    assert model.calls == pal_prompt()
    ((system, user),) = model.calls
    assert system.role == "system" and user.content.startswith("Let's use python to solve")
    assert user.content.endswith("How about this question?\nQ: " + PROBLEM)
    assert sandbox.programs == [program + "\nprint(solution())\n"]
    assert result.answer == "385"
    assert [c.purpose for c in result.calls] == ["answer"]
    assert {c.decoding.temperature for c in result.calls if c.decoding} == {0.0}


async def test_pot_reads_a_program_without_solution_from_what_it_printed() -> None:
    reply = "```python\ntotal = sum(i * i for i in range(1, 11))\nprint('sum:')\nprint(total)\n```"
    model = ScriptedModel(responder=lambda call: reply)
    sandbox = ScriptedSandbox(lambda code: stdout("sum:\n385\n"))
    runner = RunSpec(graph="pot").build(models=model, session_factory=sandbox.factory())
    result = await runner.arun(PROBLEM)
    assert sandbox.programs == [
        "total = sum(i * i for i in range(1, 11))\nprint('sum:')\nprint(total)\n"
    ]
    assert result.answer == "385"


async def test_pot_program_that_fails_gives_no_answer() -> None:
    model = ScriptedModel(responder=lambda call: "```python\nprint(1/0)\n```")
    sandbox = ScriptedSandbox(
        lambda code: ExecutionResult(error="ZeroDivisionError: division by zero")
    )
    runner = RunSpec(graph="pot").build(models=model, session_factory=sandbox.factory())
    result = await runner.arun(PROBLEM)
    assert result.answer is None and len(sandbox.programs) == 1
    assert (
        CouncilState.model_validate(result.state)
        .turns[0]
        .text.endswith("```error\nZeroDivisionError: division by zero\n```\n")
    )


async def test_pot_never_takes_an_output_the_model_invented() -> None:
    reply = "```python\nprint(undefined)\n```\n```output\n35\n```\nSo \\boxed{35}."
    model = ScriptedModel(responder=lambda call: reply)
    sandbox = ScriptedSandbox(lambda code: ExecutionResult(error="NameError: undefined"))
    runner = RunSpec(graph="pot").build(models=model, session_factory=sandbox.factory())
    result = await runner.arun(PROBLEM)
    assert result.answer is None
    text = CouncilState.model_validate(result.state).turns[0].text
    assert "35" not in text and text.endswith("```error\nNameError: undefined\n```\n")


def test_an_option_the_protocol_does_not_use_is_refused() -> None:
    model = ScriptedModel()
    with pytest.raises(ConfigError, match="protocol 'pot' does not use --max-executions"):
        RunSpec(graph="pot", options=ProtocolOptions(max_executions=2)).build(models=model)
    with pytest.raises(ConfigError, match="protocol 'single' does not use --samples"):
        RunSpec(graph="single", options=ProtocolOptions(samples=3)).build(models=model)


def test_tir_and_pot_ask_for_a_sandbox_when_built_from_a_config() -> None:
    for name in ("tir", "pot"):
        runner = RunSpec(graph=name).build(models=ScriptedModel())
        assert runner.session_factory is not None  # the python tool needs the sandbox
    assert RunSpec(graph="single").build(models=ScriptedModel()).session_factory is None


_ = ScriptedCall  # responders receive ScriptedCall (see council.models.scripted)


async def test_pot_self_consistency_example_votes_over_sampled_programs() -> None:
    """`examples/pot-self-consistency.yaml` (Chen et al.'s PoT + SC, built from council's
    `pot` agent and `vote` node): five PAL prompts sampled at T = 0.4 with distinct samples,
    each program run once, the majority of the printed answers wins; a failed program does
    not vote."""
    from pathlib import Path

    from council.graphs.config import load_graph
    from council.models.roles import RoleModels
    from council.runner import GraphRunner

    programs = {
        "program_1": "print(385)",
        "program_2": "print(384)",
        "program_3": "print(385)",
        "program_4": "print(x)",
        "program_5": "print(384.0)",
    }
    model = ScriptedModel(responder=lambda call: f"```python\n{programs[call.agent]}\n```")

    def run(code: str) -> ExecutionResult:
        if "print(x)" in code:
            return ExecutionResult(error="NameError: name 'x' is not defined")
        return stdout(code.split("print(")[1].split(")")[0] + "\n")

    sandbox = ScriptedSandbox(run)
    example = Path(__file__).resolve().parents[2] / "examples" / "pot-self-consistency.yaml"
    loaded = load_graph(example, models=RoleModels(model))
    runner = GraphRunner(
        loaded.graph, max_rounds=loaded.config.max_rounds, session_factory=sandbox.factory()
    )
    result = await runner.arun(PROBLEM)
    assert model.calls == pal_prompt() * 5
    assert len(sandbox.programs) == 5
    decodings = [c.decoding for c in result.calls]
    assert {d.temperature for d in decodings if d} == {0.4}
    assert sorted(c.sample for c in result.calls) == [0, 1, 2, 3, 4]
    state = CouncilState.model_validate(result.state)
    assert [t.answer for t in sorted(state.turns, key=lambda t: t.sample)] == [
        "385",
        "384",
        "385",
        None,
        "384.0",
    ]
    (table,) = state.votes
    assert {c.answer: sorted(c.voters) for c in table.counts} == {
        "385": ["program_1", "program_3"],
        "384": ["program_2", "program_5"],  # 384 and 384.0 are one value
    }
    assert table.tie and table.winner == "385" == result.answer  # the first in agent order
