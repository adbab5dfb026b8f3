"""Chat: threads (the same SQLite threads as `council chat`), asking, streaming, stopping."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from council.chat.session import ChatSession
from council.chat.threads import new_thread_id
from council.web.graphs import builtin_graphs
from council.web.routes import context_of
from council.web.streaming import sse

router = APIRouter(prefix="/api")


class Ask(BaseModel):
    question: str = Field(min_length=1, max_length=20_000)
    thread_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    graph: str | None = None
    model: str | None = None


@router.get("/options")
async def options(request: Request) -> dict[str, Any]:
    context = context_of(request)
    return {
        "graphs": builtin_graphs(),
        "default_graph": context.default_graph,
        "default_model": context.default_model,
        "models": context.models,
        "runs": [str(path) for path in context.runs],
    }


@router.get("/threads")
async def threads(request: Request) -> list[dict[str, Any]]:
    store = context_of(request).threads
    assert store is not None
    return [summary.model_dump(mode="json") for summary in await store.summaries()]


@router.get("/threads/{thread_id}")
async def thread(thread_id: str, request: Request) -> dict[str, Any]:
    store = context_of(request).threads
    assert store is not None
    loaded = await store.load(thread_id)
    return {"thread_id": thread_id, **loaded.model_dump(mode="json")}


@router.post("/turns")
async def ask(body: Ask, request: Request) -> dict[str, str]:
    """Start answering; the steps stream from `/api/turns/{turn_id}/events`."""
    context = context_of(request)
    assert context.threads is not None
    thread_id = body.thread_id or new_thread_id()
    earlier = (await context.threads.load(thread_id)).turns
    graph = body.graph or (earlier[-1].graph if earlier else context.default_graph)
    model = body.model or None
    runner = context.make_runner(graph, model)  # a bad graph or model fails here, in one line
    session = ChatSession(
        context.threads, runner, thread_id=thread_id, graph_name=graph, model_name=model
    )
    turn = context.hub.start(session, body.question)
    return {"turn_id": turn.turn_id, "thread_id": thread_id, "graph": graph}


@router.get("/turns/{turn_id}/events")
async def events(turn_id: str, request: Request, start: int = 0) -> StreamingResponse:
    turn = context_of(request).hub.get(turn_id)
    if turn is None:
        raise HTTPException(404, f"no turn {turn_id}")
    return StreamingResponse(
        sse(turn.follow(start)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/turns/{turn_id}/stop")
async def stop(turn_id: str, request: Request) -> dict[str, bool]:
    return {"stopped": context_of(request).hub.stop(turn_id)}
