"""Running a compiled council graph: stream steps as they happen, then a typed result."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, computed_field

from council.calls import CallRecord, usage_of
from council.errors import ContextLengthError
from council.graphs.state import CouncilState, RunStatus, Step, apply_update, reducers_of
from council.tools.base import ToolContext
from council.usage import UsageReport

StateT = TypeVar("StateT", bound=CouncilState)


class RunResult(BaseModel, Generic[StateT]):
    """What a run produced, one model whichever way it was asked for: the Python API
    returns it, and `council solve --json`, the web stream and MCP's `solve` each send its
    one JSON form (`model_dump(mode="json")`): the answer, how the run ended, every step,
    every model call (messages, reply, finish reason, decoding, tokens), the usage by role
    and agent, and the time. `state` is the final graph state, typed (the graph's state
    schema, e.g. `SolveState`), for anything not summarised; it is not serialised."""

    graph: str = ""
    problem: str
    answer: str | None
    status: RunStatus
    rounds: int
    steps: list[Step] = Field(default_factory=list)
    calls: list[CallRecord] = Field(default_factory=list)
    seconds: float
    failure: str | None = None
    """Why a run ended before its rule decided, when that is the problem's own outcome
    rather than a fault of the run (status `context_exceeded`: the model's message)."""
    state: StateT = Field(exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usage(self) -> UsageReport:
        return usage_of(self.calls)


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
    name: str = "",
) -> AsyncIterator[Step | RunResult[Any] | NodeEvent]:
    """Yield each new step as its node finishes, then the `RunResult`; with `node_events`,
    also a `NodeEvent` when each node starts and ends. `name`: the graph's, for the result.

    Only node updates are streamed (not whole-state snapshots, which cost a copy per node);
    the final state is folded from the updates with the schema's own reducers.
    """
    started = time.perf_counter()
    reducers = reducers_of(type(initial))
    final: dict[str, Any] = {name: getattr(initial, name) for name in type(initial).model_fields}
    modes: Any = ["updates", "tasks"] if node_events else "updates"
    updates = graph.astream(initial, config, context=context or ToolContext(), stream_mode=modes)
    failure: str | None = None
    try:
        async for item in updates:
            if node_events:
                mode, chunk = item
                if mode == "tasks":
                    phase: Literal["start", "end"] = "start" if "input" in chunk else "end"
                    yield NodeEvent(node=chunk["name"], phase=phase)
                    continue
            else:
                chunk = item
            for update in chunk.values():
                if not isinstance(update, dict):
                    continue
                apply_update(final, update, reducers)
                for step in update.get("steps", ()):
                    yield step
    except ContextLengthError as exc:
        # The problem's own outcome, the same on every retry with a seed: a wrong answer
        # with its calls kept (those of the nodes that finished), not an error run again.
        failure = str(exc)
        final["status"], final["final_answer"] = "context_exceeded", None
    yield RunResult(
        graph=name,
        problem=initial.problem,
        answer=final.get("final_answer"),
        status=final.get("status", "done"),
        rounds=final.get("round", 0),
        steps=final.get("steps", []),
        calls=final.get("calls", []),
        seconds=time.perf_counter() - started,
        failure=failure,
        state=type(initial).model_construct(**final),  # already typed by the reducers
    )
