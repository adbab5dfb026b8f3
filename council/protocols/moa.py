"""`moa`: Mixture-of-Agents, Wang et al. (2024), "Mixture-of-Agents Enhances Large Language
Model Capabilities", as its reference code runs it (togethercomputer/MoA): `agents`
proposers answer the query; in each of the next `rounds - 1` layers every proposer
answers again with the previous layer's responses in its system message (the
aggregate-and-synthesize prompt, `council.agents.moa`); then one aggregator synthesizes the
last layer's responses into the final answer. Each call is fresh (no conversation is
kept), as in the code. T = 0.7 for all, as the code samples.

Proposers may be different models (the paper mixes six open models): a model given for
role `proposer_<i>` plays proposer i, else the `proposer` role's, else the default; the
aggregator is role `aggregator`. With one model, proposers differ by seed (base + index).

The graph is unrolled, one node per proposer per layer, so it reads as the paper's figure.
Reported (AlpacaEval 2.0 length-controlled win rate): MoA with open models only 65.1%,
GPT-4o 57.5%; MT-Bench 9.25. The paper evaluates instruction following, not math; here the
query carries the chain-of-thought instruction so the answer is the aggregator's boxed
answer. Deviation: if the aggregator's reply has no answer, the latest proposer answer
stands (`finish_last_answer`).
"""

from __future__ import annotations

from typing import Any

from council.agents.answerer import Answerer
from council.agents.base import Agent
from council.agents.moa import Aggregator, Synthesizer
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

MOA_DECODING = RoleDecoding(
    temperature=0.7,
    max_tokens=2048,
    source="togethercomputer/MoA utils.py generate_together: temperature 0.7, max_tokens 2048",
)


def moa_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("moa")
    previous: str | list[str] = "START"
    for layer in range(1, options.rounds + 1):
        start = f"layer_{layer}"
        graph.add_node(start, "next_round")
        graph.add_edge(previous, start)
        names = []
        for index in range(options.agents):
            sample = (layer - 1) * options.agents + index
            model = models.first_of(f"proposer_{index + 1}", "proposer")
            settings = definition.settings("proposer", options, sample)
            agent: Agent[Any] = (
                Answerer(model, tools=tools, settings=settings, role="proposer")
                if layer == 1
                else Synthesizer(model, settings=settings)
            )
            name = f"proposer_{layer}_{index + 1}"
            graph.add_agent(name, agent, kind="answer", sample=sample)
            names.append(name)
        graph.add_edge(start, names)
        previous = names
    graph.add_node("aggregate", "next_round")
    graph.add_edge(previous, "aggregate")
    aggregator = Aggregator(
        models.for_role("aggregator"),
        settings=definition.settings("aggregator", options, options.rounds * options.agents),
    )
    graph.add_agent("aggregator", aggregator, kind="answer", sample=options.rounds * options.agents)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("aggregate", "aggregator")
    graph.add_edge("aggregator", "finish")
    graph.add_edge("finish", "END")
    return graph


MOA = ProtocolDefinition(
    name="moa",
    summary="layers of proposers, each reading the previous layer's answers; an aggregator "
    "synthesizes the last layer",
    roles={
        "proposer": role(Answerer, MOA_DECODING, count="agents per layer", also=(Synthesizer,)),
        "aggregator": role(Aggregator, MOA_DECODING),
    },
    uses=frozenset({"agents", "rounds"}),
    defaults={"agents": 3, "rounds": 2},
    shape=moa_graph,
    reference=Reference(
        paper="Wang et al. 2024, Mixture-of-Agents Enhances Large Language Model Capabilities",
        repository="togethercomputer/MoA",
        files=("generate_for_alpaca_eval.py", "utils.py"),
        commit="1b5cab0f0905d9da821e37322ac6df96ba65e1a7",
    ),
    deviations=(
        "the query carries the chain-of-thought instruction so the aggregator's reply has a "
        "boxed answer (the paper evaluates instruction following)",
        "if the aggregator's reply has no answer, the latest proposer answer stands",
    ),
    answer_rule="the aggregator's boxed answer, else the latest proposer's",
)
