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

import math

from council.run_log.results import ResultHead, ResultsFile


class ExactSum:
    """A float sum that does not depend on the order of its terms (Shewchuk's partials,
    as in `math.fsum`): the summary written as a run goes and one recomputed later from
    each problem's latest line agree to the last bit."""

    def __init__(self) -> None:
        self._partials: list[float] = []

    def add(self, value: float) -> None:
        partials = self._partials
        kept = 0
        for other in partials:
            if abs(value) < abs(other):
                value, other = other, value
            high = value + other
            low = other - (high - value)
            if low:
                partials[kept] = low
                kept += 1
            value = high
        partials[kept:] = [value]

    @property
    def value(self) -> float:
        return math.fsum(self._partials)


class Ledger:
    @classmethod
    def read(cls, results: ResultsFile) -> Ledger:
        """The ledger of a results file, in one pass reading each line's head; a file in
        which a done problem was recorded again is read again keeping each problem's
        latest head (the old way: every head of the run in memory at once)."""
        ledger = cls()
        for line in results.iter_heads():
            ledger.add(line)
        if ledger.exact:
            return ledger
        ledger = cls()
        for line in results.latest(ResultHead).values():
            ledger.add(line)
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

    @property
    def graded(self) -> int:
        return len(self.done)

    @property
    def errors(self) -> int:
        return len(self.errored)

    def add(self, line: ResultHead) -> None:
        """Fold the problem's newest line (lines must come in the order they were written)."""
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
