"""Tokens, cost and time attributed to each role and each agent, from recorded calls (every
call carries its role and agent): a run's, summed over its latest lines, or the calls an arm
read from other runs would have made."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from council.calls import CallCost
from council.run_log.results import ResultTurns
from council.usage import Usage


class Attribution(BaseModel):
    by_role: dict[str, Usage]
    by_agent: dict[str, Usage]


def attribute(lines: dict[str, ResultTurns], ids: set[str]) -> Attribution:
    return attribute_calls(
        call for problem_id, line in lines.items() if problem_id in ids for call in line.calls
    )


def attribute_calls(calls: Iterable[CallCost]) -> Attribution:
    by_role: dict[str, Usage] = {}
    by_agent: dict[str, Usage] = {}
    for call in calls:
        usage = call.usage.model_copy(update={"calls": max(call.usage.calls, 1)})
        by_role[call.role] = by_role.get(call.role, Usage()) + usage
        agent = call.agent or call.role
        by_agent[agent] = by_agent.get(agent, Usage()) + usage
    return Attribution(
        by_role=dict(sorted(by_role.items())), by_agent=dict(sorted(by_agent.items()))
    )
