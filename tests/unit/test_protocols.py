"""Message flow of every protocol, pinned against the paper's reference script: for a
scripted model, the exact messages each agent receives in each round (who sees what), the
vote and the stop. The scripted model is told which agent calls, so replies are chosen by
agent and round, never by matching prompt wording."""

from __future__ import annotations

from collections.abc import Callable

from council.agents.debater import FIRST_TASK, READ_OTHERS
from council.agents.mad import (
    DEBATE_PROMPT,
    JUDGE_CANDIDATES,
    JUDGE_FINAL,
    MODERATOR_META,
    MODERATOR_TASK,
    NEGATIVE_FIRST,
    PLAYER_META,
    moderator_json,
)
from council.graphs.state import CouncilState
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel, ScriptedReply
from council.models.settings import ModelSettings
from council.protocols import ProtocolOptions, RunSpec

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
COT = PROBLEM + "\nPlease reason step by step, and put your final answer within \\boxed{}."


def du_first(problem: str = PROBLEM) -> str:
    return (
        FIRST_TASK.replace("{memory}", "")
        .replace("{problem}", problem)
        .replace("{{", "{")
        .replace("}}", "}")
    )


def fill(template: str, **values: str) -> str:
    text = template
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("{{", "{").replace("}}", "}")


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
    first = [Message.user(du_first())]
    for index, agent in enumerate(["debater_1", "debater_2", "debater_3"]):
        round_one, round_two = sent(model, agent)
        assert round_one == first
        own = f"{agent} in round 1 says \\boxed{{{index}}}"
        others = [
            f"{other} in round 1 says \\boxed{{{i}}}"
            for i, other in enumerate(["debater_1", "debater_2", "debater_3"])
            if other != agent
        ]
        prefix = "These are the solutions to the problem from other agents: " + "".join(
            f"\n\n One agent solution: ```{reply}```" for reply in others
        )
        expected = fill(READ_OTHERS, others=prefix, problem=PROBLEM)
        assert round_two == [*first, Message.assistant(own), Message.user(expected)]
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
def mad_reply(decide_in_round: int | None, judge: str = '{"Reason": "r", "debate_answer": "7"}'):
    def reply(call: ScriptedCall) -> str:
        if call.agent == "moderator":
            decided = decide_in_round is not None and call.round >= decide_in_round
            return moderator_json("7" if decided else "", reason=f"round {call.round}")
        if call.agent == "judge_candidates":
            return "Candidates: 7 and 8"
        if call.agent == "judge":
            return judge
        number = 7 if call.agent == "affirmative" else 8
        return f"{call.agent} round {call.round}: the answer is {number}"

    return reply


async def test_mad_sides_argue_in_their_own_conversations_and_the_moderator_decides() -> None:
    model = scripted(mad_reply(decide_in_round=2))
    result = (
        await RunSpec(graph="mad", options=ProtocolOptions(rounds=3))
        .build(models=model)
        .arun(PROBLEM)
    )
    player = Message.system(fill(PLAYER_META, problem=PROBLEM, tool_help=""))
    moderator_meta = Message.system(fill(MODERATOR_META, problem=PROBLEM))
    aff1, neg1 = "affirmative round 1: the answer is 7", "negative round 1: the answer is 8"
    aff2, neg2 = "affirmative round 2: the answer is 7", "negative round 2: the answer is 8"

    assert sent(model, "affirmative") == [
        [player, Message.user(PROBLEM)],
        [
            player,
            Message.user(PROBLEM),
            Message.assistant(aff1),
            Message.user(fill(DEBATE_PROMPT, opponent=neg1)),
        ],
    ]
    negative_first = Message.user(fill(NEGATIVE_FIRST, opponent=aff1))
    assert sent(model, "negative") == [
        [player, negative_first],
        [
            player,
            negative_first,
            Message.assistant(neg1),
            Message.user(fill(DEBATE_PROMPT, opponent=aff2)),
        ],
    ]

    def moderator_task(ordinal: str, aff: str, neg: str) -> Message:
        return Message.user(
            fill(
                MODERATOR_TASK,
                round_ordinal=ordinal,
                **{"reply.affirmative": aff, "reply.negative": neg},
            )
        )

    first_round = moderator_task("first", aff1, neg1)
    assert sent(model, "moderator") == [
        [moderator_meta, first_round],
        [
            moderator_meta,
            first_round,
            Message.assistant(moderator_json("", reason="round 1")),
            moderator_task("second", aff2, neg2),
        ],
    ]
    assert result.answer == "7" and result.status == "decided"
    assert not sent(model, "judge")


async def test_mad_without_a_decision_asks_the_judge_about_the_first_replies() -> None:
    model = scripted(mad_reply(decide_in_round=None))
    result = (
        await RunSpec(graph="mad", options=ProtocolOptions(rounds=2))
        .build(models=model)
        .arun(PROBLEM)
    )
    meta = Message.system(fill(MODERATOR_META, problem=PROBLEM))
    candidates = Message.user(
        fill(
            JUDGE_CANDIDATES,
            **{
                "first_reply.affirmative": "affirmative round 1: the answer is 7",
                "first_reply.negative": "negative round 1: the answer is 8",
            },
        )
    )
    assert sent(model, "judge_candidates") == [[meta, candidates]]
    assert sent(model, "judge") == [
        [
            meta,
            candidates,
            Message.assistant("Candidates: 7 and 8"),
            Message.user(fill(JUDGE_FINAL, problem=PROBLEM)),
        ]
    ]
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
