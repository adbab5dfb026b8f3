"""Selection nodes: score the latest round's candidates with a `Scorer`, choose one
(`council.scoring.choose`), and keep every score in the state (`CouncilState.selections`).

`selection_node(scorer)` makes a node of any scorer (e.g. a reward model); the built-in
nodes `select_by_vote`, `select_by_judge` and `select_by_execution` are the scorers that
need nothing but the state and the sandbox, so config files can name them."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from council.graphs.nodes import NodeFunction
from council.graphs.state import CouncilState, Step, Turn
from council.scoring.base import Candidate, Scorer, choose
from council.scoring.scorers import ExecutionScorer, JudgeScorer, VoteScorer
from council.tools.base import ToolContext
from council.voting import bounded_equivalence


def _judged(state: CouncilState, sample: int) -> float | None:
    from council.agents.grader import Grade

    for turn in reversed(state.turns):
        if turn.sample == sample and isinstance(turn.output, Grade):
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


SELECTION_NODES: dict[str, NodeFunction] = {
    "select_by_vote": selection_node(VoteScorer()),
    "select_by_judge": selection_node(JudgeScorer()),
    "select_by_execution": selection_node(ExecutionScorer()),
}
