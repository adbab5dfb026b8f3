"""Voting over agents' answers by mathematical equivalence.

`42`, `42.0` and `42.00` are one vote, `\\frac12` and `0.5` are one vote, `(1,2)` and `12`
are two: answers are grouped by the grader's own comparison
(`council.answers`), each comparison bounded in time. Only
answers an agent actually committed to vote: a reply that was unreadable or cut at the token
limit abstains (its turn has no answer), so a fallback can never win or make a debate look
unanimous.

Rule (recorded with every table): plurality; a tie goes to the answer given first in agent
order, as `most_frequent` in Du et al.'s `gsm/eval_gsm.py` does; no answers, no winner.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import ClassVar

from pydantic import BaseModel, Field

from council.answers import load_symbolic, settled_without_sympy, symbolically_equivalent

EQUIVALENCE_SECONDS = 2.0
"""Per comparison; a pair that takes longer counts as different answers."""

Equivalence = Callable[[str, str], bool]


class Ballot(BaseModel):
    agent: str
    answer: str | None = None


class VoteCount(BaseModel):
    answer: str
    """The first spelling given of this value."""
    voters: list[str]


class VoteTable(BaseModel):
    """Who voted for what, and the outcome; kept in the run's state and transcript."""

    RULE: ClassVar[str] = (
        "plurality over committed answers grouped by mathematical equivalence; "
        "ties go to the answer given first in agent order"
    )

    round: int = 0
    ballots: list[Ballot]
    counts: list[VoteCount] = Field(default_factory=list)
    winner: str | None = None
    tie: bool = False
    rule: str = RULE

    @property
    def abstained(self) -> list[str]:
        return [b.agent for b in self.ballots if b.answer is None]

    @property
    def unanimous(self) -> bool:
        """Every agent (two or more) committed to an answer, and all answers are one value."""
        return len(self.ballots) >= 2 and not self.abstained and len(self.counts) == 1

    def summary(self) -> str:
        if not self.counts:
            return "no answers to vote on"
        shown = ", ".join(f"{c.answer} ×{len(c.voters)}" for c in self.counts)
        extra = f"; no answer from {', '.join(self.abstained)}" if self.abstained else ""
        note = " (all agree)" if self.unanimous else " (tie: first given wins)" if self.tie else ""
        return f"{shown}{extra} → {self.winner}{note}"


def tally(ballots: Sequence[Ballot], equivalent: Equivalence, round: int = 0) -> VoteTable:
    counts: list[VoteCount] = []
    for ballot in ballots:
        if ballot.answer is None:
            continue
        for count in counts:
            if equivalent(count.answer, ballot.answer):
                count.voters.append(ballot.agent)
                break
        else:
            counts.append(VoteCount(answer=ballot.answer, voters=[ballot.agent]))
    if not counts:
        return VoteTable(round=round, ballots=list(ballots))
    best = max(len(c.voters) for c in counts)
    leaders = [c for c in counts if len(c.voters) == best]
    return VoteTable(
        round=round,
        ballots=list(ballots),
        counts=counts,
        winner=leaders[0].answer,
        tie=len(leaders) > 1,
    )


def bounded_equivalence(seconds: float = EQUIVALENCE_SECONDS) -> Equivalence:
    """The grader's comparison with a time bound per pair, usable from any thread. Pairs
    that text and plain numbers settle are settled at once; a pair that needs sympy runs
    in a daemon thread, so one that never ends is abandoned (and cannot hold up the
    interpreter's exit) rather than waited for. Loading math-verify is done first and
    outside the bound: on a busy machine the import alone could exceed it, and equal
    answers would count as different (the vote would depend on the machine's load)."""

    def compare(first: str, second: str) -> bool:
        settled = settled_without_sympy(first, second)
        if settled is not None:
            return settled
        load_symbolic()
        outcome: list[bool] = []

        def work() -> None:
            try:
                outcome.append(symbolically_equivalent(first, second))
            except Exception:  # an expression sympy cannot handle: not shown equal
                outcome.append(False)

        worker = threading.Thread(target=work, name="council-vote", daemon=True)
        worker.start()
        worker.join(seconds)
        return bool(outcome and outcome[0])

    return compare


async def atally(ballots: Sequence[Ballot], round: int = 0) -> VoteTable:
    """`tally` with the bounded grader comparison, off the event loop."""
    return await asyncio.to_thread(tally, ballots, bounded_equivalence(), round)
