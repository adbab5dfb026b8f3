"""The built-in scorers that need no model of their own: majority vote, an LLM judge's
scores (the judges are agents in the graph, so their calls are recorded like any other),
and re-execution of a candidate's programs in the sandbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from council.agents.reference_programs import run_program
from council.scoring.base import Candidate, CandidateScore
from council.tools.base import ToolContext
from council.tools.sandbox.result import ExecutionResult
from council.voting import Ballot, Equivalence, bounded_equivalence, tally


class VoteScorer:
    """maj@N: each candidate scores the share of candidates that gave its answer."""

    name = "vote"

    def __init__(self, equivalent: Equivalence | None = None) -> None:
        self.equivalent = equivalent

    async def score(
        self, problem: str, candidates: Sequence[Candidate], context: ToolContext
    ) -> list[CandidateScore]:
        ballots = [Ballot(agent=c.agent, answer=c.answer) for c in candidates]
        equivalent = self.equivalent or bounded_equivalence()
        table = await asyncio.to_thread(tally, ballots, equivalent)
        share = {
            voter: len(count.voters) / len(candidates)
            for count in table.counts
            for voter in count.voters
        }
        return [
            CandidateScore(agent=c.agent, answer=c.answer, score=share.get(c.agent))
            for c in candidates
        ]


class JudgeScorer:
    """The score an LLM judge gave each candidate from its own reasoning (RM-style: the
    judge sees one candidate at a time, never the others)."""

    name = "verifier"

    async def score(
        self, problem: str, candidates: Sequence[Candidate], context: ToolContext
    ) -> list[CandidateScore]:
        return [
            CandidateScore(
                agent=c.agent,
                answer=c.answer,
                score=c.judged,
                detail="" if c.judged is not None else "the judge's reply could not be read",
            )
            for c in candidates
        ]


FRESH_RUN = (
    "__council_globals = {{'__name__': '__main__'}}\n"
    "exec(compile({source}, '<candidate>', 'exec'), __council_globals)\n"
)


class ExecutionScorer:
    """A candidate whose programs, re-run together in a fresh namespace of the sandbox,
    print its answer again scores 1; one whose re-run fails or prints another answer, or
    that ran no program, scores 0. Ties (e.g. several reproducible candidates) go to the
    answer most of them gave (`choose`)."""

    name = "execution"

    def __init__(self, equivalent: Equivalence | None = None) -> None:
        self.equivalent = equivalent

    async def score(
        self, problem: str, candidates: Sequence[Candidate], context: ToolContext
    ) -> list[CandidateScore]:

        equivalent = self.equivalent or bounded_equivalence()
        scores = []
        for candidate in candidates:
            if candidate.answer is None or not candidate.programs:
                detail = "no answer" if candidate.answer is None else "ran no program"
                scores.append(
                    CandidateScore(
                        agent=candidate.agent, answer=candidate.answer, score=0.0, detail=detail
                    )
                )
                continue
            source = json.dumps("\n".join(candidate.programs))
            result = await run_program(FRESH_RUN.format(source=source), context)
            printed = result.stdout if isinstance(result, ExecutionResult) else ""
            error = result.error if isinstance(result, ExecutionResult) else result.to_text()
            lines = [line.strip() for line in printed.splitlines() if line.strip()]
            last = lines[-1] if lines else None
            same = (
                not error
                and last is not None
                and await asyncio.to_thread(equivalent, last, candidate.answer)
            )
            detail = (
                "re-run failed" if error else f"re-run printed {last!r}" if last else "no output"
            )
            scores.append(
                CandidateScore(
                    agent=candidate.agent,
                    answer=candidate.answer,
                    score=1.0 if same else 0.0,
                    detail=detail,
                )
            )
        return scores
