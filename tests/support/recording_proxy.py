"""A loopback HTTP proxy that records every request body it forwards: a test sees exactly
what council sent to a real server (which endpoint, which prompt) without mocking the
client or the server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web


@dataclass(frozen=True)
class ForwardedRequest:
    path: str
    """Below the /v1 base: `chat/completions` or `completions`."""
    body: dict[str, object]


@dataclass
class Recording:
    requests: list[ForwardedRequest] = field(default_factory=list)


@asynccontextmanager
async def recording_proxy(upstream: str, recording: Recording) -> AsyncIterator[str]:
    """Serve on 127.0.0.1 a /v1 base that forwards each POST to `upstream` (a /v1 base)
    and answers with upstream's reply; yields the proxy's /v1 base URL."""

    async def forward(request: web.Request) -> web.Response:
        path = request.match_info["path"]
        raw = await request.read()
        recording.requests.append(ForwardedRequest(path=path, body=json.loads(raw)))
        headers = {"Content-Type": "application/json"}
        timeout = aiohttp.ClientTimeout(total=3600)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(f"{upstream.rstrip('/')}/{path}", data=raw, headers=headers) as reply,
        ):
            text = await reply.text()
            return web.Response(status=reply.status, text=text, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/{path:.+}", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()
