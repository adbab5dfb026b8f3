"""A debate of r rounds read from a recorded debate of R > r rounds, at no model calls.

Round r of Du et al.'s debate depends only on the rounds before it: each debater's
round-r messages are its own conversation so far and the others' round r-1 replies, sent
with that debater's own seed whatever the number of rounds (seed base + index,
`council.protocols.debate`), and nothing a debater is sent names the last round. So the
first r rounds of the longer run are the calls the r-round debate makes, and its answer is
the vote `vote` takes at round r (at the round early stop ended it, if sooner): each
debater's latest answer of that round, grouped by equivalence, ties to the first
(`council.bench.revote.ballots`, `council.voting.tally`). Its cost is the calls of
rounds 1..r. A longer debate that stopped at a round whose prompt did not fit the model's
context (`context_exceeded`) gives no answer to any debate of that many rounds or more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from council.bench.revote import answer_rounds, ballots
from council.run_log.results import ResultTurns
from council.studies.outcomes import ProblemResult
from council.voting import Equivalence, tally


async def first_rounds(
    lines: dict[str, ResultTurns],
    rounds: int,
    ids: set[str],
    equivalent: Equivalence,
    correct: Callable[[ResultTurns, str | None], Awaitable[bool]],
) -> dict[str, ProblemResult]:
    """Each problem's outcome had the debate stopped after `rounds` rounds."""
    results: dict[str, ProblemResult] = {}
    for problem_id, line in lines.items():
        if problem_id not in ids:
            continue
        if not line.done:
            results[problem_id] = ProblemResult(problem_id=problem_id, correct=False, done=False)
            continue
        answered = [r for r in answer_rounds(line.turns) if r <= rounds]
        answer = None
        if line.status == "context_exceeded" and line.rounds <= rounds:
            # round `line.rounds` did not fit the context: the shorter debate reaches it
            # too and ends there with no answer, as the longer one did
            answered = []
        if answered:
            last = answered[-1]
            answer = tally(ballots(line.turns, last), equivalent, last).winner
        calls = [call for call in line.calls if call.round <= rounds]
        results[problem_id] = ProblemResult.read_from_calls(
            problem_id, await correct(line, answer), answer, calls
        )
    return results
