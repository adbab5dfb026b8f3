"""`cascade`: adaptive compute — spend more only where a cheap agreement signal is weak.

There is no single paper or reference script; the stages are existing protocols, cheapest
first, and no numbers are quoted. The aim (measured in the README, not claimed here) is
self-consistency@5's accuracy at no more than 60% of its tokens. Ballots are answers to the
plain chain-of-thought prompt (self-consistency's, Wang et al. 2023):

1. Answer once, greedily (T = 0: exactly `single`'s call, the best single answer), and
   draw one sample beside it (T = 0.7, self-consistency's temperature). If `first_samples`
   (2) ballots commit to one value (by mathematical equivalence, `council.voting`), that is
   the answer (`check_agreement`).
2. Otherwise one more sample at a time, up to `samples` ballots in all (3 by default for
   this protocol): after each, if `first_samples` ballots agree on one value, that is the
   answer — a split is settled by the next sample that sides with one of them. Drawing
   stops where agreement does not come: ballots that all differ say the model is guessing,
   and more samples of a guessing model rarely help (the idea of adaptive-consistency,
   Aggarwal et al. 2023, with a simpler stopping rule).
3. Then `final_stage`: `none` (default: the plurality of the ballots answers, the greedy
   ballot winning ties), or the vote if its leading answer has `threshold` (0.6) of the
   ballots, else `tir` (Qwen2.5-Math's tool-integrated reasoning, greedy, at most 4 code
   runs; `council.protocols.tir`) or `debate` (Du et al. 2023: 3 debaters, 2 rounds,
   T = 1.0; `council.protocols.debate`), whose answer is final (if it gives none, the
   vote stands).

The defaults (3 ballots, no final stage) are the cheapest of the variants measured on the
README's dev rows with Qwen2.5-Coder-0.5B; there, tir as a last stage cost more than it
won back. Every stage that ran leaves a typed `StageOutcome` in the state (`stages`: which
stage, the share of ballots behind the leading answer, answered or escalated, and why), and
every tally is kept in `votes`. Samples get distinct seeds (base + index) when a seed is
given.
"""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.agents.debater import Debater
from council.agents.tir import ToolIntegratedReasoner
from council.agents.tir_options import REFERENCE
from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.debate import DEBATER_DECODING
from council.protocols.definition import ProtocolDefinition, role
from council.protocols.options import ProtocolOptions
from council.protocols.self_consistency import SAMPLE_DECODING
from council.protocols.single import COT_DECODING
from council.protocols.tir import TIR_DECODING
from council.tools.base import ToolRegistry

DEBATERS = 3
DEBATE_ROUNDS = 2


def cascade_rounds(options: ProtocolOptions) -> int:
    """Round 1 holds every ballot; a final stage adds one round (tir) or the debate's."""
    extra = {"none": 0, "tir": 1, "debate": DEBATE_ROUNDS}
    return 1 + extra[options.final_stage]


def cascade_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    if options.samples <= options.first_samples:
        raise ConfigError(
            f"cascade needs --samples above --first-samples (got {options.samples} and "
            f"{options.first_samples}): stage 2 adds the difference"
        )
    graph = CouncilGraph("cascade")
    names = [f"sample_{i}" for i in range(1, options.samples + 1)]
    for index, name in enumerate(names):
        agent = Answerer(
            models.for_role("solver"),
            tools=tools,
            settings=definition.settings("greedy" if index == 0 else "sampler", options, index),
        )
        graph.add_agent(name, agent, kind="answer", sample=index)
    first, more = names[: options.first_samples], names[options.first_samples :]
    graph.add_node("stage_1", "next_round")
    graph.add_edge("START", "stage_1")
    graph.add_edge("stage_1", first)
    check = f"check_after_{len(first)}"
    graph.add_node(check, "check_agreement")
    graph.add_edge(first, check)
    for count, name in enumerate(more, start=len(first) + 1):
        graph.add_branch(check, [("has_answer", "END")], otherwise=name)
        check = f"check_after_{count}"
        graph.add_node(check, "check_agreement")
        graph.add_edge(name, check)
    graph.add_node("answer_by_vote", "answer_by_vote")
    graph.add_edge("answer_by_vote", "END")
    if options.final_stage == "none":
        graph.add_branch(check, [("has_answer", "END")], otherwise="answer_by_vote")
        return graph
    final = _add_final_stage(graph, definition, models, options)
    graph.add_branch(
        check,
        [("has_answer", "END"), (f"vote_share >= {options.threshold:g}", "answer_by_vote")],
        otherwise=final,
    )
    return graph


def _add_final_stage(
    graph: CouncilGraph,
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
) -> str:
    """Add stage 3; returns the node the weak vote escalates to."""
    base = options.samples
    if options.final_stage == "tir":
        agent = ToolIntegratedReasoner(
            models.for_role("solver"),
            settings=definition.settings("tir", options, base),
            tir=options.tir,
        )
        graph.add_agent("tir", agent, kind="answer", starts_round=True, sample=base)
        graph.add_node("answer_by_tir", "answer_by_tir")
        graph.add_edge("tir", "answer_by_tir")
        graph.add_edge("answer_by_tir", "END")
        return "tir"
    debaters = [f"debater_{i}" for i in range(1, DEBATERS + 1)]
    for index, name in enumerate(debaters):
        debater = Debater(
            models.for_role("debater"),
            settings=definition.settings("debater", options, base + index),
        )
        graph.add_agent(name, debater, kind="answer", sample=base + index, conversation=name)
    graph.add_node("debate_round", "next_round")
    graph.add_node("end_debate_round", "round_summary")
    graph.add_node("answer_by_debate", "answer_by_debate")
    graph.add_edge("debate_round", debaters)
    graph.add_edge(debaters, "end_debate_round")
    graph.add_branch(
        "end_debate_round", [("round < max_rounds", "debate_round")], otherwise="answer_by_debate"
    )
    graph.add_edge("answer_by_debate", "END")
    return "debate_round"


CASCADE = ProtocolDefinition(
    name="cascade",
    summary="the greedy answer and samples while they disagree; optionally tir or debate "
    "when they never agree",
    roles={
        "greedy": role(Answerer, COT_DECODING),
        "sampler": role(Answerer, SAMPLE_DECODING, count="samples - 1"),
        "tir": role(ToolIntegratedReasoner, TIR_DECODING, count="1 (--final-stage tir)"),
        "debater": role(Debater, DEBATER_DECODING, count="3 (--final-stage debate)"),
    },
    uses=frozenset({"samples", "first_samples", "threshold", "final_stage", "tir"}),
    defaults={
        "samples": 3,
        "first_samples": 2,
        "threshold": 0.6,
        "final_stage": "none",
        "tir": REFERENCE,
    },
    shape=cascade_graph,
    rounds_rule=cascade_rounds,
    reference=None,
    deviations=(
        "council's own composition of single, self-consistency (Wang et al. 2023), tir and "
        "debate (Du et al. 2023); no paper or script",
    ),
    answer_rule="the first value first_samples ballots agree on; else the plurality of the "
    "ballots (final stage none; the greedy ballot wins ties) or, below threshold, the final "
    "stage's answer (the vote stands when it gives none)",
)
