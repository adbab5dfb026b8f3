"""A conversation that persists: the Python face of `council chat`.

Each question runs the graph with the thread's earlier turns as context, is recorded in
the thread (so it survives a restart), and, when memory is on, teaches the memory store.
The terminal REPL is a thin layer over this class; scripts use it directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from council.chat.threads import ChatThread, ThreadStore, TurnRecord, new_thread_id
from council.graphs.run import NodeEvent, RunResult
from council.graphs.state import Step
from council.memory.policy import MemoryPolicy, stream_with_memory
from council.runner import GraphRunner


class ChatSession:
    def __init__(
        self,
        threads: ThreadStore,
        runner: GraphRunner,
        *,
        thread_id: str | None = None,
        memory: MemoryPolicy | None = None,
        graph_name: str = "solve",
        model_name: str | None = None,
    ) -> None:
        self.threads = threads
        self.runner = runner
        self.thread_id = thread_id or new_thread_id()
        self.memory = memory
        self.graph_name = graph_name
        self.model_name = model_name

    async def thread(self) -> ChatThread:
        return await self.threads.load(self.thread_id)

    def new_thread(self) -> str:
        self.thread_id = new_thread_id()
        return self.thread_id

    def use(self, runner: GraphRunner, *, graph_name: str, model_name: str | None) -> None:
        """Switch graph or model; later turns of the same thread see the earlier ones."""
        self.runner, self.graph_name, self.model_name = runner, graph_name, model_name

    async def stream(self, question: str) -> AsyncIterator[Step | RunResult]:
        """Every step as it happens, then the result; the turn is recorded once it ends."""
        async for item in self.stream_events(question, node_events=False):
            if not isinstance(item, NodeEvent):
                yield item

    async def stream_events(
        self, question: str, *, node_events: bool = True
    ) -> AsyncIterator[Step | RunResult | NodeEvent]:
        """`stream`, plus when each graph node starts and ends (what the web UI shows)."""
        thread = await self.thread()
        result: RunResult | None = None
        async for item in stream_with_memory(
            self.runner,
            question,
            self.memory,
            history=thread.history(),
            problem_id=self.thread_id,
            node_events=node_events,
        ):
            if isinstance(item, RunResult):
                result = item
            yield item
        if result is None:  # pragma: no cover - a run always ends with its result
            raise RuntimeError("the graph finished without a result")
        await self.threads.append(
            self.thread_id,
            TurnRecord(
                question=question,
                answer=result.answer,
                status=result.status,
                graph=self.graph_name,
                model=self.model_name,
                steps=result.steps,
            ),
        )

    async def ask(self, question: str) -> RunResult:
        result: RunResult | None = None
        async for item in self.stream(question):
            if isinstance(item, RunResult):
                result = item
        assert result is not None  # stream() raised otherwise
        return result
