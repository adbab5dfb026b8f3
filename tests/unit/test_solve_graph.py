from __future__ import annotations

from collections.abc import Sequence

import pytest

from council import CouncilConfig, ProtocolOptions, RunSpec
from council.graphs.run import RunResult
from council.graphs.state import Step
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel

PLAN = "STEPS:\n1. read\n2. add"
SOLVE_OK = "REASONING: 2+3=5\nANSWER: 5\nNOTE: the sum is 5"
ACCEPT = "VERDICT: correct\nCONFIDENCE: 0.9\nFAILING_STEP: none\nREASON: checks out"
REJECT = "VERDICT: incorrect\nCONFIDENCE: 0.7\nFAILING_STEP: 2\nREASON: wrong sum"
CRITIQUE = "ISSUES:\n- wrong sum\nFIX: add again"


def by_role(replies: dict[str, list[str]]) -> dict[str, ScriptedModel]:
    return {role: ScriptedModel(texts, name=f"fake-{role}") for role, texts in replies.items()}


async def test_accepted_in_first_round_streams_each_step_in_order() -> None:
    models = by_role({"planner": [PLAN], "solver": [SOLVE_OK], "verifier": [ACCEPT], "critic": []})
    council = RunSpec(options=ProtocolOptions(rounds=3)).build(models=models)
    items = [item async for item in council.astream("What is 2+3?")]
    steps = [i for i in items if isinstance(i, Step)]
    result = items[-1]
    assert isinstance(result, RunResult)
    assert [(s.role, s.kind) for s in steps] == [
        ("planner", "plan"),
        ("solver", "solution"),
        ("solver", "note"),
        ("verifier", "verdict"),
        ("council", "final"),
    ]
    assert result.answer == "5"
    assert result.status == "accepted"
    assert result.rounds == 1
    assert set(result.usage.by_role) == {"planner", "solver", "verifier"}
    assert result.usage.total.calls == 3
    # the blackboard note from the solver reached the verifier's prompt
    verifier_prompt = models["verifier"].calls[0][-1].content
    assert "[solver, round 1] the sum is 5" in verifier_prompt


async def test_rejection_loops_through_critic_and_feedback_reaches_solver() -> None:
    models = by_role(
        {
            "planner": [PLAN],
            "solver": ["ANSWER: 6", SOLVE_OK],
            "verifier": [REJECT, ACCEPT],
            "critic": [CRITIQUE],
        }
    )
    result = (
        await RunSpec(options=ProtocolOptions(rounds=3)).build(models=models).arun("What is 2+3?")
    )
    assert result.answer == "5"
    assert result.status == "accepted"
    assert result.rounds == 2
    second_solver_prompt = models["solver"].calls[1][-1].content
    assert "previous answer '6' was rejected: wrong sum" in second_solver_prompt
    assert "fix: add again" in second_solver_prompt
    kinds = [s.kind for s in result.steps]
    assert kinds.count("critique") == 1 and kinds.count("solution") == 2


async def test_max_rounds_bounds_the_loop_and_majority_answer_wins() -> None:
    models = by_role(
        {
            "planner": [PLAN],
            "solver": ["ANSWER: 7", "ANSWER: 8", "ANSWER: 7"],
            "verifier": [REJECT] * 3,
            "critic": [CRITIQUE] * 2,
        }
    )
    result = await RunSpec(options=ProtocolOptions(rounds=3)).build(models=models).arun("q")
    assert result.rounds == 3
    assert result.status == "exhausted"
    assert result.answer == "7"
    assert len(models["critic"].calls) == 2  # no critique after the last round


async def test_garbage_from_every_agent_still_finishes() -> None:
    model = ScriptedModel(responder=lambda call: "¯\\_(ツ)_/¯")
    result = await RunSpec(options=ProtocolOptions(rounds=2)).build(models=model).arun("q")
    assert result.status == "exhausted"
    assert result.rounds == 2
    assert result.answer is None  # an unreadable reply is no answer (wrong), never a crash


async def test_history_reaches_planner_and_solver_for_follow_ups() -> None:
    seen: list[Sequence[Message]] = []

    def responder(call: ScriptedCall) -> str:
        messages = call.messages
        seen.append(messages)
        system = messages[0].content
        if "planner" in system:
            return PLAN
        if "verifier" in system:
            return ACCEPT
        return SOLVE_OK

    history = [Message.user("What is 2+2?"), Message.assistant("4")]
    council = RunSpec().build(models=ScriptedModel(responder=responder))
    await council.arun("now for 3", history=history)
    assert any(m.content == "What is 2+2?" for m in seen[0])  # planner
    assert any(m.content == "What is 2+2?" for m in seen[1])  # solver


def test_json_output_has_answer_steps_usage_seconds() -> None:
    models = by_role({"planner": [PLAN], "solver": [SOLVE_OK], "verifier": [ACCEPT], "critic": []})
    result = RunSpec().build(models=models).run("q")
    payload = result.model_dump(mode="json")
    assert payload["answer"] == "5"
    assert all({"role", "content"} <= set(step) for step in payload["steps"])
    assert payload["usage"]["total"]["total_tokens"] > 0
    assert set(payload["usage"]["by_role"]) == {"planner", "solver", "verifier"}
    assert payload["seconds"] >= 0


def test_role_models_override_default() -> None:
    from council.models.settings import ModelSpec
    from council.protocols.run_spec import role_models_for

    config = CouncilConfig(
        model=ModelSpec(name="openai/gpt-4o-mini"),
        role_models={"verifier": ModelSpec(name="anthropic/claude-3-5-haiku-latest")},
    )
    models = role_models_for(config)
    assert models.for_role("solver").name == "openai/gpt-4o-mini"
    assert models.for_role("planner") is models.for_role("solver")
    assert models.for_role("verifier").name == "anthropic/claude-3-5-haiku-latest"


@pytest.mark.parametrize("rounds", [0, -1])
def test_rounds_must_be_positive(rounds: int) -> None:
    with pytest.raises(ValueError):
        ProtocolOptions(rounds=rounds)
