"""Debate decomposed, from recorded turns at no model calls (Choi et al. 2025's question:
does debating improve on the first round's vote, or does voting carry the gain?).

For an arm whose problems have answers from several agents over several rounds:
- first-round majority: the vote of round 1's answers (before any agent read another's),
  by `council.bench.revote`'s rule, graded;
- final: the arm's own answer, as graded in its run;
- flips of the majority from round 1 to the final answer: right → wrong and wrong → right;
- flips of each agent between consecutive rounds: right → wrong and wrong → right, over
  every (agent, round) pair that answered in both.
"""

from __future__ import annotations

from itertools import pairwise

from pydantic import BaseModel

from council.bench.grading import Grader
from council.bench.revote import answer_rounds, ballots
from council.run_log.results import ResultTurns
from council.studies.outcomes import AnswerGrades
from council.voting import Equivalence, tally


class DebateDecomposition(BaseModel):
    arm: str
    problems: int
    first_round_majority_correct: int
    final_correct: int
    majority_right_to_wrong: int
    majority_wrong_to_right: int
    agent_transitions: int
    agent_right_to_wrong: int
    agent_wrong_to_right: int


def is_debate(lines: dict[str, ResultTurns]) -> bool:
    """Several answering rounds, with several agents in the first."""
    for line in lines.values():
        rounds = answer_rounds(line.turns)
        if len(rounds) >= 2 and len(ballots(line.turns, rounds[0])) >= 2:
            return True
    return False


async def decompose(
    arm: str,
    lines: dict[str, ResultTurns],
    ids: set[str],
    grader: Grader,
    equivalent: Equivalence,
) -> DebateDecomposition:
    right = AnswerGrades(grader).correct
    counts = dict.fromkeys(
        (
            "problems",
            "first",
            "final",
            "m_rw",
            "m_wr",
            "transitions",
            "a_rw",
            "a_wr",
        ),
        0,
    )
    for problem_id, line in lines.items():
        if problem_id not in ids:
            continue
        counts["problems"] += 1
        if not line.done:
            continue
        rounds = answer_rounds(line.turns)
        final = line.correct
        counts["final"] += final
        if not rounds:
            continue
        first = await right(line, tally(ballots(line.turns, rounds[0]), equivalent).winner)
        counts["first"] += first
        counts["m_rw"] += first and not final
        counts["m_wr"] += final and not first
        by_round = [
            {b.agent: await right(line, b.answer) for b in ballots(line.turns, r)} for r in rounds
        ]
        for before, after in pairwise(by_round):
            for agent in before.keys() & after.keys():
                counts["transitions"] += 1
                counts["a_rw"] += before[agent] and not after[agent]
                counts["a_wr"] += after[agent] and not before[agent]
    return DebateDecomposition(
        arm=arm,
        problems=counts["problems"],
        first_round_majority_correct=counts["first"],
        final_correct=counts["final"],
        majority_right_to_wrong=counts["m_rw"],
        majority_wrong_to_right=counts["m_wr"],
        agent_transitions=counts["transitions"],
        agent_right_to_wrong=counts["a_rw"],
        agent_wrong_to_right=counts["a_wr"],
    )
