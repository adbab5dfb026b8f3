"""Message flow of `moa`: layer 1 answers alone; every later proposer and the aggregator
get MoA's aggregate-and-synthesize system message with the previous layer's responses,
numbered, then the query; the aggregator's answer is final."""

from __future__ import annotations

from council.agents.moa import AGGREGATE_AND_SYNTHESIZE
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
COT = PROBLEM + "\nPlease reason step by step, and put your final answer within \\boxed{}."


def reply(call: ScriptedCall) -> str:
    answer = {"proposer_1_1": 7, "proposer_1_2": 8}.get(call.agent, 7)
    return f"{call.agent} says \\boxed{{{answer}}}"


def sent(model: ScriptedModel, agent: str) -> list[list[Message]]:
    return [m for m, info in zip(model.calls, model.call_infos, strict=True) if info.agent == agent]


def synthesize(*replies: str) -> Message:
    listed = "".join(f"\n{i}. {text}" for i, text in enumerate(replies, 1))
    return Message.system(AGGREGATE_AND_SYNTHESIZE + listed)


async def test_each_layer_reads_the_previous_layers_responses_and_the_aggregator_answers() -> None:
    model = ScriptedModel(responder=reply)
    options = ProtocolOptions(agents=2, rounds=2)
    result = await RunSpec(graph="moa", options=options).build(models=model).arun(PROBLEM)
    assert len(model.calls) == 5  # 2 proposers x 2 layers + the aggregator
    assert sent(model, "proposer_1_1") == [[Message.user(COT)]]
    assert sent(model, "proposer_1_2") == [[Message.user(COT)]]
    layer_one = synthesize("proposer_1_1 says \\boxed{7}", "proposer_1_2 says \\boxed{8}")
    assert sent(model, "proposer_2_1") == [[layer_one, Message.user(COT)]]
    assert sent(model, "proposer_2_2") == [[layer_one, Message.user(COT)]]
    layer_two = synthesize("proposer_2_1 says \\boxed{7}", "proposer_2_2 says \\boxed{7}")
    assert sent(model, "aggregator") == [[layer_two, Message.user(COT)]]
    assert result.answer == "7" and result.steps[-1].content == "7"
    seeds = {c.agent: c.decoding.seed for c in result.calls if c.decoding}
    assert seeds == {a: None for a in seeds}  # no base seed given: none sent
    assert {c.decoding.temperature for c in result.calls if c.decoding} == {0.7}


async def test_proposers_can_be_different_models_and_get_distinct_seeds() -> None:
    from council.models.settings import ModelSettings

    first, second, aggregator = (ScriptedModel(responder=reply) for _ in range(3))
    models = RoleModels(first, {"proposer_2": second, "aggregator": aggregator})
    options = ProtocolOptions(agents=2, rounds=2, settings=ModelSettings(seed=10))
    result = await RunSpec(graph="moa", options=options).build(models=models).arun(PROBLEM)
    assert [i.agent for i in second.call_infos] == ["proposer_1_2", "proposer_2_2"]
    assert [i.agent for i in aggregator.call_infos] == ["aggregator"]
    seeds = {c.agent: c.decoding.seed for c in result.calls if c.decoding}
    assert seeds == {
        "proposer_1_1": 10,
        "proposer_1_2": 11,
        "proposer_2_1": 12,
        "proposer_2_2": 13,
        "aggregator": 14,
    }
