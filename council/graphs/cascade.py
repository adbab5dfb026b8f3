"""Built-in nodes of the `cascade` protocol: tally the samples so far, answer when they
agree, answer by vote, or answer from the final stage (tir or debate); each records a typed
`StageOutcome` (which stage answered, the signal it read, why) in `CouncilState.stages`.

Whether the vote is strong enough is a branch condition (`vote_share >= T`), so the
threshold lives in the graph (and its config file), not in a node."""

from __future__ import annotations

import asyncio
from typing import Any

from council.graphs.nodes import NodeFunction
from council.graphs.stages import StageName, StageOutcome
from council.graphs.state import CouncilState, Step
from council.voting import VoteTable, bounded_equivalence, tally


def _share(table: VoteTable) -> float:
    if not table.ballots or not table.counts:
        return 0.0
    return max(len(c.voters) for c in table.counts) / len(table.ballots)


def latest_tally(state: CouncilState) -> VoteTable | None:
    return state.votes[-1] if state.votes else None


async def tally_answers(state: CouncilState) -> dict[str, Any]:
    """A fresh tally of every answer of the current round (samples added by a later stage
    included), appended to `votes`."""
    table = await asyncio.to_thread(
        tally, state.ballots(state.round), bounded_equivalence(), state.round
    )
    step = Step(role="council", kind="round", content=table.summary(), round=state.round)
    return {"votes": [table], "steps": [step]}


def _finish(state: CouncilState, outcome: StageOutcome, status: str, early: bool) -> dict[str, Any]:
    step = Step(role="council", kind="final", content=outcome.summary(), round=state.round)
    return {
        "final_answer": outcome.answer,
        "status": status,
        "stopped_round": state.round,
        "stopped_early": early,
        "stages": [outcome],
        "steps": [step],
    }


async def check_agreement(state: CouncilState) -> dict[str, Any]:
    """Tally the samples so far and answer if enough of them agree; otherwise let the graph
    draw the next sample (or escalate). The first check (stage 1) needs all its samples to
    commit to one value; every later check (stage 2, one more sample each) needs as many
    samples behind the leading answer as stage 1 drew. Stage 1's disagreement is recorded;
    stage 2's intermediate tallies are in `votes`."""
    first = not any(table.round == state.round for table in state.votes)
    needed = None if first else _first_tally_size(state)
    update = await tally_answers(state)
    table: VoteTable = update["votes"][0]
    share = _share(table)
    leading = max((len(c.voters) for c in table.counts), default=0)
    agreed = table.unanimous if needed is None else leading >= needed
    if agreed:
        reason = (
            f"all {len(table.ballots)} samples agree on {table.winner}"
            if first
            else f"{leading} of {len(table.ballots)} samples agree on {table.winner}"
        )
        outcome = StageOutcome(
            stage=1 if first else 2,
            by="agreement",
            answered=True,
            answer=table.winner,
            value=share,
            reason=reason,
        )
        return {**update, **_merge_steps(update, _finish(state, outcome, "agreed", True))}
    if not first:
        return update
    outcome = StageOutcome(
        stage=1,
        by="agreement",
        answered=False,
        value=share,
        reason=f"the first samples disagree: {table.summary()}",
    )
    return {**update, "stages": [outcome]}


def _first_tally_size(state: CouncilState) -> int:
    first = next(table for table in state.votes if table.round == state.round)
    return len(first.ballots)


def _merge_steps(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    return {**second, "steps": [*first["steps"], *second["steps"]]}


def answer_by_vote(state: CouncilState) -> dict[str, Any]:
    """Stage 2 answers: the vote over every sample was strong enough (its branch said so)."""
    table = latest_tally(state)
    share = _share(table) if table else 0.0
    votes = max((len(c.voters) for c in table.counts), default=0) if table else 0
    outcome = StageOutcome(
        stage=2,
        by="vote",
        answered=True,
        answer=table.winner if table else None,
        value=share,
        reason=f"{votes} of {len(table.ballots) if table else 0} samples gave the leading "
        f"answer (share {share:.2f})",
    )
    return _finish(state, outcome, "done", True)


def _final(state: CouncilState, by: StageName, answer: str | None, what: str) -> dict[str, Any]:
    """Stage 3 answered: record stage 2's weak vote (it escalated) and stage 3's answer;
    if stage 3 gave none, the samples' vote stands."""
    weak = next((t for t in reversed(state.votes) if t.round == 1), None)
    share = _share(weak) if weak else None
    tallied = weak.summary() if weak else "no answers"
    escalated = StageOutcome(
        stage=2,
        by="vote",
        answered=False,
        answer=None,
        value=share,
        reason=f"the vote over all samples was weak: {tallied}",
    )
    why = f"stage 2 escalated (leading share {share or 0:.2f})"
    if answer is None:
        why += f"; {what} gave no answer, so the samples' vote stands"
    outcome = StageOutcome(
        stage=3,
        by=by,
        answered=answer is not None,
        answer=answer if answer is not None else (weak.winner if weak else None),
        value=share,
        reason=why,
    )
    update = _finish(state, outcome, "done", False)
    return {**update, "stages": [escalated, outcome]}


def answer_by_tir(state: CouncilState) -> dict[str, Any]:
    """Stage 3 (tir): the tool-integrated answer of the last round."""
    turn = state.last_turn(with_answer=True)
    answer = turn.answer if turn is not None and turn.round == state.round else None
    return _final(state, "tir", answer, "tir")


async def answer_by_debate(state: CouncilState) -> dict[str, Any]:
    """Stage 3 (debate): the vote of the debate's last round."""
    table = state.vote_for_round(state.round)
    if table is None:
        table = await asyncio.to_thread(
            tally, state.ballots(state.round), bounded_equivalence(), state.round
        )
    return _final(state, "debate", table.winner, "the debate")


CASCADE_NODES: dict[str, NodeFunction] = {
    "tally_answers": tally_answers,
    "check_agreement": check_agreement,
    "answer_by_vote": answer_by_vote,
    "answer_by_tir": answer_by_tir,
    "answer_by_debate": answer_by_debate,
}
