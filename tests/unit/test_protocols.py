"""Message flow of every protocol, pinned against the paper's reference script: for a
scripted model, the exact messages each agent receives in each round (who sees what), the
vote and the stop. The scripted model is told which agent calls, so replies are chosen by
agent and round, never by matching prompt wording. The expected text is the reference's
own (tests/fixtures/references/, retold for these tests' problem and replies by
tests.support.references) or written here; never taken from council's templates."""

from __future__ import annotations

import json
from collections.abc import Callable

from council.graphs.state import CouncilState
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel, ScriptedReply
from council.models.settings import ModelSettings
from council.protocols import ProtocolOptions, RunSpec
from tests.support.references import reference_run

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
COT = PROBLEM + "\nPlease reason step by step, and put your final answer within \\boxed{}."


def scripted(reply: Callable[[ScriptedCall], str | ScriptedReply]) -> ScriptedModel:
    return ScriptedModel(responder=reply)


def sent(model: ScriptedModel, agent: str) -> list[list[Message]]:
    """The conversations `agent` was sent, in call order."""
    return [
        messages
        for messages, info in zip(model.calls, model.call_infos, strict=True)
        if info is not None and info.agent == agent
    ]


# -- single ----------------------------------------------------------------------------
async def test_single_sends_the_plain_chain_of_thought_prompt_greedily() -> None:
    model = scripted(lambda call: "3 + 4 = 7, so \\boxed{7}.")
    result = await RunSpec(graph="single").build(models=model).arun(PROBLEM)
    assert model.calls == [[Message.user(COT)]]  # one user message, no system message
    assert result.answer == "7"
    (record,) = result.calls
    assert record.messages == [Message.user(COT)] and record.reply.endswith("\\boxed{7}.")
    assert record.finish_reason == "stop"
    assert record.decoding is not None and record.decoding.temperature == 0.0


async def test_a_truncated_reply_has_no_answer() -> None:
    model = scripted(lambda call: ScriptedReply(text="3 + 4 = 7 and then", finish_reason="length"))
    result = await RunSpec(graph="single").build(models=model).arun(PROBLEM)
    assert result.answer is None
    state = CouncilState.model_validate(result.state)
    assert state.turns[0].truncated and state.turns[0].answer is None
    assert "not trusted" in result.steps[0].content
    assert result.calls[0].truncated


# -- self-consistency ------------------------------------------------------------------
async def test_self_consistency_samples_with_distinct_seeds_and_votes_by_value() -> None:
    replies = {0: "\\boxed{42}", 1: "\\boxed{42.0}", 2: "\\boxed{\\frac{84}{2}}", 3: "\\boxed{41}"}
    model = scripted(lambda call: replies.get(call.sample, "I am not sure."))
    options = ProtocolOptions(samples=5, settings=ModelSettings(seed=10))
    result = (
        await RunSpec(graph="self-consistency", options=options).build(models=model).arun(PROBLEM)
    )
    assert model.calls == [[Message.user(COT)]] * 5
    seeds = sorted(c.decoding.seed for c in result.calls if c.decoding)
    assert seeds == [10, 11, 12, 13, 14]
    assert {c.decoding.temperature for c in result.calls if c.decoding} == {0.7}
    assert result.answer == "42"
    table = CouncilState.model_validate(result.state).votes[-1]
    assert [len(c.voters) for c in table.counts] == [3, 1]
    assert table.abstained == ["sample_5"]  # no answer, no vote


async def test_the_users_temperature_reaches_every_sample() -> None:
    model = scripted(lambda call: "\\boxed{1}")
    options = ProtocolOptions(samples=3, settings=ModelSettings(temperature=0.3))
    result = await RunSpec(graph="self-consistency", options=options).build(models=model).arun("q")
    assert {c.decoding.temperature for c in result.calls if c.decoding} == {0.3}


# -- debate (Du et al.) ----------------------------------------------------------------
def debate_reply(call: ScriptedCall) -> str:
    return (
        f"{call.agent} in round {call.round} says \\boxed{{{7 if call.round > 1 else call.sample}}}"
    )


