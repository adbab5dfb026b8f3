"""Solving with memory: retrieve before, curate after a verified solve.

Shared by chat and `council bench --memory`, so both learn the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from council.agents.curator import CURATOR_SETTINGS, Curator
from council.graphs.run import NodeEvent, RunResult
from council.graphs.state import Step
from council.memory.curation import curate
from council.memory.store import MemoryEntry, MemoryStore, render_memory
from council.messages import Message
from council.models.base import ChatModel
from council.runner import GraphRunner

VERIFIED = frozenset({"accepted", "agreed"})
"""Statuses that mean the team itself verified the answer (never the gold label)."""


@dataclass
class MemoryPolicy:
    store: MemoryStore
    curator: Curator | None = None
    retrieve: int = 3
    source_run: str = ""
    last_retrieved: list[MemoryEntry] = field(default_factory=list)

    @classmethod
    def with_model(
        cls, store: MemoryStore, model: ChatModel | None, *, retrieve: int = 3, source_run: str = ""
    ) -> MemoryPolicy:
        """A policy whose curator runs on `model` (None: deterministic lessons only)."""
        curator = Curator(model, settings=CURATOR_SETTINGS) if model else None
        return cls(store=store, curator=curator, retrieve=retrieve, source_run=source_run)

    def recall(self, problem: str) -> str:
        self.last_retrieved = self.store.search(problem, self.retrieve)
        self.store.mark((e.id for e in self.last_retrieved), "retrieved")
        return render_memory(self.last_retrieved)

    async def learn(self, problem: str, result: RunResult) -> int:
        """Curate a verified result into the store; returns how many lessons were stored.
        The curator's calls are added to `result.calls`, so they count like any other."""
        if result.status not in VERIFIED or not result.answer:
            return 0
        self.store.mark((e.id for e in self.last_retrieved), "helped")
        curation = await curate(self.curator, problem, result)
        result.calls.extend(curation.calls)
        for lesson in curation.lessons:
            self.store.add(
                lesson.kind, lesson.text, source_problem=problem, source_run=self.source_run
            )
        return len(curation.lessons)


async def stream_with_memory(
    runner: GraphRunner,
    problem: str,
    policy: MemoryPolicy | None,
    *,
    history: Sequence[Message] = (),
    problem_id: str = "default",
    node_events: bool = False,
) -> AsyncIterator[Step | RunResult | NodeEvent]:
    """The run, with what memory recalls before it and learns after it; `NodeEvent`s
    only when asked for (a live view highlighting the working node)."""
    memory = policy.recall(problem) if policy else ""
    async for item in runner.astream_events(
        problem, history=history, memory=memory, problem_id=problem_id, node_events=node_events
    ):
        if isinstance(item, RunResult) and policy is not None:
            await policy.learn(problem, item)
        yield item
