"""A run's account, kept as its result lines arrive: which problems are done, which last
failed, and the sums the summary is made of, each problem counted by its latest line.

Lines are folded one at a time, so neither a summary nor a resume holds the lines (or
their heads) of a large run. What it does hold is one id per problem attempted, as two
sets (done, and last failed); for 100,000 problems with ids like `12345-0a1b2c3d4e`, about
10 MB. A failed problem that runs again simply moves from one set to the other; a problem
recorded again *after* it was done cannot be taken back out of the sums, so the ledger
says it is no longer exact (`ResultsFile.ledger` then reads the file the slow way). The
runner never records a done problem again, so that only happens to files written by hand
or by older versions.
"""

from __future__ import annotations

from collections.abc import Iterable

from council.calls import CallCost, UsageTally
from council.run_log.results import ResultCosts, ResultHead, ResultsFile
from council.usage import ExactSum


class Ledger:
    @classmethod
    def read(cls, results: ResultsFile, *, repair: bool = True) -> Ledger:
        """The ledger of a results file, in one pass reading each line's head and its calls'
        costs (not their messages or replies); a file in which a done problem was recorded
        again is read again keeping each problem's latest line (the old way: every line of
        the run in memory at once). `repair=False` for a run that may still be being
        written (see `ResultsFile.lines`)."""
        ledger = cls()
        for line in results.lines(ResultCosts, repair=repair):
            ledger.add(line, line.calls)
        if ledger.exact:
            return ledger
        ledger = cls()
        for line in results.latest(ResultCosts, repair=repair).values():
            ledger.add(line, line.calls)
        return ledger

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.errored: set[str] = set()
        self.exact = True
        self.correct = 0
        self.extraction_failed = 0
        self.tokens = 0
        self.calls = 0
        self.truncated_calls = 0
        self.truncated_problems = 0
        self.context_exceeded = 0
        self.costs = ExactSum()
        self.costed = 0
        """Done problems with a known cost (None: the model's price is unknown)."""
        self.seconds = ExactSum()
        self.stopped_early = 0
        self.stop_round_total = 0
        self.stop_rounds = 0
        self.extraction_methods: dict[str, int] = {}
        self.usage: UsageTally | None = UsageTally()
        """Tokens, cost and time by role and agent (None: a line was folded without its
        calls, as from heads alone)."""

    @property
    def graded(self) -> int:
        return len(self.done)

    @property
    def errors(self) -> int:
        return len(self.errored)

    def add(self, line: ResultHead, calls: Iterable[CallCost] | None = None) -> None:
        """Fold the problem's newest line (lines must come in the order they were written)
        and its calls; without them the summary has no usage by role and agent."""
        problem = line.problem_id
        if problem in self.done:
            self.exact = False  # its earlier line is in the sums and cannot be taken out
            return
        if not line.done:
            self.errored.add(problem)
            return
        self.errored.discard(problem)
        self.done.add(problem)
        self.correct += line.correct
        self.extraction_failed += line.extraction_failed
        self.tokens += line.tokens
        self.calls += line.call_count
        self.truncated_calls += line.truncated_calls
        self.truncated_problems += line.truncated_calls > 0
        self.context_exceeded += line.status == "context_exceeded"
        if line.cost_usd is not None:
            self.costs.add(line.cost_usd)
            self.costed += 1
        self.seconds.add(line.seconds)
        self.stopped_early += line.stopped_early
        if line.stopped_round is not None:
            self.stop_round_total += line.stopped_round
            self.stop_rounds += 1
        for method, count in line.extractions.items():
            self.extraction_methods[method] = self.extraction_methods.get(method, 0) + count
        if calls is None:
            self.usage = None
        elif self.usage is not None:
            for call in calls:
                self.usage.add(call)
