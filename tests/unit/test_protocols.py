"""Message flow of each protocol with scripted models: who sees what, in which round."""

from __future__ import annotations

from collections.abc import Sequence

from council.graphs.nodes import majority
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedModel
from council.protocols import ProtocolOptions, protocol_runner


def answer(text: str) -> str:
    return f"REASONING: because\nANSWER: {text}"


def debater_model(script: dict[tuple[int, int], str]) -> ScriptedModel:
    """Replies keyed by (round, call order within the round); round 2 prompts quote others."""

    def respond(messages: Sequence[Message]) -> str:
        later = "other agents" in messages[-1].content
        round_number = 2 if later else 1
        index = sum(("other agents" in call[-1].content) == later for call in model.calls) - 1
        return script[(round_number, index)]

    model = ScriptedModel(responder=respond)
    return model


async def test_debate_round_two_sees_the_others_answers_but_not_its_own() -> None:
    model = debater_model(
        {
            (1, 0): answer("1"),
            (1, 1): answer("2"),
            (1, 2): answer("3"),
            (2, 0): answer("2"),
            (2, 1): answer("2"),
            (2, 2): answer("3"),
        }
    )
    runner = protocol_runner("debate", RoleModels(model), ProtocolOptions(agents=3, rounds=2))
    result = await runner.arun("What?")
    round_one = [c for c in model.calls if "other agents" not in c[-1].content]
    round_two = [c for c in model.calls if "other agents" in c[-1].content]
    assert len(round_one) == 3 and len(round_two) == 3
    for call in round_two:
        assert call[-1].content.count("One agent's solution") == 2  # the two others only
    assert result.answer == "2"  # majority of the last round
    assert result.rounds == 2
    assert result.state["stopped_round"] == 2 and result.state["stopped_early"] is False
    by_agent = result.usage.by_agent
    assert set(by_agent) == {"debater_1", "debater_2", "debater_3"}
    assert all(u.calls == 2 for u in by_agent.values())
    assert {c.round for c in result.calls} == {1, 2}


async def test_debate_stops_early_when_all_agree_and_records_the_round() -> None:
    model = ScriptedModel(responder=lambda messages: answer("42"))
    runner = protocol_runner("debate", RoleModels(model), ProtocolOptions(agents=3, rounds=3))
    result = await runner.arun("q")
    assert len(model.calls) == 3
    assert result.answer == "42"
    assert result.status == "agreed"
    assert result.state["stopped_round"] == 1 and result.state["stopped_early"] is True


async def test_debate_without_early_stop_runs_every_round() -> None:
    model = ScriptedModel(responder=lambda messages: answer("42"))
    options = ProtocolOptions(agents=2, rounds=3, early_stop=False)
    result = await protocol_runner("debate", RoleModels(model), options).arun("q")
    assert len(model.calls) == 6
    assert result.state["stopped_early"] is False


async def test_self_consistency_votes_with_distinct_seeds() -> None:
    replies = iter([answer("5"), answer("6"), answer("5"), answer("6"), answer("6")])
    model = ScriptedModel(responder=lambda messages: next(replies))
    options = ProtocolOptions(samples=5, settings={"seed": 10})  # type: ignore[arg-type]
    runner = protocol_runner("self-consistency", RoleModels(model), options)
    result = await runner.arun("q")
    assert result.answer == "6"
    assert sorted(c.sample for c in result.calls) == [0, 1, 2, 3, 4]
    seeds = {
        agent.settings.seed
        for agent in (n.agent for n in runner.spec.nodes.values())
        if agent is not None
    }
    assert seeds == {10, 11, 12, 13, 14}


def test_majority_ties_go_to_the_first_given_and_normalise() -> None:
    assert majority(["3", "4", "4", "3"]) == "3"
    assert majority(["$1,000", "1000.0", "999"]) == "$1,000"
    assert majority([]) is None


async def test_mad_judge_ends_early_and_sees_both_sides() -> None:
    judge = ScriptedModel(["DECIDED: yes\nANSWER: 9\nREASON: negative found the slip"])
    affirmative = ScriptedModel([answer("8")])
    negative = ScriptedModel([answer("9")])
    models = RoleModels(affirmative, {"negative": negative, "judge": judge})
    result = await protocol_runner("mad", models, ProtocolOptions(rounds=3)).arun("q")
    judge_prompt = judge.calls[0][-1].content
    assert "affirmative (round 1): 8" in judge_prompt and "negative (round 1): 9" in judge_prompt
    assert "The affirmative side said:" in negative.calls[0][-1].content
    assert result.answer == "9"
    assert result.state["stopped_early"] is True


async def test_mad_runs_to_the_bound_when_judge_undecided() -> None:
    judge = ScriptedModel(responder=lambda m: "DECIDED: no\nREASON: unclear")
    sides = ScriptedModel(responder=lambda m: answer("1"))
    models = RoleModels(sides, {"judge": judge})
    result = await protocol_runner("mad", models, ProtocolOptions(rounds=2)).arun("q")
    assert len(judge.calls) == 2
    assert result.rounds == 2
    assert result.answer == "1"


async def test_single_is_one_call() -> None:
    model = ScriptedModel([answer("3")])
    result = await protocol_runner("single", RoleModels(model)).arun("q")
    assert result.answer == "3" and len(model.calls) == 1
