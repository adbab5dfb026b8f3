"""Message flow of `refine`: the generator answers, the verifier critiques and scores the
latest solution, the refiner reads that solution and the critique; the loop stops on an
accepting verdict or when rounds run out, and the best-scored round answers, with every
round's score kept in the state.

refine's prompts are council's own (no reference publishes any; see
council/agents/refine.py), so there is no fixture to check them against: the texts below
are a golden copy, written out here so that changing a prompt fails this test and is done
on purpose, with the copy updated in the same change."""

from __future__ import annotations

from council.graphs.state import CouncilState
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
COT = PROBLEM + "\nPlease reason step by step, and put your final answer within \\boxed{}."


def sent(model: ScriptedModel, agent: str) -> list[list[Message]]:
    return [m for m, info in zip(model.calls, model.call_infos, strict=True) if info.agent == agent]


def state_of(result: object) -> CouncilState:
    return CouncilState.model_validate(result.state)  # type: ignore[attr-defined]


VERIFIER_SYSTEM = (
    "You are the verifier of a math solution. Recompute every step independently, find "
    "each error in the reasoning or arithmetic, and judge whether the final answer is correct."
)
"""Golden copy of council's refine verifier system prompt (council's own text)."""


def verifier_sees(solution: str) -> list[Message]:
    """Golden copy of council's refine verifier task, with its answer format."""
    task = (
        f"Problem:\n{PROBLEM}\n\nSolution:\n{solution}\n\nCritique the solution, then judge it.\n"
        "CRITIQUE: the errors you found, or none\nVERDICT: correct or incorrect\n"
        "SCORE: a number from 0 to 1, how likely the final answer is correct"
    )
    return [Message.system(VERIFIER_SYSTEM), Message.user(task)]


def refiner_sees(solution: str, critique: str) -> list[Message]:
    """Golden copy of council's refiner task: no system message, one user message."""
    task = (
        f"Problem:\n{PROBLEM}\n\nPrevious solution:\n{solution}\n\nA verifier's critique "
        f"of it:\n{critique}\n\nWrite an improved solution: fix every error the critique "
        "found and keep what is right. Please reason step by step, and put your final answer "
        "within \\boxed{}."
    )
    return [Message.user(task)]


GENERATED = "3 + 4 = 8, so \\boxed{8}"
REFINED = "3 + 4 = 7, so \\boxed{7}"
REJECT = "CRITIQUE: 3 + 4 is 7, not 8\nVERDICT: incorrect\nSCORE: 0.2"
ACCEPT = "CRITIQUE: none\nVERDICT: correct\nSCORE: 0.9"


async def test_the_refiner_reads_the_critique_and_the_accepted_round_wins() -> None:
    def reply(call: ScriptedCall) -> str:
        if call.agent == "verifier":
            return ACCEPT if "\\boxed{7}" in call.last else REJECT
        return GENERATED if call.agent == "generator" else REFINED

    model = ScriptedModel(responder=reply)
    options = ProtocolOptions(rounds=3)
    result = await RunSpec(graph="refine", options=options).build(models=model).arun(PROBLEM)
    assert sent(model, "generator") == [[Message.user(COT)]]
    assert sent(model, "verifier") == [verifier_sees(GENERATED), verifier_sees(REFINED)]
    assert sent(model, "refiner") == [refiner_sees(GENERATED, REJECT)]
    assert result.answer == "7" and result.status == "accepted"
    state = state_of(result)
    assert state.stopped_round == 2 and state.stopped_early  # accepted before round 3
    (selection,) = state.selections
    assert selection.by == "verifier-score" and selection.chosen == "refiner@2"
    assert [(s.agent, s.answer, s.score) for s in selection.scores] == [
        ("generator@1", "8", 0.2),
        ("refiner@2", "7", 0.9),
    ]


async def test_a_worse_refinement_loses_to_an_earlier_round_when_rounds_run_out() -> None:
    scores = iter(["0.6", "0.3", "0.4"])
    answers = iter(["7", "8", "9"])

    def reply(call: ScriptedCall) -> str:
        if call.agent == "verifier":
            return f"CRITIQUE: unsure\nVERDICT: incorrect\nSCORE: {next(scores)}"
        return f"so \\boxed{{{next(answers)}}}"

    model = ScriptedModel(responder=reply)
    result = (
        await RunSpec(graph="refine", options=ProtocolOptions(rounds=3))
        .build(models=model)
        .arun(PROBLEM)
    )
    assert len(sent(model, "refiner")) == 2 and len(sent(model, "verifier")) == 3
    assert sent(model, "refiner")[1] == refiner_sees(
        "so \\boxed{8}", "CRITIQUE: unsure\nVERDICT: incorrect\nSCORE: 0.3"
    )
    assert result.answer == "7" and result.status == "exhausted"
    (selection,) = state_of(result).selections
    assert [s.score for s in selection.scores] == [0.6, 0.3, 0.4]
    assert state_of(result).stopped_round == 3


async def test_an_unreadable_score_leaves_its_round_unscored() -> None:
    def reply(call: ScriptedCall) -> str:
        if call.agent == "verifier":
            if "\\boxed{8}" in call.last or "\\boxed{8}" in call.messages[1].content:
                return "I am not sure."  # no score, and none after the re-ask
            return ACCEPT.replace("0.9", "0.1").replace("correct", "incorrect")
        return GENERATED if call.agent == "generator" else REFINED

    model = ScriptedModel(responder=reply)
    result = (
        await RunSpec(graph="refine", options=ProtocolOptions(rounds=2))
        .build(models=model)
        .arun(PROBLEM)
    )
    (selection,) = state_of(result).selections
    assert selection.scores[0].score is None and selection.scores[0].detail
    assert result.answer == "7"  # the only scored round, though its score is low
