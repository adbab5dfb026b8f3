"""Graphs: any built-in protocol or config file, drawn, with its agents, prompts and
conditions. Drawings are cached per name for the life of the server."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from council.web.graphs import builtin_graphs, describe
from council.web.routes import context_of

router = APIRouter(prefix="/api/graphs")


@router.get("")
async def graphs() -> list[str]:
    return builtin_graphs()


@router.get("/view")
async def view(name: str, request: Request) -> dict[str, Any]:
    cache = context_of(request).graph_cache
    if name not in cache:  # built and drawn off the event loop: `dot` is a process
        cache[name] = (await asyncio.to_thread(describe, name)).model_dump(mode="json")
    result: dict[str, Any] = cache[name]
    return result
