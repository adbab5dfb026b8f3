"""`single`: one chain-of-thought answer. The baseline every protocol must beat."""

from __future__ import annotations

from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.answerer import Answerer
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry


def single_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("single")
    answerer = Answerer(models.for_role("solver"), tools=tools, settings=options.settings)
    graph.add_agent("solver", answerer, kind="answer", starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "solver")
    graph.add_edge("solver", "finish")
    graph.add_edge("finish", "END")
    return graph
