"""`self-consistency`: Wang et al. (2023), "Self-Consistency Improves Chain of Thought
Reasoning in Language Models". Sample k chain-of-thought answers independently (the paper
samples GPT-3 at T = 0.7), parse each final answer, and return the most frequent.

Here: k `Answerer`s with the plain chain-of-thought prompt and distinct seeds run in
parallel; the vote groups answers by mathematical equivalence and ignores replies with no
answer or cut at the token cap (`council.voting`). There is no reference script; the
paper's section 2 is followed.
"""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, role
from council.protocols.options import ProtocolOptions
from council.protocols.single import COT_DECODING, QWEN_COT
from council.tools.base import ToolRegistry

SAMPLE_DECODING = COT_DECODING.model_copy(
    update={
        "temperature": 0.7,
        "source": "Wang et al. 2023 (T = 0.7 for GPT-3); the rest is single's (Qwen2.5-Math's "
        "math_eval.py)",
    }
)


def self_consistency_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("self-consistency")
    names = [f"sample_{i}" for i in range(1, options.samples + 1)]
    for index, name in enumerate(names):
        agent = Answerer(
            models.for_role("solver"),
            tools=tools,
            settings=definition.settings("solver", options, index),
        )
        graph.add_agent(name, agent, kind="answer", sample=index)
    graph.add_node("start_round", "next_round")
    graph.add_node("vote", "vote")
    graph.add_edge("START", "start_round")
    graph.add_edge("start_round", names)
    graph.add_edge(names, "vote")
    graph.add_edge("vote", "END")
    return graph


SELF_CONSISTENCY = ProtocolDefinition(
    name="self-consistency",
    aliases=("sc", "self_consistency"),
    summary="k chain-of-thought samples, the most frequent answer wins",
    roles={"solver": role(Answerer, SAMPLE_DECODING, count="samples")},
    uses=frozenset({"samples"}),
    defaults={"samples": 5},
    shape=self_consistency_graph,
    reference=Reference(
        paper="Wang et al. 2023, Self-Consistency (no reference script): the method; each "
        "sample is single's call (Qwen2.5-Math's chain-of-thought prompt and decoding) at T 0.7",
        repository=QWEN_COT.repository,
        files=QWEN_COT.files,
        commit=QWEN_COT.commit,
    ),
    deviations=(
        "5 samples by default where the paper samples 40 (set --samples)",
        "answers are grouped by mathematical equivalence, not string equality",
    ),
    answer_rule="majority of the samples' answers; replies with no answer or cut at the cap "
    "do not vote; no answer when none votes",
)
