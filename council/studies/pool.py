"""Arms served from a pool: the first k samples of a recorded run of N, read at no model
calls. `maj@k` is self-consistency's own vote (`council.voting.tally`, ties to the first
sample) over the first k samples; `pick@k` is a best-of-n run's scorer choosing among the
first k candidates by the run's own rule (`council.scoring.base.choose`); `pass@k` is
Chen et al.'s unbiased estimator. The cost of k is the calls that drew those k samples
(and, for pick@k, the scorer's calls about them), as `council.bench.at_k` counts it.
"""

from __future__ import annotations

from math import comb

from pydantic import BaseModel

from council.bench.at_k import first_answering_round, first_round_samples
from council.bench.grading import Grader
from council.calls import CallCost
from council.run_log.results import ResultTurns
from council.scoring.base import choose
from council.studies.outcomes import AnswerGrades, ProblemResult
from council.studies.plan import CascadeRule
from council.usage import Usage, UsageReport
from council.voting import Ballot, Equivalence, tally


class PoolRow(BaseModel):
    k: int
    maj: float
    pass_at_k: float
    pick: float | None = None
    tokens_per_problem: float
    cost_per_problem: float | None = None


class PoolReport(BaseModel):
    key: str
    protocol: str
    samples: int
    problems: int
    rows: list[PoolRow]
    attribution: UsageReport | None = None
    """Everything the pool's run spent, by role and agent (its N samples, and a scorer's)."""


def pool_size(lines: dict[str, ResultTurns]) -> int:
    sizes = [len(first_round_samples(line)) for line in lines.values() if line.done]
    return min((s for s in sizes if s), default=0)


def calls_of_samples(line: ResultTurns, positions: range) -> list[CallCost]:
    """The calls that drew the samples at `positions` (in sample order)."""
    first = first_answering_round(line)
    pool = [agent for _, agent, _ in first_round_samples(line)]
    chosen = {pool[i] for i in positions if i < len(pool)}
    return [c for c in line.calls if c.agent in chosen and c.round == first]


def greedy_answer(line: ResultTurns) -> str | None:
    """A `single` run's ballot: its answering turn's answer (None: untrusted or none)."""
    answers = [t for t in line.turns if t.kind == "answer"]
    return answers[-1].answer if answers else None


def calls_of_window(line: ResultTurns, start: int, k: int, scored: bool) -> list[CallCost]:
    """The calls that drew samples `start` to `start + k - 1` (and the scorer's calls
    about them)."""
    first = first_answering_round(line)
    pool = [agent for _, agent, _ in first_round_samples(line)]
    chosen = set(pool[start : start + k])
    return [
        call
        for call in line.calls
        if (call.agent in chosen and call.round == first)
        or (scored and call.agent not in pool and start <= call.sample < start + k)
    ]


