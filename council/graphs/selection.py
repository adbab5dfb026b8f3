"""Selection nodes: score the latest round's candidates with a `Scorer`, choose one
(`council.scoring.choose`), and keep every score in the state (`CouncilState.selections`).

`selection_node(scorer)` makes a node of any scorer (e.g. a reward model); the built-in
nodes `select_by_vote`, `select_by_judge` and `select_by_execution` are the scorers that
need nothing but the state and the sandbox, so config files can name them.
`select_by_round_score` picks among the rounds of a generate → verify → refine loop by the
verifier's score (`refine`)."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from council.agents.grader import JudgeGrade
from council.agents.refine import Assessment
from council.graphs.nodes import NodeFunction
from council.graphs.state import CouncilState, Step, Turn
from council.scoring.base import Candidate, CandidateScore, Scorer, choose
from council.scoring.scorers import ExecutionScorer, JudgeScorer, VoteScorer
from council.tools.base import ToolContext
from council.voting import bounded_equivalence


def _judged(state: CouncilState, sample: int) -> float | None:

    for turn in reversed(state.turns):
        if turn.sample == sample and isinstance(turn.output, JudgeGrade):
            return turn.output.score if turn.trusted else None
    return None


def candidates(state: CouncilState) -> list[Candidate]:
    """Each answering agent's latest reply in the latest round with answers, in sample
    order."""
    round_number = state.latest_answer_round()
    latest: dict[str, Turn] = {}
    for turn in state.turns:
        if turn.kind == "answer" and turn.round == round_number:
            latest[turn.agent] = turn
    ordered = sorted(latest.values(), key=lambda t: (t.sample, t.agent))
    return [
        Candidate(
            agent=t.agent,
            sample=t.sample,
            round=t.round,
            answer=t.answer,
            text=t.text,
            programs=[
                str(x.arguments.get("code", "")) for x in t.tool_traces if x.tool == "python"
            ],
            judged=_judged(state, t.sample),
        )
        for t in ordered
    ]


def selection_node(scorer: Scorer) -> NodeFunction:
    async def select(state: CouncilState, runtime: Runtime[ToolContext]) -> dict[str, Any]:
        context = runtime.context or ToolContext()
        found = candidates(state)
        scores = await scorer.score(state.problem, found, context)
        selection = await asyncio.to_thread(
            choose, scorer.name, scores, bounded_equivalence(), state.round
        )
        step = Step(role="council", kind="final", content=selection.summary(), round=state.round)
        return {
            "final_answer": selection.answer,
            "status": "done",
            "stopped_round": state.round,
            "steps": [step],
            "selections": [selection],
        }

    select.__name__ = f"select_by_{scorer.name.replace('-', '_')}"
    return select


def round_scores(state: CouncilState) -> list[CandidateScore]:
    """Every round's solution with the score the verifier gave it (generate → verify →
    refine): an answering turn is paired with the first scored verdict after it (the
    verifier saw the latest solution that had an answer). A solution with no trusted answer,
    or no readable score, is listed unscored."""
    scores: list[CandidateScore] = []
    pending: int | None = None
    for turn in state.turns:
        if turn.kind == "answer":
            scores.append(CandidateScore(agent=f"{turn.agent}@{turn.round}", answer=turn.answer))
            if turn.answer is not None:
                pending = len(scores) - 1
        elif pending is not None and isinstance(turn.output, Assessment):
            if turn.trusted:
                scores[pending].score = turn.output.score
            else:
                scores[pending].detail = "the verifier's reply could not be read"
            pending = None
    return scores


async def select_by_round_score(state: CouncilState) -> dict[str, Any]:
    """The best-scored round's answer (`choose`: ties go to the answer most tied rounds
    gave, then to the earliest). Every round's score is kept in `selections`."""
    selection = await asyncio.to_thread(
        choose, "verifier-score", round_scores(state), bounded_equivalence(), state.round
    )
    accepted = any(t.accepted for t in state.turns)
    step = Step(role="council", kind="final", content=selection.summary(), round=state.round)
    return {
        "final_answer": selection.answer,
        "status": "accepted" if accepted else "exhausted",
        "stopped_round": state.round,
        "stopped_early": accepted and state.round < state.max_rounds,
        "steps": [step],
        "selections": [selection],
    }


SELECTION_NODES: dict[str, NodeFunction] = {
    "select_by_round_score": select_by_round_score,
    "select_by_vote": selection_node(VoteScorer()),
    "select_by_judge": selection_node(JudgeScorer()),
    "select_by_execution": selection_node(ExecutionScorer()),
}
