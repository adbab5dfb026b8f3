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
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TEMPERATURE = 0.0


def refine_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    settings = options.decoding(TEMPERATURE)
    graph = CouncilGraph("refine")
    generator = Answerer(
        models.for_role("generator"), tools=tools, settings=settings, role="generator"
    )
    graph.add_agent("generator", generator, kind="answer", starts_round=True)
    graph.add_agent(
        "verifier", Assessor(models.for_role("verifier"), settings=settings), kind="verdict"
    )
    graph.add_agent(
        "refiner",
        Refiner(models.for_role("refiner"), tools=tools, settings=settings),
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