async def test_debate_each_debater_keeps_its_history_and_reads_the_others_full_replies() -> None:
    model = scripted(debate_reply)
    options = ProtocolOptions(agents=3, rounds=2)
    result = await RunSpec(graph="debate", options=options).build(models=model).arun(PROBLEM)
    assert len(model.calls) == 6
    reference = reference_run("debate.three-agents-two-rounds")
    debaters = ["debater_1", "debater_2", "debater_3"]
    first = {
        (agent, 1): f"{agent} in round 1 says \\boxed{{{i}}}" for i, agent in enumerate(debaters)
    }
    for agent in debaters:
        round_one, round_two = sent(model, agent)
        assert round_one == reference.messages(agent, 1, problem=PROBLEM)
        assert round_two == reference.messages(agent, 2, problem=PROBLEM, replies=first)
        # its own history, then the others' round-1 replies, in order, and not its own
        own, others = first[(agent, 1)], [first[(a, 1)] for a in debaters if a != agent]
        assert round_two[:2] == [*round_one, Message.assistant(own)]
        read = round_two[2].content
        assert own not in read and read.index(others[0]) < read.index(others[1])
    assert result.answer == "7"  # the last round's majority
    assert result.status == "agreed"
    assert {c.decoding.temperature for c in result.calls if c.decoding} == {1.0}  # the script's


async def test_debate_runs_every_round_unless_early_stop_is_asked_for() -> None:
    model = scripted(lambda call: "\\boxed{42}")
    await RunSpec(graph="debate", options=ProtocolOptions(rounds=3)).build(models=model).arun("q")
    assert len(model.calls) == 9  # the script has no early stop

    model = scripted(lambda call: "\\boxed{42}")
    options = ProtocolOptions(rounds=3, early_stop=True)
    result = await RunSpec(graph="debate", options=options).build(models=model).arun("q")
    assert len(model.calls) == 3
    assert result.status == "agreed" and result.rounds == 1


async def test_agreement_needs_every_debater_to_commit_to_an_answer() -> None:
    model = scripted(lambda call: "no idea" if call.agent == "debater_3" else "\\boxed{42}")
    options = ProtocolOptions(rounds=2, early_stop=True)
    result = await RunSpec(graph="debate", options=options).build(models=model).arun("q")
    assert len(model.calls) == 6  # two answers and an abstention are not agreement
    assert result.answer == "42" and result.status == "done"


async def test_a_lone_debater_is_asked_to_double_check() -> None:
    model = scripted(lambda call: "\\boxed{5}")
    options = ProtocolOptions(agents=1, rounds=2)
    await RunSpec(graph="debate", options=options).build(models=model).arun(PROBLEM)
    second = sent(model, "debater_1")[1]
    assert second[-1].content.startswith("Can you double check that your answer is correct.")


# -- mad (Liang et al.) ----------------------------------------------------------------
def moderator_reply(answer: str, reason: str) -> str:
    """A moderator's reply in the JSON form MAD's moderator prompt asks for."""
    return json.dumps(
        {
            "Whether there is a preference": "Yes" if answer else "No",
            "Supported Side": "Affirmative" if answer else "",
            "Reason": reason,
            "debate_answer": answer,
        }
    )


def mad_reply(decide_in_round: int | None, judge: str = '{"Reason": "r", "debate_answer": "7"}'):
    def reply(call: ScriptedCall) -> str:
        if call.agent == "moderator":
            decided = decide_in_round is not None and call.round >= decide_in_round
            return moderator_reply("7" if decided else "", reason=f"round {call.round}")
        if call.agent == "judge_candidates":
            return "Candidates: 7 and 8"
        if call.agent == "judge":
            return judge
        number = 7 if call.agent == "affirmative" else 8
        return f"{call.agent} round {call.round}: the answer is {number}"

    return reply


MAD_REPLIES = {
    ("affirmative", 1): "affirmative round 1: the answer is 7",
    ("negative", 1): "negative round 1: the answer is 8",
    ("affirmative", 2): "affirmative round 2: the answer is 7",
    ("negative", 2): "negative round 2: the answer is 8",
    ("moderator", 1): moderator_reply("", reason="round 1"),
}
"""What `mad_reply` answers, by (agent, round), in the keys the reference fixtures use."""


def mad_expected(case: str, agent: str, round: int, *shown: tuple[str, int]) -> list[Message]:
    """What the reference sent `agent` in `round` of fixture `case`, retold for PROBLEM and
    for this file's replies; `shown` names every earlier reply that agent is shown."""
    replies = {key: MAD_REPLIES[key] for key in shown}
    return reference_run(case).messages(agent, round, problem=PROBLEM, replies=replies)


