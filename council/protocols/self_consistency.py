"""`self-consistency` (Wang et al. 2023): k independent samples, majority vote."""

from __future__ import annotations

from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.answerer import Answerer
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry


def self_consistency_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("self-consistency")
    names = [f"sample_{i}" for i in range(1, options.samples + 1)]
    for index, name in enumerate(names):
        agent = Answerer(
            models.for_role("solver"), tools=tools, settings=options.sample_settings(index)
        )
        graph.add_agent(name, agent, kind="answer", sample=index)
    graph.add_node("start_round", "next_round")
    graph.add_node("vote", "vote")
    graph.add_edge("START", "start_round")
    graph.add_edge("start_round", names)
    graph.add_edge(names, "vote")
    graph.add_edge("vote", "END")
    return graph
