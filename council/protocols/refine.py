"""`refine`: generate → verify → refine, with the answer selected among the rounds by the
verifier's score.

Follows MALT (Motwani et al. 2024, "MALT: Improving Reasoning with Multi-Agent LLM
Training", arXiv 2412.01928): a generator answers, a verifier critiques the answer, a
refiner rewrites it using the critique. MALT post-trains one model per role; reported:
relative improvements over the same base model of 15.66% on MATH, 7.42% on GSM8K and 9.40%
on CSQA (Llama-3.1-8B-Instruct), with three passes through the pipeline and a majority
vote at inference. The selection step follows PlanGEN (Parmar et al. 2025, "PlanGEN: A
Multi-Agent Framework for Generating Planning and Reasoning Trajectories for Complex Problem
Solving"): a verification agent scores each candidate and the best-scored one is selected;
no PlanGEN numbers are quoted here.

No reference script: neither paper's authors published code (MALT's project page lists
code as "coming soon"; PlanGEN has only third-party re-implementations) and MALT's paper
prints no prompt templates (it says its prompts are zero-shot CoT, sampled at T = 0.3).
So `refine` is council's own protocol after these papers: its prompts, rounds, stop rule
and decoding are council's, and no reference fixture pins them.

Here: round 1, the generator (the plain chain-of-thought prompt) answers and the verifier
(`council.agents.refine.Assessor`) writes a critique, a verdict and a 0-1 score; while the
verdict is "incorrect" and rounds remain (`--rounds`, default 2: one refinement, as one MALT
pass), the refiner rewrites the latest solution with the critique and the verifier scores
the rewrite. Then `select_by_round_score` answers with the best-scored round (ties: the
answer most tied rounds gave, then the earliest) and keeps every round's score in
`selections`. Deviations: prompted roles instead of trained ones, one pass instead of
MALT's three-pass vote, an early stop when the verifier accepts, and selection by score
instead of MALT's "the refiner's answer is final". Greedy (T = 0), council's choice: the
papers' inference temperatures are not followed.
"""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.agents.refine import Assessor, Refiner
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.definition import ProtocolDefinition, Reference, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

GREEDY_ANSWER = RoleDecoding(
    temperature=0.0, max_tokens=2048, source="council's choice (greedy; single's cap)"
)
GREEDY_VERDICT = RoleDecoding(
    temperature=0.0, max_tokens=512, source="council's choice (greedy; a short verdict)"
)


def refine_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("refine")
    generator = Answerer(
        models.for_role("generator"),
        tools=tools,
        settings=definition.settings("generator", options),
        role="generator",
    )
    graph.add_agent("generator", generator, kind="answer", starts_round=True)
    graph.add_agent(
        "verifier",
        Assessor(models.for_role("verifier"), settings=definition.settings("verifier", options)),
        kind="verdict",
    )
    graph.add_agent(
        "refiner",
        Refiner(
            models.for_role("refiner"),
            tools=tools,
            settings=definition.settings("refiner", options),
        ),
        kind="answer",
        starts_round=True,
    )
    graph.add_node("select", "select_by_round_score")
    graph.add_edge("START", "generator")
    graph.add_edge("generator", "verifier")
    graph.add_branch(
        "verifier",
        [("verdict.accepted", "select"), ("round < max_rounds", "refiner")],
        otherwise="select",
    )
    graph.add_edge("refiner", "verifier")
    graph.add_edge("select", "END")
    return graph


REFINE = ProtocolDefinition(
    name="refine",
    summary="generate, verify, refine while the verifier rejects; the best-scored round answers",
    roles={
        "generator": role(Answerer, GREEDY_ANSWER),
        "verifier": role(Assessor, GREEDY_VERDICT),
        "refiner": role(Refiner, GREEDY_ANSWER),
    },
    uses=frozenset({"rounds"}),
    defaults={"rounds": 2},
    shape=refine_graph,
    reference=Reference(
        paper="Motwani et al. 2024, MALT (generate, verify, refine); Parmar et al. 2025, "
        "PlanGEN (select by score). No reference script is followed"
    ),
    deviations=(
        "prompted roles instead of MALT's trained ones; one pass instead of its three-pass "
        "vote; stops early when the verifier accepts; selects by score",
        "greedy decoding, council's choice",
    ),
    answer_rule="the best-scored round's answer (ties: the answer most tied rounds gave, "
    "then the earliest)",
)
