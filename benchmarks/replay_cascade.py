"""Replay `cascade`'s stopping rule on answers a run already recorded, at zero model calls.

    python benchmarks/replay_cascade.py --greedy runs/acc50/single \\
        --samples runs/acc50/self-consistency [--live runs/acc50/cascade] [--second runs/acc50/pot]

The cascade's ballots are a greedy chain-of-thought answer (exactly `single`'s call) and
samples at T = 0.7 (exactly self-consistency's calls). So a `single` run and a
`self-consistency` run on the same problems hold every ballot a cascade could draw: this
script takes the greedy ballot from `--greedy`, draws the samples in sample order from
`--samples`, applies `council.protocols.cascade`'s rule (answer once `first_samples`
ballots agree on one value; stop at `samples` ballots; then the plurality, the greedy
ballot winning ties), and reports accuracy and tokens per problem (the calls it would have
made, each counted with its recorded tokens) beside self-consistency@5's.

`--second RUN` takes the second ballot from another run (e.g. `pot`: does a program's
answer agreeing with chain of thought signal more than a second sample does?).

`--live RUN` checks the replay against a real cascade run: replaying that run's own ballots
must reproduce its answers, and the live greedy ballot is compared with `--greedy`'s (a
served model batching requests is not deterministic at T = 0, so they can differ).

Replays choose defaults honestly only on rows the reported figures do not come from; on
the same rows they show the spread of the rule's variants, not an expected accuracy.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import announce
from council.bench.at_k import first_round_samples
from council.bench.grading import Grader
from council.run_log.results import RESULTS_FILE, ResultsFile, ResultTurns
from council.voting import Ballot, VoteTable, bounded_equivalence, tally


@dataclass
class Drawn:
    """One ballot: its answer (None if untrusted) and the tokens its call(s) used."""

    answer: str | None
    tokens: int


def lines_of(run: Path) -> dict[str, ResultTurns]:
    return ResultsFile(run / RESULTS_FILE).latest(ResultTurns)


def ballots_of(line: ResultTurns) -> list[Drawn]:
    """The first answering round's answers in sample order, with each sample's tokens."""
    first = min((t.round for t in line.turns if t.kind == "answer"), default=0)
    return [
        Drawn(
            answer=answer,
            tokens=sum(
                c.usage.prompt_tokens + c.usage.completion_tokens
                for c in line.calls
                if c.sample == sample and c.round == first
            ),
        )
        for sample, _, answer in first_round_samples(line)
    ]


def cascade_answer(ballots: list[Drawn], first_samples: int, limit: int) -> tuple[str | None, int]:
    """The rule of `council.graphs.cascade`: (answer, ballots drawn). Drawing stops once
    `first_samples` ballots agree; otherwise the plurality of all drawn answers, a tie going
    to the answer given first (`council.voting.tally`), i.e. the greedy ballot's."""
    equivalent = bounded_equivalence()
    drawn = ballots[:limit]

    def table_of(count: int) -> VoteTable:
        votes = [Ballot(agent=f"b{i}", answer=b.answer) for i, b in enumerate(drawn[:count])]
        return tally(votes, equivalent)

    for count in range(first_samples, len(drawn) + 1):
        table = table_of(count)
        if max((len(c.voters) for c in table.counts), default=0) >= first_samples:
            return table.winner, count
    return table_of(len(drawn)).winner, len(drawn)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--greedy", type=Path, required=True, help="a `single` run")
    parser.add_argument("--samples", type=Path, required=True, help="a `self-consistency` run")
    parser.add_argument("--second", type=Path, default=None, help="the second ballot's run")
    parser.add_argument("--live", type=Path, default=None, help="a `cascade` run to check")
    parser.add_argument("--first-samples", type=int, default=2)
    parser.add_argument("--limits", default="2,3,4,5,6", help="ballot limits to replay")
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "replay_cascade")

    greedy, pooled = lines_of(args.greedy), lines_of(args.samples)
    second = lines_of(args.second) if args.second else {}
    ids = [pid for pid in pooled if pid in greedy and (not second or pid in second)]
    sc_tokens = sum(pooled[pid].prompt_tokens + pooled[pid].completion_tokens for pid in ids)
    with Grader(workers=1) as grader:
        graded: dict[tuple[str, str], bool] = {}

        async def right(pid: str, answer: str | None) -> bool:
            if answer is None:
                return False
            if (pid, answer) not in graded:
                graded[(pid, answer)] = (await grader.agrade(answer, pooled[pid].gold)).correct
            return graded[(pid, answer)]

        sc_right = sum([await right(pid, pooled[pid].answer) for pid in ids])
        print(
            f"{len(ids)} problems; self-consistency: {sc_right} right, "
            f"{sc_tokens / len(ids):.0f} tokens/problem"
        )
        print("ballots  right  tokens/problem  share of SC tokens  mean ballots")
        for limit in [int(x) for x in args.limits.split(",")]:
            correct = tokens = drawn_total = 0
            for pid in ids:
                ballots = [*ballots_of(greedy[pid])[:1]]
                if second:
                    ballots += ballots_of(second[pid])[:1]
                ballots += ballots_of(pooled[pid])
                answer, drawn = cascade_answer(ballots, args.first_samples, limit)
                correct += await right(pid, answer)
                tokens += sum(b.tokens for b in ballots[:drawn])
                drawn_total += drawn
            print(
                f"{limit:>7}  {correct:>5}  {tokens / len(ids):>14.0f}  "
                f"{tokens / sc_tokens:>18.0%}  {drawn_total / len(ids):>12.2f}"
            )
        if args.live:
            await check_live(args.live, greedy, args.first_samples)


async def check_live(run: Path, greedy: dict[str, ResultTurns], first_samples: int) -> None:
    """The replay must reproduce a live run from that run's own ballots."""
    live = lines_of(run)
    same = differ = greedy_differs = 0
    for pid, line in live.items():
        ballots = ballots_of(line)
        answer, _ = cascade_answer(ballots, first_samples, len(ballots))
        agrees = answer == line.answer
        same += agrees
        differ += not agrees
        if pid in greedy and ballots and ballots[0].answer != greedy[pid].answer:
            greedy_differs += 1
    print(
        f"live run {run}: replay reproduces {same} of {same + differ} answers; its greedy "
        f"ballot differs from --greedy's answer on {greedy_differs} problems"
    )


if __name__ == "__main__":
    asyncio.run(main())
