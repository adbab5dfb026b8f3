"""`council bench revote`: aggregate a finished run's recorded turns by another rule, with
no model calls, to ask what a protocol's answer would have been had it voted otherwise.

Rules:
- `majority` (at `--round R`, default the last round with answers): plurality by
  mathematical equivalence over each agent's latest answer turn in that round, exactly as
  the run's own vote (`council.voting.tally`, ties to the first in agent order);
- `first-round`: the same vote at the first round with answers (for debate: the answer
  before any agent read another's);
- `judge`: the answer of the last turn that decided (a MAD moderator's or judge's); a
  problem where none decided has no answer. A run with no deciding agent is refused.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path

from council.bench.grading import Grader
from council.bench.rescore import Rescoring, rescore
from council.errors import ConfigError
from council.run_log.log import RunLog
from council.run_log.records import RecordedTurn
from council.run_log.results import ResultTurns
from council.voting import Ballot, Equivalence, bounded_equivalence, tally


class VoteRule(StrEnum):
    MAJORITY = "majority"
    JUDGE = "judge"
    FIRST_ROUND = "first-round"


def answer_rounds(turns: list[RecordedTurn]) -> list[int]:
    return sorted({t.round for t in turns if t.kind == "answer"})


def ballots(turns: list[RecordedTurn], round_number: int) -> list[Ballot]:
    """As `CouncilState.ballots`: each agent's latest answer turn in the round, in sample
    then name order; an untrusted turn is a ballot with no answer."""
    latest: dict[str, RecordedTurn] = {}
    for turn in turns:
        if turn.round == round_number and turn.kind == "answer":
            latest[turn.agent] = turn
    ordered = sorted(latest.values(), key=lambda t: (t.sample, t.agent))
    return [Ballot(agent=t.agent, answer=t.answer) for t in ordered]


def revote_turns(
    turns: list[RecordedTurn],
    rule: VoteRule,
    round_number: int | None,
    equivalent: Equivalence,
) -> str | None:
    if rule is VoteRule.JUDGE:
        decided = [t for t in turns if t.decided]
        return decided[-1].answer if decided else None
    rounds = answer_rounds(turns)
    if not rounds:
        return None
    if rule is VoteRule.FIRST_ROUND:
        chosen = rounds[0]
    else:
        chosen = rounds[-1] if round_number is None else round_number
    return tally(ballots(turns, chosen), equivalent, chosen).winner


def revote_name(rule: VoteRule, round_number: int | None) -> str:
    suffix = f"-r{round_number}" if round_number is not None and rule is VoteRule.MAJORITY else ""
    return f"revote-{rule.value}{suffix}"


async def revote(
    run_dir: Path, rule: VoteRule, grader: Grader, round_number: int | None = None
) -> Rescoring:
    """Re-aggregate every graded problem's turns by `rule`, grade, and write
    `summary.revote-<rule>[-r<R>].json` beside the run."""
    if round_number is not None and rule is not VoteRule.MAJORITY:
        raise ConfigError(f"--round applies to --rule majority only (got --rule {rule.value})")
    lines = [line for line in RunLog.read_lines(run_dir, ResultTurns).values() if line.done]
    if rule is VoteRule.JUDGE and not any(t.decided is not None for x in lines for t in x.turns):
        raise ConfigError(
            f"{run_dir} has no judge or moderator turns to take a decision from; "
            "use --rule majority or first-round"
        )
    if round_number is not None:
        recorded = {r for line in lines for r in answer_rounds(line.turns)}
        if round_number not in recorded:
            have = ", ".join(map(str, sorted(recorded))) or "none"
            raise ConfigError(f"{run_dir} has no answers in round {round_number}; rounds: {have}")
    equivalent = bounded_equivalence()

    def all_answers() -> dict[str, str | None]:
        return {
            line.problem_id: revote_turns(line.turns, rule, round_number, equivalent)
            for line in lines
        }

    answers = await asyncio.to_thread(all_answers)
    return await rescore(run_dir, revote_name(rule, round_number), answers, grader)
