"""Chat turns for the web view: each runs as a task, and what it does is kept as a list of
events that any number of browsers stream over SSE (a page that connects late, or
reconnects, gets every event from the first).

Why a buffer rather than a queue per request: the question is posted once and the events
are read by a separate `EventSource` request, which may come a moment later; nothing may be
lost in between, and a stop button must reach the task whoever started it."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

from council.chat.session import ChatSession
from council.errors import CouncilError
from council.graphs.run import NodeEvent, RunResult
from council.graphs.state import Step

KEEP_FINISHED = 50
"""Finished turns kept for late readers; older ones are dropped."""


def now_ms() -> float:
    return time.time() * 1000.0


def step_event(step: Step) -> dict[str, Any]:
    """`emitted_at` is when the agent's step reached the server (epoch ms): the page
    measures how long it took to arrive (the latency benchmark reads that)."""
    return {
        "type": "step",
        "step": step.model_dump(mode="json", exclude_none=True),
        "emitted_at": now_ms(),
    }


def result_event(result: RunResult[Any]) -> dict[str, Any]:
    """The run's result in its one JSON form (`RunResult`), as the CLI and MCP send it."""
    return {"type": "result", "result": result.model_dump(mode="json")}


class LiveTurn:
    """One question being answered: its events so far, and the task answering it."""

    def __init__(self, turn_id: str, thread_id: str) -> None:
        self.turn_id = turn_id
        self.thread_id = thread_id
        self.events: list[dict[str, Any]] = []
        self.done = False
        self.task: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()

    async def add(self, event: dict[str, Any]) -> None:
        async with self._changed:
            self.events.append({"seq": len(self.events), **event})
            self._changed.notify_all()

    async def finish(self) -> None:
        async with self._changed:
            self.done = True
            self._changed.notify_all()

    async def follow(self, start: int = 0) -> AsyncIterator[dict[str, Any]]:
        """Every event from `start`, as it comes, until the turn is over."""
        index = start
        while True:
            async with self._changed:
                while index >= len(self.events) and not self.done:
                    await self._changed.wait()
                pending = self.events[index:]
                finished = self.done
            for event in pending:
                yield event
            index += len(pending)
            if finished and index >= len(self.events):
                return


class TurnHub:
    """The turns of one server; built by the app, passed to its routes (no globals)."""

    def __init__(self) -> None:
        self.turns: OrderedDict[str, LiveTurn] = OrderedDict()

    def get(self, turn_id: str) -> LiveTurn | None:
        return self.turns.get(turn_id)

    def start(
        self, session: ChatSession, question: str, after: Callable[[], Any] | None = None
    ) -> LiveTurn:
        turn = LiveTurn(uuid.uuid4().hex[:12], session.thread_id)
        self.turns[turn.turn_id] = turn
        self._prune()
        turn.task = asyncio.create_task(self._run(turn, session, question))
        return turn

    async def _run(self, turn: LiveTurn, session: ChatSession, question: str) -> None:
        await turn.add({"type": "question", "question": question, "thread_id": turn.thread_id})
        try:
            async for item in session.stream_events(question):
                if isinstance(item, NodeEvent):
                    await turn.add({"type": "node", "node": item.node, "phase": item.phase})
                elif isinstance(item, Step):
                    await turn.add(step_event(item))
                else:
                    await turn.add(result_event(item))
        except asyncio.CancelledError:
            await turn.add({"type": "stopped"})
        except CouncilError as exc:  # a failed turn is reported; the server goes on
            await turn.add({"type": "error", "message": str(exc)})
        except Exception as exc:  # an unexpected failure still ends the stream, in one line
            await turn.add({"type": "error", "message": f"{type(exc).__name__}: {exc}"})
        finally:
            await turn.finish()

    def stop(self, turn_id: str) -> bool:
        turn = self.turns.get(turn_id)
        if turn is None or turn.task is None or turn.task.done():
            return False
        turn.task.cancel()
        return True

    async def close(self) -> None:
        tasks = [t.task for t in self.turns.values() if t.task and not t.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _prune(self) -> None:
        finished = [tid for tid, t in self.turns.items() if t.done]
        for turn_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self.turns[turn_id]


async def sse(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """Server-sent events: one `data:` line of JSON per event, then an `end` event."""
    async for event in events:
        yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
    yield b'data: {"type": "end"}\n\n'
