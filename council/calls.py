"""`CallRecord`: one model call, whole: who made it, where in the run, exactly what was sent,
exactly what came back, how it was decoded and what it cost.

Every call any agent makes is recorded this way and kept with the run, so any result can be
audited (what did the model see?), re-graded with a fixed grader and re-voted offline
without calling a model again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from council.messages import Message, ToolCall
from council.models.settings import Decoding
from council.usage import Usage, UsageReport, UsageSum

CallPurpose = Literal["answer", "tool", "repair"]


class CallCost(BaseModel):
    """Where a call was made in its run and what it used: all that token accounting reads
    (`council.bench.at_k` reads recorded calls as this, without their replies). `agent` is
    the graph node (e.g. `debater_2`), `role` its kind (e.g. `debater`)."""

    role: str
    agent: str = ""
    round: int = 0
    sample: int = 0
    usage: Usage = Field(default_factory=Usage)


class CallFacts(CallCost):
    """Everything about a call but what it was sent; `purpose` says why the call was made:
    the turn's answer, a step of a tool loop, or the re-ask after an unreadable reply."""

    model: str
    purpose: CallPurpose = "answer"
    reply: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    decoding: Decoding | None = None

    @property
    def truncated(self) -> bool:
        """Cut at the token limit: the reply is incomplete and its answer is not trusted."""
        return self.finish_reason == "length"


class CallRecord(CallFacts):
    """A call, whole: what it was sent too (a bench run stores the messages once each and
    keeps their hashes instead: `council.run_log.records.RecordedCall`)."""

    messages: list[Message] = Field(default_factory=list)


class UsageTally:
    """Usage by role, by agent and in total, folded one call at a time (a bench run's
    ledger keeps one as its lines arrive); each record is one call, whatever its usage says
    (older runs recorded none)."""

    def __init__(self) -> None:
        self.by_role: dict[str, UsageSum] = {}
        self.by_agent: dict[str, UsageSum] = {}

    def add(self, record: CallCost) -> None:
        usage = record.usage
        if usage.calls < 1:
            usage = usage.model_copy(update={"calls": 1})
        self.by_role.setdefault(record.role, UsageSum()).add(usage)
        self.by_agent.setdefault(record.agent or record.role, UsageSum()).add(usage)

    def report(self) -> UsageReport:
        """Names in natural order (`sample_2` before `sample_10`)."""
        by_role = {name: self.by_role[name].usage for name in sorted(self.by_role, key=_natural)}
        return UsageReport(
            by_role=by_role,
            by_agent={
                name: self.by_agent[name].usage for name in sorted(self.by_agent, key=_natural)
            },
            total=Usage.total(by_role.values()),
        )


def _natural(name: str) -> list[tuple[int, str]]:
    """A sort key reading a name's runs of digits as numbers."""
    return [(int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", name)]


def usage_of(records: Iterable[CallCost]) -> UsageReport:
    """Usage by role, by agent and in total, derived from the calls themselves (a run's, or
    the recorded calls a study arm is read from)."""
    tally = UsageTally()
    for record in records:
        tally.add(record)
    return tally.report()
