"""Tokens, cost and time attributed to each role and each agent of a run, from its recorded
calls (every call carries its role and agent), summed over the run's latest lines: the same
`council.calls.usage_of` a single run's result reports."""

from __future__ import annotations

from council.calls import usage_of
from council.run_log.results import ResultTurns
from council.usage import UsageReport


def attribute(lines: dict[str, ResultTurns], ids: set[str]) -> UsageReport:
    return usage_of(
        call for problem_id, line in lines.items() if problem_id in ids for call in line.calls
    )
