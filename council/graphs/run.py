"""Running a compiled council graph: stream steps as they happen, then a typed result."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import BaseModel, Field

from council.calls import CallRecord
from council.graphs.state import CouncilState, RunStatus, Step, apply_update, reducers_of
from council.tools.base import ToolContext
from council.usage import UsageReport


class RunResult(BaseModel):
    """What a run produced. `state` is the final graph state, for anything not summarised."""

    problem: str
    answer: str | None
    status: RunStatus
    rounds: int
    steps: list[Step] = Field(default_factory=list)
    calls: list[CallRecord] = Field(default_factory=list)
    seconds: float
    state: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @property
    def usage(self) -> UsageReport:
        return UsageReport.from_records(self.calls)

    def to_json_dict(self) -> dict[str, Any]:
        """The `council solve --json` object."""
        usage = self.usage
        return {
            "problem": self.problem,
            "answer": self.answer,
            "status": self.status,
            "rounds": self.rounds,
            "steps": [s.model_dump(mode="json", exclude_none=True) for s in self.steps],
            "usage": {
                "by_role": {
                    role: {**u.model_dump(mode="json"), "total_tokens": u.total_tokens}
                    for role, u in usage.by_role.items()
                },
                "total": {
                    **usage.total.model_dump(mode="json"),
                    "total_tokens": usage.total.total_tokens,
                },
            },
            "seconds": round(self.seconds, 4),
        }


class NodeEvent(BaseModel):
    """A graph node started or finished: what a live view highlights while agents work.

    Only streamed when asked for (`node_events=True`), so the terminal and the bench, which
    show steps, pay nothing for it."""

    node: str
    phase: Literal["start", "end"]


def run_config(thread_id: str | None = None, recursion_limit: int = 100) -> dict[str, Any]:
    """LangGraph's run config; the tool context travels as the typed runtime context."""
    configurable: dict[str, Any] = {}
    if thread_id is not None:
        configurable["thread_id"] = thread_id
    return {"configurable": configurable, "recursion_limit": recursion_limit}


async def stream_run(
    graph: Any,
    initial: CouncilState,
    config: dict[str, Any],
    context: ToolContext | None = None,
    *,
    node_events: bool = False,
) -> AsyncIterator[Step | RunResult | NodeEvent]:
    """Yield each new step as its node finishes, then the `RunResult`; with `node_events`,
    also a `NodeEvent` when each node starts and ends.

    Only node updates are streamed (not whole-state snapshots, which cost a copy per node);
    the final state is folded from the updates with the schema's own reducers.
    """
    started = time.perf_counter()
    reducers = reducers_of(type(initial))
    final: dict[str, Any] = {name: getattr(initial, name) for name in type(initial).model_fields}
    modes: Any = ["updates", "tasks"] if node_events else "updates"
    updates = graph.astream(initial, config, context=context or ToolContext(), stream_mode=modes)
    async for item in updates:
        if node_events:
            mode, chunk = item
            if mode == "tasks":
                yield NodeEvent(node=chunk["name"], phase="start" if "input" in chunk else "end")
                continue
        else:
            chunk = item
        for update in chunk.values():
            if not isinstance(update, dict):
                continue
            apply_update(final, update, reducers)
            for step in update.get("steps", ()):
                yield step
    yield RunResult(
        problem=initial.problem,
        answer=final.get("final_answer"),
        status=final.get("status", "done"),
        rounds=final.get("round", 0),
        steps=final.get("steps", []),
        calls=final.get("calls", []),
        seconds=time.perf_counter() - started,
        state=final,
    )
