"""Chat threads persisted through a LangGraph checkpointer on SQLite.

A thread's state is the conversation: each turn's question, answer, status, graph, model
and every step the agents took. A one-node graph records a finished turn; the checkpointer
keeps every version, so a thread resumes after a restart exactly as it was.
"""

from __future__ import annotations

import operator
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import aiosqlite
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel, Field

from council.graphs.checkpoint import serializer
from council.graphs.state import Step
from council.messages import Message


def new_thread_id() -> str:
    return uuid.uuid4().hex[:8]


class TurnRecord(BaseModel):
    question: str
    answer: str | None
    status: str
    graph: str
    model: str | None = None
    steps: list[Step] = Field(default_factory=list)
    at: float = Field(default_factory=time.time)


class ChatThread(BaseModel):
    turns: Annotated[list[TurnRecord], operator.add] = Field(default_factory=list)

    def history(self) -> list[Message]:
        """What follow-up turns see: the earlier questions and answers."""
        messages: list[Message] = []
        for turn in self.turns:
            messages.append(Message.user(turn.question))
            messages.append(Message.assistant(turn.answer or "(no answer)"))
        return messages


class ThreadSummary(BaseModel):
    thread_id: str
    turns: int
    last_question: str
    updated_at: float


def _record(state: ChatThread) -> dict[str, Any]:
    return {}


class ThreadStore:
    """Open with `async with ThreadStore(path) as store:`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._connection: aiosqlite.Connection | None = None
        self.graph: Any = None

    async def __aenter__(self) -> ThreadStore:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = await aiosqlite.connect(str(self.path))
        self.saver = AsyncSqliteSaver(self._connection, serde=serializer(ChatThread))
        graph = StateGraph(ChatThread)
        graph.add_node("record", _record)
        graph.add_edge(START, "record")
        graph.add_edge("record", END)
        self.graph = graph.compile(checkpointer=self.saver)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    @staticmethod
    def _config(thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    async def load(self, thread_id: str) -> ChatThread:
        snapshot = await self.graph.aget_state(self._config(thread_id))
        values = snapshot.values if snapshot else {}
        return ChatThread.model_validate(values) if values else ChatThread()

    async def append(self, thread_id: str, turn: TurnRecord) -> None:
        await self.graph.ainvoke({"turns": [turn]}, self._config(thread_id))

    async def summaries(self) -> list[ThreadSummary]:
        thread_ids: list[str] = []
        async for item in self.saver.alist(None):  # collect first: the saver holds a lock
            thread_id = item.config["configurable"]["thread_id"]
            if thread_id not in thread_ids:
                thread_ids.append(thread_id)
        latest: dict[str, ThreadSummary] = {}
        for thread_id in thread_ids:
            thread = await self.load(thread_id)
            if thread.turns:
                latest[thread_id] = ThreadSummary(
                    thread_id=thread_id,
                    turns=len(thread.turns),
                    last_question=thread.turns[-1].question,
                    updated_at=thread.turns[-1].at,
                )
        return sorted(latest.values(), key=lambda s: s.updated_at, reverse=True)
