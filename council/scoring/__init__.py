"""Choosing one answer among candidates by a score: the `Scorer` protocol, the built-in
scorers (vote, LLM judge, execution, reward model) and the `Selection` kept in the state."""

from council.scoring.base import Candidate, CandidateScore, Scorer, Selection, choose

__all__ = ["Candidate", "CandidateScore", "Scorer", "Selection", "choose"]