class PoolReader:
    """Grades each distinct answer once per problem, then reads any k."""

    def __init__(self, lines: dict[str, ResultTurns], grader: Grader, equivalent: Equivalence):
        self.lines = lines
        self.equivalent = equivalent
        self.correct = AnswerGrades(grader).correct
        self.scored = any(
            line.selections and line.selections[-1].by != "vote" for line in lines.values()
        )
        """A scorer scored each candidate on its own (a vote's shares are over all N, so
        with `--scorer vote` pick@k is maj@k)."""

    def _answer(self, line: ResultTurns, window: slice, pick: bool) -> str | None:
        first = first_round_samples(line)[window]
        if pick:
            if not line.selections:
                return None
            last = line.selections[-1]
            agents = {agent for _, agent, _ in first}
            return choose(
                last.by, [s for s in last.scores if s.agent in agents], self.equivalent
            ).answer
        ballots = [Ballot(agent=agent, answer=answer) for _, agent, answer in first]
        return tally(ballots, self.equivalent).winner if ballots else None

    async def at(
        self, k: int, ids: set[str], *, pick: bool = False, start: int = 0
    ) -> dict[str, ProblemResult]:
        """Each problem's outcome with the first k samples (maj@k, or pick@k); with
        `start`, with samples `start` to `start + k - 1`: the run a k-sample arm seeded
        `start` later would have made (sample i is seeded base + i)."""
        results: dict[str, ProblemResult] = {}
        for problem_id, line in self.lines.items():
            if problem_id not in ids:
                continue
            if not line.done:
                results[problem_id] = ProblemResult(
                    problem_id=problem_id, correct=False, done=False
                )
                continue
            answer = self._answer(line, slice(start, start + k), pick)
            calls = calls_of_window(line, start, k, pick)
            results[problem_id] = ProblemResult.read_from_calls(
                problem_id, await self.correct(line, answer), answer, calls
            )
        return results

    async def pass_at(self, k: int, ids: set[str]) -> float:
        total = 0.0
        count = 0
        for problem_id, line in self.lines.items():
            if problem_id not in ids:
                continue
            count += 1
            if not line.done:
                continue
            grades = [await self.correct(line, a) for _, _, a in first_round_samples(line)]
            n, c = len(grades), sum(grades)
            total += 1.0 - (comb(n - c, k) / comb(n, k) if n - c >= k else 0.0)
        return total / count if count else 0.0

    async def cascade(
        self,
        greedy: dict[str, ResultTurns],
        rule: CascadeRule,
        samples: int,
        ids: set[str],
        stage: dict[str, ResultTurns] | None = None,
    ) -> dict[str, ProblemResult]:
        """`cascade` (`council.graphs.cascade`), read from `greedy` (a `single` run: ballot
        0), this pool (ballot i is sample i) and, with a final stage, `stage` (the run of
        an arm making exactly the stage's calls): stage 1 answers if its `first_samples`
        ballots are unanimous; stage 2 adds one ballot at a time until `first_samples`
        agree; then, with no final stage, the plurality of all `samples` ballots (ties to
        the earliest); with one, that plurality if its share reaches `threshold`, else
        the stage's answer (the vote stands when it gives none). Its cost: the greedy
        call's, the drawn samples' and, where it escalated, the stage run's."""
        results: dict[str, ProblemResult] = {}
        for problem_id in sorted(ids & set(greedy) & set(self.lines)):
            head, line = greedy[problem_id], self.lines[problem_id]
            final = (stage or {}).get(problem_id)
            if not head.done or not line.done:
                results[problem_id] = ProblemResult(
                    problem_id=problem_id, correct=False, done=False
                )
                continue
            pool = first_round_samples(line)
            ballots = [Ballot(agent="greedy", answer=greedy_answer(head))]
            ballots += [Ballot(agent=agent, answer=answer) for _, agent, answer in pool[1:samples]]
            drawn, table = rule.first_samples, tally(ballots[: rule.first_samples], self.equivalent)
            answer = table.winner if table.unanimous else None
            while answer is None and drawn < samples:
                drawn += 1
                table = tally(ballots[:drawn], self.equivalent)
                leading = max((len(c.voters) for c in table.counts), default=0)
                answer = table.winner if leading >= rule.first_samples else None
            drawn_calls = calls_of_samples(line, range(1, drawn))
            spent = [*head.calls, *drawn_calls]
            usage = Usage(
                prompt_tokens=head.prompt_tokens,
                completion_tokens=head.completion_tokens,
                cost_usd=head.cost_usd,
                seconds=head.seconds,
            ) + Usage.total(c.usage for c in drawn_calls)
            if answer is None:
                answer = table.winner
                leading = max((len(c.voters) for c in table.counts), default=0)
                share = leading / len(table.ballots) if table.ballots else 0.0
                if rule.final_stage != "none" and share < rule.threshold:
                    if final is None or not final.done:  # the stage's run has not answered
                        results[problem_id] = ProblemResult(
                            problem_id=problem_id, correct=False, done=False
                        )
                        continue
                    if final.status == "context_exceeded":
                        answer = None  # the live cascade ends in its stage with no answer
                    elif final.answer is not None:
                        answer = final.answer
                    usage = usage + Usage(
                        prompt_tokens=final.prompt_tokens,
                        completion_tokens=final.completion_tokens,
                        cost_usd=final.cost_usd,
                        seconds=final.seconds,
                    )
                    spent += final.calls
            results[problem_id] = ProblemResult.read_from_calls(
                problem_id, await self.correct(line, answer), answer, spent, usage
            )
        return results
