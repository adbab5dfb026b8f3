"""Message flow of `cascade`: two samples that agree answer at once (stage 1); otherwise
one more sample at a time until two agree, five at most, then a vote that answers when the
leader has the threshold share (stage 2); otherwise tir or a debate answers (stage 3).
Which stage answered, and why, is typed in the state; the options are validated."""

from __future__ import annotations

import pytest

from council.errors import ConfigError
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, build_runner
from council.tools.sandbox.result import ExecutionResult
from tests.support.sandbox import ScriptedSandbox

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


async def test_two_agreeing_samples_answer_at_once() -> None:
    model = by_sample({0: "7", 1: "7.0"})
    result = await build_runner("cascade", models=model).arun(PROBLEM)
    assert sorted(agents(model)) == ["sample_1", "sample_2"]
    assert all(messages == [Message.user(COT)] for messages in model.calls)
    assert result.answer == "7" and result.status == "agreed"
    (stage,) = state_of(result).stages
    assert (stage.stage, stage.by, stage.answered, stage.value) == (1, "agreement", True, 1.0)
    temperatures = {c.decoding.temperature for c in result.calls if c.decoding}
    assert temperatures == {0.7}


def sample_calls(model: ScriptedModel) -> list[str]:
    return [a for a in agents(model) if a.startswith("sample_")]


async def test_a_split_pair_draws_one_sample_at_a_time_until_two_agree() -> None:
    model = by_sample({0: "7", 1: "8", 2: "9", 3: "8", 4: "7"})
    result = await build_runner("cascade", models=model).arun(PROBLEM)
    assert sorted(sample_calls(model)) == ["sample_1", "sample_2", "sample_3", "sample_4"]
    assert agents(model).index("sample_3") > max(
        agents(model).index("sample_1"), agents(model).index("sample_2")
    )  # drawn after the pair disagreed, and sample_4 after sample_3 settled nothing
    assert agents(model).index("sample_4") > agents(model).index("sample_3")
    assert result.answer == "8" and result.status == "agreed"
    first, second = state_of(result).stages
    assert (first.stage, first.answered, first.value) == (1, False, 0.5)
    assert (second.stage, second.by, second.answered, second.value) == (2, "agreement", True, 0.5)
    assert [len(t.ballots) for t in state_of(result).votes] == [2, 3, 4]


async def test_after_the_last_sample_a_vote_answers_above_the_threshold() -> None:
    """With three that must agree, a 2-2-1 split over five never reaches agreement; a vote
    share of 0.4 answers when the threshold allows it."""
    model = by_sample({0: "7", 1: "7", 2: "8", 3: "8", 4: "9"})
    options = ProtocolOptions(first_samples=3, threshold=0.4)
    result = await build_runner("cascade", models=model, options=options).arun(PROBLEM)
    assert len(sample_calls(model)) == 5
    assert result.answer == "7" and result.status == "done"
    first, second = state_of(result).stages
    assert (first.stage, first.answered) == (1, False)
    assert (second.stage, second.by, second.answered, second.value) == (2, "vote", True, 0.4)


async def test_no_two_agreeing_escalates_to_tir_whose_answer_is_final() -> None:
    model = by_sample(
        {0: "7", 1: "8", 2: "9", 3: "10", 4: "11"}, tir="```python\nprint(3 + 4)\n```"
    )
    box = ScriptedSandbox(lambda code: ExecutionResult(stdout="7\n"))
    runner = build_runner("cascade", models=model, session_factory=box.factory())
    result = await runner.arun(PROBLEM)
    tir_calls = [m for m, i in zip(model.calls, model.call_infos, strict=True) if i.agent == "tir"]
    assert tir_calls[0][-1] == Message.user(PROBLEM)  # Qwen's TIR prompt: the problem alone
    assert box.programs == ["print(3 + 4)\n"]
    first, second, last = state_of(result).stages
    assert (first.answered, second.answered) == (False, False)
    assert (last.stage, last.by, last.answered, last.value) == (3, "tir", True, 0.2)
    assert result.answer == "8"  # tir's answer is final, over the split vote's 7
    assert second.value == 0.2 and "the vote over all samples was weak" in second.reason


async def test_a_weak_vote_escalates_to_a_debate_when_asked() -> None:
    model = by_sample({0: "7", 1: "8", 2: "9", 3: "10", 4: "11"}, debater="7")
    options = ProtocolOptions(final_stage="debate")
    runner = build_runner("cascade", models=model, options=options)
    assert runner.max_rounds == 3
    result = await runner.arun(PROBLEM)
    debates = [a for a in agents(model) if a.startswith("debater_")]
    assert len(debates) == 6  # 3 debaters x 2 rounds
    assert result.answer == "7"
    last = state_of(result).stages[-1]
    assert (last.stage, last.by, last.answered) == (3, "debate", True)


def test_options_are_validated() -> None:
    with pytest.raises(ConfigError, match="cascade needs --samples above --first-samples"):
        build_runner("cascade", models=ScriptedModel(), options=ProtocolOptions(samples=2))
    with pytest.raises(ConfigError, match="does not use --agents"):
        build_runner("cascade", models=ScriptedModel(), options=ProtocolOptions(agents=3))
    with pytest.raises(ValueError, match="threshold"):
        ProtocolOptions(threshold=1.5)
    with pytest.raises(ValueError, match="first_samples"):
        ProtocolOptions(first_samples=1)
