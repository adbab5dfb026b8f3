"""Message flow of `best-of-n`: the candidates' prompts, what each judge is shown (its own
candidate only), every score kept in the state, and the choice, for each scorer.

The LLM judge of `--scorer verifier` is council's own deviation (the reference scores with a
reward model), so its prompt has no fixture: `judge_sees` is a golden copy, written out
here so that changing the judge's prompt fails this test and is done on purpose."""

from __future__ import annotations

import pytest

from council.errors import ConfigError, ModelUnreachableError
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.scoring.endpoint import RewardEndpoint
from council.tools.sandbox.result import ExecutionResult
from tests.support.reward_stub import reward_stub
from tests.support.sandbox import ScriptedSandbox

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
QWEN_COT = [Message.system(INSTRUCTION), Message.user(PROBLEM)]  # qwen25-math-cot (utils.py)
ANSWERS = {0: "7", 1: "8", 2: "8"}


def candidate(sample: int) -> str:
    return f"candidate {sample}: so \\boxed{{{ANSWERS[sample]}}}"


def respond(call: ScriptedCall) -> str:
    if call.agent.startswith("grade_"):
        return "SCORE: 0.9\nREASON: right" if "\\boxed{7}" in call.last else "SCORE: 0.2"
    return candidate(call.sample)


def judge_sees(candidate_text: str) -> list[Message]:
    """Golden copy of council's candidate judge prompt (council/agents/grader.py)."""
    system = (
        "You grade solutions to math problems. Check the solution's reasoning and arithmetic "
        "step by step; judge only whether its final answer is correct."
    )
    task = (
        f"Problem:\n{PROBLEM}\n\nSolution:\n{candidate_text}\n\nHow likely is it that this "
        "solution's final answer is correct?\nSCORE: a number from 0 to 1\nREASON: one sentence"
    )
    return [Message.system(system), Message.user(task)]


def sent(model: ScriptedModel, agent: str) -> list[list[Message]]:
    return [m for m, info in zip(model.calls, model.call_infos, strict=True) if info.agent == agent]


def state_of(result: object) -> CouncilState:
    return CouncilState.model_validate(result.state)  # type: ignore[attr-defined]


async def test_each_judge_sees_its_own_candidate_and_the_best_score_wins_over_the_vote() -> None:
    model = ScriptedModel(responder=respond)
    options = ProtocolOptions(samples=3)
    result = await RunSpec(graph="best-of-n", options=options).build(models=model).arun(PROBLEM)
    for sample in range(3):
        assert sent(model, f"sample_{sample + 1}") == [QWEN_COT]
        assert sent(model, f"grade_{sample + 1}") == [judge_sees(candidate(sample))]
    assert result.answer == "7"  # one candidate, scored 0.9, beats the majority's 8
    (selection,) = state_of(result).selections
    assert selection.by == "verifier" and selection.chosen == "sample_1"
    assert [(s.agent, s.answer, s.score) for s in selection.scores] == [
        ("sample_1", "7", 0.9),
        ("sample_2", "8", 0.2),
        ("sample_3", "8", 0.2),
    ]
    temperatures = {c.agent: c.decoding.temperature for c in result.calls if c.decoding}
    assert temperatures["sample_2"] == 0.7 and temperatures["grade_2"] == 0.0


async def test_vote_scorer_is_majority_and_records_vote_shares() -> None:
    model = ScriptedModel(responder=respond)
    options = ProtocolOptions(samples=3, scorer="vote")
    result = await RunSpec(graph="best-of-n", options=options).build(models=model).arun(PROBLEM)
    assert result.answer == "8"
    assert not sent(model, "grade_1")  # no judges without the verifier scorer
    scores = [round(s.score or 0, 2) for s in state_of(result).selections[0].scores]
    assert scores == [0.33, 0.67, 0.67]


