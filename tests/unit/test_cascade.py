"""Message flow of `cascade`: the greedy answer and one sample that agree answer at once
(stage 1); otherwise one more sample at a time until two agree, three ballots by default;
then the plurality answers, or, when asked, a vote above the threshold or else tir or a
debate (stage 3). Which stage answered, and why, is typed in the state; the options are
validated and the protocol's own defaults are what a run records."""

from __future__ import annotations

import pytest

from council.errors import ConfigError
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.tools.sandbox.result import ExecutionResult
from tests.support.sandbox import ScriptedSandbox, no_code_runs

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
COT = PROBLEM + "\nPlease reason step by step, and put your final answer within \\boxed{}."


def by_sample(
    answers: dict[int, str], tir: str = "\\boxed{7}", debater: str = "7"
) -> ScriptedModel:
    def reply(call: ScriptedCall) -> str:
        if call.agent == "tir":  # a program first, then (continuing the turn) the answer
            return tir if len(call.messages) == 2 else "so \\boxed{8}"
        if call.agent.startswith("debater_"):
            return f"I say \\boxed{{{debater}}}"
        return f"so \\boxed{{{answers[call.sample]}}}"

    return ScriptedModel(responder=reply)


def agents(model: ScriptedModel) -> list[str]:
    return [info.agent for info in model.call_infos if info is not None]


def state_of(result: object) -> CouncilState:
    return CouncilState.model_validate(result.state)  # type: ignore[attr-defined]


async def test_the_greedy_answer_and_a_sample_that_agree_answer_at_once() -> None:
    model = by_sample({0: "7", 1: "7.0"})
    result = await RunSpec(graph="cascade").build(models=model).arun(PROBLEM)
    assert sorted(agents(model)) == ["sample_1", "sample_2"]
    assert all(messages == [Message.user(COT)] for messages in model.calls)
    assert result.answer == "7" and result.status == "agreed"
    (stage,) = state_of(result).stages
    assert (stage.stage, stage.by, stage.answered, stage.value) == (1, "agreement", True, 1.0)
    temperature = {c.agent: c.decoding.temperature for c in result.calls if c.decoding}
    assert temperature == {"sample_1": 0.0, "sample_2": 0.7}  # greedy = `single`'s call


def sample_calls(model: ScriptedModel) -> list[str]:
    return [a for a in agents(model) if a.startswith("sample_")]


async def test_a_split_draws_one_more_sample_and_two_of_three_answer() -> None:
    model = by_sample({0: "7", 1: "8", 2: "8"})
    result = await RunSpec(graph="cascade").build(models=model).arun(PROBLEM)
    assert agents(model)[-1] == "sample_3"  # drawn only after the pair disagreed
    assert result.answer == "8" and result.status == "agreed"
    first, second = state_of(result).stages
    assert (first.stage, first.answered, first.value) == (1, False, 0.5)
    assert (second.stage, second.by, second.answered) == (2, "agreement", True)
    assert [len(t.ballots) for t in state_of(result).votes] == [2, 3]


async def test_three_different_ballots_stop_and_the_greedy_answer_stands() -> None:
    model = by_sample({0: "7", 1: "8", 2: "9"})
    result = await RunSpec(graph="cascade").build(models=model).arun(PROBLEM)
    assert len(sample_calls(model)) == 3 and len(model.calls) == 3
    assert result.answer == "7"  # a three-way tie goes to the first ballot, the greedy one
    assert state_of(result).stages[-1].by == "vote"


async def test_with_more_samples_it_draws_until_two_agree() -> None:
    model = by_sample({0: "7", 1: "8", 2: "9", 3: "8", 4: "7"})
    options = ProtocolOptions(samples=5)
    result = await RunSpec(graph="cascade", options=options).build(models=model).arun(PROBLEM)
    order = sample_calls(model)
    assert sorted(order) == ["sample_1", "sample_2", "sample_3", "sample_4"]
    assert order.index("sample_4") > order.index("sample_3")  # one at a time
    assert result.answer == "8" and result.status == "agreed"
    assert [len(t.ballots) for t in state_of(result).votes] == [2, 3, 4]


