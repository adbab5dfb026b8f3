"""Best-of-N selection: candidates, their scores, the choice, and the `Scorer` protocol.

A scorer gives every candidate a number (higher is better; None: it could not score that
one). `choose` picks the highest score; a tie goes to the answer most of the tied
candidates gave, then to the first in sample order. A candidate without a trusted answer
is never chosen. What each candidate scored, and why the winner won, is kept in the run's
state as a `Selection`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from council.tools.base import ToolContext
from council.voting import Ballot, Equivalence, tally


class Candidate(BaseModel):
    """One answering agent's reply, as a scorer sees it."""

    agent: str
    sample: int = 0
    round: int = 0
    answer: str | None = None
    text: str = ""
    programs: list[str] = Field(default_factory=list)
    """The code it ran, in order (tool-integrated or program-of-thought candidates)."""
    judged: float | None = None
    """The score an LLM judge in the graph gave it (`best-of-n --scorer verifier`)."""


class CandidateScore(BaseModel):
    agent: str
    answer: str | None = None
    score: float | None = None
    detail: str = ""


class Selection(BaseModel):
    """One choice among candidates: by which scorer, every score, the winner and why."""

    by: str
    scores: list[CandidateScore] = Field(default_factory=list)
    chosen: str | None = None
    answer: str | None = None
    reason: str = ""

    def summary(self) -> str:
        shown = ", ".join(
            f"{s.agent}={'–' if s.score is None else f'{s.score:.2f}'}" for s in self.scores
        )
        return f"{self.by}: {shown} → {self.answer or '(no answer)'} ({self.reason})"


@runtime_checkable
class Scorer(Protocol):
    """Scores candidates for one problem. `context` holds the run's sandbox session."""

    name: str

    async def score(
        self, problem: str, candidates: Sequence[Candidate], context: ToolContext
    ) -> list[CandidateScore]: ...


def choose(
    by: str, scores: Sequence[CandidateScore], equivalent: Equivalence, round: int = 0
) -> Selection:
    """The highest-scored candidate with an answer; ties by votes among the tied, then
    order."""
    scored = [s for s in scores if s.answer is not None and s.score is not None]
    if not scored:
        return Selection(by=by, scores=list(scores), reason="no candidate had a scored answer")
    best = max(s.score for s in scored if s.score is not None)
    tied = [s for s in scored if s.score == best]
    if len(tied) == 1:
        winner = tied[0]
        reason = f"highest score {best:.2f}"
    else:
        table = tally([Ballot(agent=s.agent, answer=s.answer) for s in tied], equivalent, round)
        top = next(c for c in table.counts if c.answer == table.winner)
        winner = next(s for s in tied if s.agent in top.voters)
        reason = f"{len(tied)} tied at {best:.2f}; the answer most of them gave"
    return Selection(
        by=by, scores=list(scores), chosen=winner.agent, answer=winner.answer, reason=reason
    )
