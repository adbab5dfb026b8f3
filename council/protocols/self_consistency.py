"""`self-consistency`: Wang et al. (2023), "Self-Consistency Improves Chain of Thought
Reasoning in Language Models". Sample k chain-of-thought answers independently (the paper
samples GPT-3 at T = 0.7), parse each final answer, and return the most frequent.

Here: k `Answerer`s with the plain chain-of-thought prompt and distinct seeds run in
parallel; the vote groups answers by mathematical equivalence and ignores replies with no
answer or cut at the token limit (`council.voting`). There is no reference script; the
paper's section 2 is followed.
"""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TEMPERATURE = 0.7


def self_consistency_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    graph = CouncilGraph("self-consistency")
    names = [f"sample_{i}" for i in range(1, options.samples + 1)]
    for index, name in enumerate(names):
        agent = Answerer(
            models.for_role("solver"), tools=tools, settings=options.decoding(TEMPERATURE, index)
        )
        graph.add_agent(name, agent, kind="answer", sample=index)
    graph.add_node("start_round", "next_round")
    graph.add_node("vote", "vote")
    graph.add_edge("START", "start_round")
    graph.add_edge("start_round", names)
    graph.add_edge(names, "vote")
    graph.add_edge("vote", "END")
    return graph
