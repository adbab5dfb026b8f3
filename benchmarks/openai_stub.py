"""A real OpenAI-compatible HTTP server on loopback with scripted behaviour: fail with a
status a given number of times, then answer, on /v1/chat/completions and on the raw
/v1/completions (whose requests carry a `prompt` instead of `messages`). Benchmarks
measure against it (no latency, or a fixed one); tests check retries and error mapping on
the real HTTP path, in-process or as a stand-alone process (`main` below)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class StubBehaviour:
    fail_first: int = 0
    fail_status: int = 429
    reply: str = "ANSWER: 4"
    delay_seconds: float = 0.0
    requests: list[dict[str, object]] = field(default_factory=list)
    responder: Callable[[dict[str, object]], str] | None = None
    """Computes the reply from the request body (e.g. by question, seed, temperature);
    None: `reply`."""
    refuser: Callable[[dict[str, object]], tuple[int, str] | None] | None = None
    """An HTTP error (status, message) for this request body, or None to answer it."""


def _completion(reply: str, model: str) -> dict[str, object]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }


def _text_completion(reply: str, model: str) -> dict[str, object]:
    return {
        "id": "cmpl-stub",
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "text": reply, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }


@asynccontextmanager
async def openai_stub(behaviour: StubBehaviour, port: int = 0) -> AsyncIterator[str]:
    """Serve on 127.0.0.1 (a free port unless given); yields the /v1 base URL."""

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        behaviour.requests.append(body)
        if len(behaviour.requests) > 10_000:  # a long-running server keeps a bounded log
            del behaviour.requests[:5_000]
        if len(behaviour.requests) <= behaviour.fail_first:
            error = {"error": {"message": "slow down", "type": "rate_limit_exceeded"}}
            return web.json_response(error, status=behaviour.fail_status)
        refusal = behaviour.refuser(body) if behaviour.refuser else None
        if refusal is not None:
            status, message = refusal
            error = {"error": {"message": message, "type": "invalid_request_error"}}
            return web.json_response(error, status=status)
        if behaviour.delay_seconds:
            await asyncio.sleep(behaviour.delay_seconds)
        reply = behaviour.responder(body) if behaviour.responder else behaviour.reply
        shape = _text_completion if "prompt" in body else _completion
        return web.Response(
            text=json.dumps(shape(reply, str(body.get("model", "stub")))),
            content_type="application/json",
        )

    async with serve_chat(chat, port, completions=chat) as base:
        yield base


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve_chat(
    chat: Handler, port: int = 0, completions: Handler | None = None
) -> AsyncIterator[str]:
    """`chat` as /v1/chat/completions (and `completions`, if given, as the raw
    /v1/completions) on 127.0.0.1 (a free port unless given); yields the /v1 base URL.
    The one way the loopback servers here are served."""
    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    if completions is not None:
        app.router.add_post("/v1/completions", completions)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


async def serve_forever(behaviour: StubBehaviour, port: int) -> None:
    async with openai_stub(behaviour, port=port) as base:
        print(base, flush=True)
        await asyncio.Event().wait()


async def main(argv: list[str] | None = None) -> None:
    """A stand-alone loopback server (benchmarks, and tests that run the CLI in a child):
    prints its /v1 base URL once it listens, then serves until killed."""
    import argparse

    parser = argparse.ArgumentParser(description="fixed-delay OpenAI-compatible stub server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--reply", default="ANSWER: 4")
    parser.add_argument("--fail-first", type=int, default=0, help="requests to fail first")
    parser.add_argument("--fail-status", type=int, default=429, help="their HTTP status")
    options = parser.parse_args(argv)
    behaviour = StubBehaviour(
        delay_seconds=options.delay,
        reply=options.reply,
        fail_first=options.fail_first,
        fail_status=options.fail_status,
    )
    await serve_forever(behaviour, options.port)


if __name__ == "__main__":
    asyncio.run(main())
