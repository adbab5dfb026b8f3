"""A loopback stand-in for a vLLM server running a reward model: `/pooling` (per-token
rewards, the last is the score) and `/classify` (class probabilities). The score of a
solution is looked up by a substring of the request, so tests choose it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

Score = Callable[[str], float]


@asynccontextmanager
async def reward_stub(
    score: Score, requests: list[dict[str, Any]], *, status: int = 200
) -> AsyncIterator[str]:
    """Serve on 127.0.0.1 (a free port); yields the base URL."""

    async def pooling(request: web.Request) -> web.Response:
        body = await request.json()
        requests.append({"path": "/pooling", **body})
        if status != 200:
            return web.json_response({"error": "down"}, status=status)
        value = score(json.dumps(body["messages"]))
        data = {"data": [{"index": 0, "object": "pooling", "data": [[0.01], [0.02], [value]]}]}
        return web.json_response(data)

    async def classify(request: web.Request) -> web.Response:
        body = await request.json()
        requests.append({"path": "/classify", **body})
        value = score(str(body["input"]))
        probs = [1 - value, value]
        return web.json_response({"data": [{"index": 0, "probs": probs, "num_classes": 2}]})

    app = web.Application()
    app.router.add_post("/pooling", pooling)
    app.router.add_post("/classify", classify)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
