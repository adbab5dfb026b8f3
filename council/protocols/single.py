"""`single`: one chain-of-thought answer, greedy unless told otherwise. The baseline every
protocol must beat, with the plain chain-of-thought prompt (`council.agents.answerer`)."""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TEMPERATURE = 0.0


def single_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("single")
    answerer = Answerer(
        models.for_role("solver"), tools=tools, settings=options.decoding(TEMPERATURE)
    )
    graph.add_agent("solver", answerer, kind="answer", starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "solver")
    graph.add_edge("solver", "finish")
    graph.add_edge("finish", "END")
    return graph
