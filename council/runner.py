"""`GraphRunner`: run any compiled council graph on a problem, with a sandbox if needed.

Everything that runs problems — `Council`, `council bench`, `council chat` — goes through
this one class, so streaming, tool sessions and results behave the same everywhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, cast

from council.graphs.builder import CouncilGraph
from council.graphs.run import NodeEvent, RunResult, run_config, stream_run
from council.graphs.state import CouncilState, Step
from council.messages import Message
from council.problem_info import ProblemInfo
from council.tools.base import ToolContext
from council.tracing import run_span

SessionFactory = Callable[[], AbstractAsyncContextManager[Any]]
RunnerFactory = Callable[[str, "str | None"], "GraphRunner"]
"""(graph name or file, model name or None) -> a runner: how chat, the web app and
`council mcp` switch graph and model per request."""


class GraphRunner:
    """A compiled graph plus how to start a run of it."""

    def __init__(
        self,
        graph: CouncilGraph,
        *,
        max_rounds: int = 3,
        session_factory: SessionFactory | None = None,
        compile_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.spec = graph
        self.graph = graph.compile(**(compile_kwargs or {}))
        self.state_schema: type[CouncilState] = graph.state_schema
        self.max_rounds = max_rounds
        self.session_factory = session_factory

    @property
    def name(self) -> str:
        return self.spec.name

    def initial_state(
        self,
        problem: str,
        *,
        history: Sequence[Message] = (),
        memory: str = "",
        max_rounds: int | None = None,
        info: ProblemInfo | None = None,
    ) -> CouncilState:
        return self.state_schema(
            problem=problem,
            info=info or ProblemInfo(),
            max_rounds=max_rounds or self.max_rounds,
            history=list(history),
            memory=memory,
        )

    async def astream(
        self,
        problem: str,
        *,
        history: Sequence[Message] = (),
        memory: str = "",
        max_rounds: int | None = None,
        problem_id: str = "default",
        info: ProblemInfo | None = None,
    ) -> AsyncIterator[Step | RunResult]:
        """Yield every agent step as it happens, then the `RunResult`. `info`: what the
        problem's data set says besides its text (MATH's type and level)."""
        async for item in self.astream_events(
            problem,
            history=history,
            memory=memory,
            max_rounds=max_rounds,
            problem_id=problem_id,
            info=info,
            node_events=False,
        ):
            yield cast(Step | RunResult, item)

    async def astream_events(
        self,
        problem: str,
        *,
        history: Sequence[Message] = (),
        memory: str = "",
        max_rounds: int | None = None,
        problem_id: str = "default",
        info: ProblemInfo | None = None,
        node_events: bool = True,
    ) -> AsyncIterator[Step | RunResult | NodeEvent]:
        """`astream`, plus a `NodeEvent` as each node starts and ends: what a live view
        needs to show which agent is working (the web UI highlights it)."""

        initial = self.initial_state(
            problem, history=history, memory=memory, max_rounds=max_rounds, info=info
        )
        session_cm: AbstractAsyncContextManager[Any] = (
            self.session_factory() if self.session_factory else nullcontext(None)
        )
        with run_span(self.name, problem_id) as span:
            async with session_cm as session:
                context = ToolContext(session=session, problem_id=problem_id)
                stream = stream_run(
                    self.graph,
                    initial,
                    run_config(),
                    context,
                    node_events=node_events,
                    name=self.name,
                )
                async for item in stream:
                    if isinstance(item, RunResult):
                        span.finish(item)
                    yield item

    async def arun(self, problem: str, **kwargs: Any) -> RunResult:
        result: RunResult | None = None
        async for item in self.astream(problem, **kwargs):
            if isinstance(item, RunResult):
                result = item
        if result is None:  # pragma: no cover - stream_run always ends with a result
            raise RuntimeError("the graph finished without a result")
        return result

    def run(self, problem: str, **kwargs: Any) -> RunResult:
        return asyncio.run(self.arun(problem, **kwargs))
