"""Message flow of `moa`: layer 1 answers alone; every later proposer and the aggregator
get MoA's aggregate-and-synthesize system message with the previous layer's responses,
numbered, then the query; the aggregator's answer is final. The expected messages are the
reference's (tests/fixtures/references/moa.three-proposers-two-layers.json), retold for
this file's problem and replies."""

from __future__ import annotations

from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from tests.support.references import reference_run

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"
COT = PROBLEM + "\nPlease reason step by step, and put your final answer within \\boxed{}."


def reply(call: ScriptedCall) -> str:
    answer = {"proposer_1_1": 7, "proposer_1_2": 8}.get(call.agent, 7)
    return f"{call.agent} says \\boxed{{{answer}}}"


def sent(model: ScriptedModel, agent: str) -> list[list[Message]]:
    return [m for m, info in zip(model.calls, model.call_infos, strict=True) if info.agent == agent]


def reference_sends(agent: str, layer: int, shown: dict[tuple[str, int], str]) -> list[Message]:
    """What MoA's reference sent `agent` in `layer` (three proposers, two layers), retold
    for PROBLEM and for the previous layer's replies in `shown`."""
    reference = reference_run("moa.three-proposers-two-layers")
    return reference.messages(agent, layer, problem=PROBLEM, replies=shown)


async def test_each_layer_reads_the_previous_layers_responses_and_the_aggregator_answers() -> None:
    model = ScriptedModel(responder=reply)
    options = ProtocolOptions(agents=3, rounds=2)
    result = await RunSpec(graph="moa", options=options).build(models=model).arun(PROBLEM)
    assert len(model.calls) == 7  # 3 proposers x 2 layers + the aggregator
    for index in (1, 2, 3):
        assert sent(model, f"proposer_1_{index}") == [[Message.user(COT)]]
    layer_one = {
        (f"proposer_1_{i}", 1): f"proposer_1_{i} says \\boxed{{{a}}}"
        for i, a in [(1, 7), (2, 8), (3, 7)]
    }
    for index in (1, 2, 3):
        agent = f"proposer_2_{index}"
        assert sent(model, agent) == [reference_sends(agent, 2, layer_one)]
    layer_two = {(f"proposer_2_{i}", 2): f"proposer_2_{i} says \\boxed{{7}}" for i in (1, 2, 3)}
    (aggregated,) = sent(model, "aggregator")
    assert aggregated == reference_sends("aggregator", 3, layer_two)
    # the aggregator reads layer 2's responses, numbered in proposer order, and no others
    listed = aggregated[0].content
    where = [listed.find(f"\n{i}. proposer_2_{i} says") for i in (1, 2, 3)]
    assert -1 not in where and where == sorted(where)
    assert "proposer_1_" not in listed and aggregated[1] == Message.user(COT)
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