async def test_an_unreadable_judge_leaves_its_candidate_unscored() -> None:
    def reply(call: ScriptedCall) -> str:
        if call.agent == "grade_1":
            return "I think it is fine."  # unreadable, and the re-ask too
        if call.agent.startswith("grade_"):
            return "SCORE: 0.4"
        return candidate(call.sample)

    model = ScriptedModel(responder=reply)
    result = (
        await RunSpec(graph="best-of-n", options=ProtocolOptions(samples=3))
        .build(models=model)
        .arun(PROBLEM)
    )
    scores = state_of(result).selections[0].scores
    assert scores[0].score is None and result.answer == "8"
    assert len(sent(model, "grade_1")) == 2  # the judge is re-asked once


async def test_execution_scorer_prefers_candidates_whose_code_reproduces_their_answer() -> None:
    def reply(call: ScriptedCall) -> str:
        # tir samples read their answer as Qwen's script does: before the first ```output
        if call.sample == 0:  # claims 9, but its code prints 7
            code = "The answer is 9.\n```python\nprint(3 + 4)\n```"
            return code if len(call.messages) == 2 else "\\boxed{9}"
        if call.sample == 1:
            code = "The answer is 7.\n```python\nprint(3 + 4)\n```"
            return code if len(call.messages) == 2 else "\\boxed{7}"
        return "No code: \\boxed{9}"

    sandbox = ScriptedSandbox(lambda code: ExecutionResult(stdout="7\n"))
    model = ScriptedModel(responder=reply)
    options = ProtocolOptions(samples=3, scorer="execution")
    runner = RunSpec(graph="best-of-n", options=options).build(
        models=model, session_factory=sandbox.factory()
    )
    result = await runner.arun(PROBLEM)
    assert result.answer == "7"  # two candidates say 9, only the 7 reproduces
    scores = state_of(result).selections[0].scores
    assert [s.score for s in scores] == [0.0, 1.0, 0.0]
    assert scores[2].detail == "ran no program"
    rerun = sandbox.programs[-1]  # candidate 2's program, re-run in a fresh namespace
    assert "exec(compile(" in rerun and '"print(3 + 4)\\n"' in rerun


@pytest.mark.parametrize("api", ["pooling", "classify"])
async def test_reward_model_scorer_calls_the_server_per_candidate(api: str) -> None:
    requests: list[dict[str, object]] = []
    model = ScriptedModel(responder=respond)
    async with reward_stub(lambda text: 0.8 if "candidate 2" in text else 0.1, requests) as url:
        endpoint = RewardEndpoint(api_base=url, model="qwen-rm", api=api)  # type: ignore[arg-type]
        options = ProtocolOptions(samples=3, scorer="reward-model", reward=endpoint)
        result = await RunSpec(graph="best-of-n", options=options).build(models=model).arun(PROBLEM)
    assert result.answer == "8" and state_of(result).selections[0].chosen == "sample_3"
    assert len(requests) == 3 and {r["path"] for r in requests} == {f"/{api}"}
    assert {r["model"] for r in requests} == {"qwen-rm"}
    if api == "pooling":
        assert requests[0]["messages"] == [
            {
                "role": "system",
                "content": "Please reason step by step, and put your final "
                "answer within \\boxed{}.",
            },
            {"role": "user", "content": PROBLEM},
            {"role": "assistant", "content": candidate(0)},
        ]
    scores = [s.score for s in state_of(result).selections[0].scores]
    assert scores == pytest.approx([0.1, 0.1, 0.8])


async def test_reward_model_server_down_is_a_one_line_error() -> None:
    requests: list[dict[str, object]] = []
    async with reward_stub(lambda text: 0.5, requests, status=503) as url:
        endpoint = RewardEndpoint(api_base=url, model="rm")
        options = ProtocolOptions(samples=2, scorer="reward-model", reward=endpoint)
        runner = RunSpec(graph="best-of-n", options=options).build(
            models=ScriptedModel(responder=respond)
        )
        with pytest.raises(ModelUnreachableError, match="answered HTTP 503"):
            await runner.arun(PROBLEM)


def test_reward_model_scorer_without_a_server_is_refused() -> None:
    with pytest.raises(ConfigError, match="--reward-api-base"):
        RunSpec(graph="best-of-n", options=ProtocolOptions(scorer="reward-model")).build(
            models=ScriptedModel()
        )
