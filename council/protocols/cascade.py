"""`cascade`: adaptive compute — spend more only where a cheap agreement signal is weak.

There is no single paper or reference script; the stages are existing protocols, cheapest
first, and no numbers are quoted. The aim (for a measured run, not claimed here) is
self-consistency@5's accuracy at no more than 60% of its tokens:

1. `first_samples` (2) chain-of-thought samples, drawn together (T = 0.7, the
   self-consistency prompt and temperature of Wang et al. 2023). If every one commits to
   one value (by mathematical equivalence, `council.voting`), that is the answer
   (`check_agreement`).
2. Otherwise more samples, one at a time, up to `samples` (5) in all: after each, if
   `first_samples` of the samples so far agree on one value, that is the answer (the same
   signal as stage 1, so a split pair is settled by the next sample that sides with one
   of them). After the last, a vote whose leading answer has at least `threshold` (0.6) of
   the samples answers (`vote_share >= T`; reachable only with a threshold at most
   (`first_samples` - 1) / `samples`, so not with the defaults).
   One at a time rather than all at once because most disagreements are settled by the
   third sample: self-consistency's samples are drawn only while they can still change
   the answer's support (the idea of adaptive-consistency, Aggarwal et al. 2023, with a
   simpler stopping rule).
3. Otherwise `final_stage`: `tir` (Qwen2.5-Math's tool-integrated reasoning, greedy, at
   most 4 code runs; `council.protocols.tir`) or `debate` (Du et al. 2023: 3 debaters, 2
   rounds, T = 1.0; `council.protocols.debate`), whose answer is final (if it gives none,
   the samples' vote stands).

Every stage that ran leaves a typed `StageOutcome` in the state (`stages`: which stage,
the share of samples behind the leading answer, answered or escalated, and why), and every
tally is kept in `votes`. Samples are distinct seeds (base + index) when a seed is given.
"""

from __future__ import annotations

from council.agents.answerer import Answerer
from council.agents.debater import Debater
from council.agents.tir import ToolIntegratedReasoner
from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

SAMPLE_TEMPERATURE = 0.7
TIR_TEMPERATURE = 0.0
DEBATE_TEMPERATURE = 1.0
DEBATERS = 3
DEBATE_ROUNDS = 2


def cascade_rounds(options: ProtocolOptions) -> int:
    """Round 1 holds every sample; the final stage adds one round (tir) or the debate's."""
    return 1 + (DEBATE_ROUNDS if options.final_stage == "debate" else 1)


def cascade_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
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
            settings=options.decoding(SAMPLE_TEMPERATURE, index),
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
    final = _add_final_stage(graph, models, options)
    graph.add_node("answer_by_vote", "answer_by_vote")
    graph.add_branch(
        check,
        [("has_answer", "END"), (f"vote_share >= {options.threshold:g}", "answer_by_vote")],
        otherwise=final,
    )
    graph.add_edge("answer_by_vote", "END")
    return graph


def _add_final_stage(graph: CouncilGraph, models: RoleModels, options: ProtocolOptions) -> str:
    """Add stage 3; returns the node the weak vote escalates to."""
    base = options.samples
    if options.final_stage == "tir":
        agent = ToolIntegratedReasoner(
            models.for_role("solver"), settings=options.decoding(TIR_TEMPERATURE, base)
        )
        graph.add_agent("tir", agent, kind="answer", starts_round=True, sample=base)
        graph.add_node("answer_by_tir", "answer_by_tir")
        graph.add_edge("tir", "answer_by_tir")
        graph.add_edge("answer_by_tir", "END")
        return "tir"
    debaters = [f"debater_{i}" for i in range(1, DEBATERS + 1)]
    for index, name in enumerate(debaters):
        debater = Debater(
            models.for_role("debater"), settings=options.decoding(DEBATE_TEMPERATURE, base + index)
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
