"""Folding a closing finisher into the agent before it (`council.graphs.fusion`) saves a
LangGraph superstep and changes nothing a run produces."""

from __future__ import annotations

import pytest

from council.graphs.builder import CouncilGraph
from council.graphs.run import RunResult, run_config, stream_run
from council.models.scripted import ScriptedModel
from council.protocols import RunSpec
from council.runner import GraphRunner

PROBLEM = "Tom has 3 apples and buys 4 more. How many apples does he have?"


async def run_compiled(graph: CouncilGraph, compiled: object) -> RunResult:
    initial = GraphRunner(graph).initial_state(PROBLEM)
    result = None
    async for item in stream_run(compiled, initial, run_config()):
        if isinstance(item, RunResult):
            result = item
    assert result is not None
    return result


@pytest.mark.parametrize("protocol", ["single", "moa"])
async def test_a_folded_finisher_runs_in_its_agents_step_with_the_same_outcome(
    protocol: str,
) -> None:
    model = ScriptedModel(responder=lambda call: "```python\nprint(7)\n```\nSo \\boxed{7}")
    runner = RunSpec(graph=protocol).build(models=model)
    spec = runner.spec
    assert spec.finisher_folds(), f"{protocol} should end agent -> finish -> END"
    folded = await run_compiled(spec, runner.graph)
    plain = await run_compiled(spec, spec.build().compile())
    assert "finish" not in runner.graph.get_graph().nodes  # one superstep fewer
    assert "finish" in spec.build().compile().get_graph().nodes  # users' graph: unchanged
    assert folded.answer == plain.answer == "7"
    assert folded.status == plain.status
    assert [(s.role, s.kind, s.content) for s in folded.steps] == [
        (s.role, s.kind, s.content) for s in plain.steps
    ]
    for key in ("final_answer", "status", "stopped_round", "stopped_early", "round"):
        assert getattr(folded.state, key) == getattr(plain.state, key), key
    assert len(folded.state.turns) == len(plain.state.turns)


def test_a_finisher_reached_from_a_branch_is_not_folded() -> None:
    model = ScriptedModel(responder=lambda call: "\\boxed{7}")
    for protocol in ("solve", "mad", "self-consistency", "debate"):
        assert RunSpec(graph=protocol).build(models=model).spec.finisher_folds() == {}, protocol


def test_a_finisher_named_for_an_interrupt_stays_a_node() -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    spec = RunSpec(graph="single").build(models=ScriptedModel(responder=lambda call: "x")).spec
    compiled = spec.compile(checkpointer=InMemorySaver(), interrupt_before=["finish"])
    assert "finish" in compiled.get_graph().nodes
    every = spec.compile(checkpointer=InMemorySaver(), interrupt_after="*")
    assert "finish" in every.get_graph().nodes
    assert "finish" not in spec.compile().get_graph().nodes