async def test_mad_sides_argue_in_their_own_conversations_and_the_moderator_decides() -> None:
    model = scripted(mad_reply(decide_in_round=2))
    result = (
        await RunSpec(graph="mad", options=ProtocolOptions(rounds=3))
        .build(models=model)
        .arun(PROBLEM)
    )
    case = "mad.moderator-decides-round-2"
    aff1, neg1, aff2, neg2 = (
        ("affirmative", 1),
        ("negative", 1),
        ("affirmative", 2),
        ("negative", 2),
    )
    assert sent(model, "affirmative") == [
        mad_expected(case, "affirmative", 1),
        mad_expected(case, "affirmative", 2, aff1, neg1),
    ]
    assert sent(model, "negative") == [
        mad_expected(case, "negative", 1, aff1),
        mad_expected(case, "negative", 2, aff1, neg1, aff2),
    ]
    assert sent(model, "moderator") == [
        mad_expected(case, "moderator", 1, aff1, neg1),
        mad_expected(case, "moderator", 2, aff1, neg1, ("moderator", 1), aff2, neg2),
    ]
    # each side keeps its own conversation and is shown only the other's latest reply
    affirmative_two, negative_two = sent(model, "affirmative")[1], sent(model, "negative")[1]
    assert [m.role for m in affirmative_two] == ["system", "user", "assistant", "user"]
    assert affirmative_two[2].content == MAD_REPLIES[aff1]
    assert affirmative_two[3].content.startswith(MAD_REPLIES[neg1])
    assert negative_two[1].content.startswith(MAD_REPLIES[aff1])
    assert negative_two[3].content.startswith(MAD_REPLIES[aff2])
    assert result.answer == "7" and result.status == "decided"
    assert not sent(model, "judge")


async def test_mad_without_a_decision_asks_the_judge_about_the_first_replies() -> None:
    model = scripted(mad_reply(decide_in_round=None))
    result = (
        await RunSpec(graph="mad", options=ProtocolOptions(rounds=2))
        .build(models=model)
        .arun(PROBLEM)
    )
    # the reference's judge came after round 3, this one after round 2: same requests
    case = "mad.judge-after-three-rounds"
    candidates = mad_expected(case, "judge_candidates", 3, ("affirmative", 1), ("negative", 1))
    assert sent(model, "judge_candidates") == [candidates]
    judge = reference_run(case).messages(
        "judge",
        3,
        problem=PROBLEM,
        replies={
            **{key: MAD_REPLIES[key] for key in [("affirmative", 1), ("negative", 1)]},
            ("judge_candidates", 3): "Candidates: 7 and 8",
        },
    )
    (asked,) = sent(model, "judge")
    assert asked == judge
    assert asked[:2] == candidates and asked[2] == Message.assistant("Candidates: 7 and 8")
    assert "round 2" not in asked[1].content  # the first replies, not the latest
    assert len(sent(model, "moderator")) == 2
    assert result.answer == "7"


async def test_an_unreadable_judge_means_no_answer_not_a_sides_answer() -> None:
    model = scripted(mad_reply(decide_in_round=None, judge="I cannot decide."))
    result = (
        await RunSpec(graph="mad", options=ProtocolOptions(rounds=1)).build(models=model).arun("q")
    )
    assert result.answer is None


async def test_protocol_agents_get_the_users_temperature() -> None:
    model = scripted(mad_reply(decide_in_round=1))
    options = ProtocolOptions(rounds=1, settings=ModelSettings(temperature=0.9, seed=3))
    result = await RunSpec(graph="mad", options=options).build(models=model).arun("q")
    by_agent = {c.agent: c.decoding for c in result.calls}
    assert {d.temperature for d in by_agent.values() if d} == {0.9}
    assert by_agent["negative"] is not None and by_agent["negative"].seed == 4


def test_a_protocols_roles_can_have_their_own_models() -> None:
    judge, sides = ScriptedModel(), ScriptedModel()
    runner = RunSpec(graph="mad").build(
        models=RoleModels(sides, {"moderator": judge, "judge": judge})
    )
    agents = {name: node.agent for name, node in runner.spec.nodes.items() if node.agent}
    assert agents["moderator"].model is judge and agents["judge"].model is judge
    assert agents["affirmative"].model is sides