async def test_a_vote_above_the_threshold_answers_before_the_final_stage() -> None:
    """With three that must agree, a 2-2-1 split over five never agrees; a 0.4 share
    answers when the threshold allows it."""
    model = by_sample({0: "7", 1: "7", 2: "8", 3: "8", 4: "9"})
    options = ProtocolOptions(samples=5, first_samples=3, threshold=0.4, final_stage="tir")
    box = no_code_runs()  # tir is the final stage, never reached
    runner = RunSpec(graph="cascade", options=options).build(
        models=model, session_factory=box.factory()
    )
    result = await runner.arun(PROBLEM)
    assert len(sample_calls(model)) == 5 and "tir" not in agents(model) and box.programs == []
    assert result.answer == "7" and result.status == "done"
    assert state_of(result).stages[-1].by == "vote"


async def test_disagreement_escalates_to_tir_whose_answer_is_final() -> None:
    model = by_sample({0: "7", 1: "8", 2: "9"}, tir="```python\nprint(3 + 4)\n```")
    box = ScriptedSandbox(lambda code: ExecutionResult(stdout="7\n"))
    options = ProtocolOptions(final_stage="tir")
    runner = RunSpec(graph="cascade", options=options).build(
        models=model, session_factory=box.factory()
    )
    result = await runner.arun(PROBLEM)
    tir_calls = [m for m, i in zip(model.calls, model.call_infos, strict=True) if i.agent == "tir"]
    assert tir_calls[0][-1] == Message.user(PROBLEM)  # Qwen's TIR prompt: the problem alone
    assert box.programs == ["print(3 + 4)\n"]
    first, second, last = state_of(result).stages
    assert (first.answered, second.answered) == (False, False)
    assert (last.stage, last.by, last.answered) == (3, "tir", True)
    # tir's answer is final, over the split vote's 7; read as Qwen's script reads it, from
    # the text before the first ```output block (its last number), not the later \boxed{8}
    assert result.answer == "4"
    assert "the vote over all samples was weak" in second.reason


async def test_disagreement_escalates_to_a_debate_when_asked() -> None:
    model = by_sample({0: "7", 1: "8", 2: "9"}, debater="7")
    options = ProtocolOptions(final_stage="debate")
    runner = RunSpec(graph="cascade", options=options).build(models=model)
    assert runner.max_rounds == 3
    result = await runner.arun(PROBLEM)
    debates = [a for a in agents(model) if a.startswith("debater_")]
    assert len(debates) == 6  # 3 debaters x 2 rounds
    assert result.answer == "7"
    last = state_of(result).stages[-1]
    assert (last.stage, last.by, last.answered) == (3, "debate", True)


def test_the_cascades_own_defaults_are_what_runs_and_what_is_recorded() -> None:
    resolved = RunSpec(graph="cascade").resolved_options()
    assert (resolved.samples, resolved.final_stage) == (3, "none")
    assert (
        RunSpec(graph="cascade", options=ProtocolOptions(samples=5)).resolved_options().samples == 5
    )
    assert RunSpec(graph="self-consistency").resolved_options().samples == 5


def test_options_are_validated() -> None:
    with pytest.raises(ConfigError, match="cascade needs --samples above --first-samples"):
        RunSpec(graph="cascade", options=ProtocolOptions(samples=2)).build(models=ScriptedModel())
    with pytest.raises(ConfigError, match="does not use --agents"):
        RunSpec(graph="cascade", options=ProtocolOptions(agents=3)).build(models=ScriptedModel())
    with pytest.raises(ValueError, match="threshold"):
        ProtocolOptions(threshold=1.5)
    with pytest.raises(ValueError, match="first_samples"):
        ProtocolOptions(first_samples=1)
