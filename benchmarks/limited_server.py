"""A loopback OpenAI-compatible server that behaves like a rate-limited provider, for the
rate-limit benchmark (`benchmarks/rate_limit.py`) and the tests of throttling.

Two behaviours, alone or together:
- a limiter: a sliding window of `window_seconds` that accepts `per_window` requests;
  beyond that it answers 429 with `Retry-After` (a refused request does not count);
- random faults: each request fails with probability `fault_share`, drawn from `faults`
  (429 without Retry-After, 500, a reset connection, a body that is not JSON).

Accepted requests are answered after `answer_seconds`. It counts what it did, so a caller
can tell how many requests it took to get its answers and at what rate they came.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web

from benchmarks.openai_stub import serve_chat

Fault = Literal["429", "500", "reset", "not-json"]
ALL_FAULTS: tuple[Fault, ...] = ("429", "500", "reset", "not-json")


@dataclass
class Limits:
    per_window: int | None = 20
    window_seconds: float = 1.0
    retry_after: str = "1"
    answer_seconds: float = 0.2
    fault_share: float = 0.0
    faults: tuple[Fault, ...] = ALL_FAULTS
    seed: int = 0


@dataclass
class Counts:
    """What the server saw; times are `time.monotonic()` of this process."""

    requests: int = 0
    answered: int = 0
    refused: int = 0
    faulted: int = 0
    first_accepted: float | None = None
    last_answered: float | None = None
    accepted_at: collections.deque[float] = field(default_factory=collections.deque)
    events: list[tuple[float, int]] = field(default_factory=list)
    """(time, status) of every request: 200 answered, 429 refused, 0 a random fault."""

    def timeline(self) -> list[tuple[int, int]]:
        """Per second since the first request: (answered, refused)."""
        if not self.events:
            return []
        first = self.events[0][0]
        seconds: dict[int, list[int]] = {}
        for at, status in self.events:
            row = seconds.setdefault(int(at - first), [0, 0])
            if status == 200:
                row[0] += 1
            elif status == 429:
                row[1] += 1
        return [(row[0], row[1]) for _, row in sorted(seconds.items())]

    @property
    def answered_per_second(self) -> float:
        if self.first_accepted is None or self.last_answered is None:
            return 0.0
        return self.answered / max(self.last_answered - self.first_accepted, 1e-9)

    def report(self) -> dict[str, float | int]:
        return {
            "requests": self.requests,
            "answered": self.answered,
            "refused": self.refused,
            "faulted": self.faulted,
            "answered_per_second": round(self.answered_per_second, 3),
        }


def _completion(model: str) -> dict[str, object]:
    return {
        "id": "chatcmpl-limited",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "ANSWER: 4"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }


@asynccontextmanager
async def limited_server(limits: Limits, counts: Counts, port: int = 0) -> AsyncIterator[str]:
    """Serve on 127.0.0.1 (a free port unless given); yields the /v1 base URL."""
    draw = random.Random(limits.seed)

    async def chat(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        counts.requests += 1
        if limits.fault_share and draw.random() < limits.fault_share:
            counts.faulted += 1
            counts.events.append((time.monotonic(), 0))
            return await _fault(request, draw.choice(limits.faults))
        now = time.monotonic()
        window = counts.accepted_at
        if limits.per_window is not None:
            while window and window[0] <= now - limits.window_seconds:
                window.popleft()
            if len(window) >= limits.per_window:
                counts.refused += 1
                counts.events.append((now, 429))
                error = {"error": {"message": "rate limit reached", "type": "requests"}}
                return web.json_response(
                    error, status=429, headers={"Retry-After": limits.retry_after}
                )
            window.append(now)
        if counts.first_accepted is None:
            counts.first_accepted = now
        counts.events.append((now, 200))
        await asyncio.sleep(limits.answer_seconds)
        counts.answered += 1
        counts.last_answered = time.monotonic()
        return web.json_response(_completion(str(body.get("model", "limited"))))

    async with serve_chat(chat, port) as base:
        yield base


async def _fault(request: web.Request, fault: Fault) -> web.StreamResponse:
    if fault == "429":
        error = {"error": {"message": "overloaded", "type": "rate_limit_exceeded"}}
        return web.json_response(error, status=429)
    if fault == "500":
        return web.json_response({"error": {"message": "internal error"}}, status=500)
    if fault == "not-json":
        return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
    transport = request.transport  # a reset connection: close without an answer
    if transport is not None:
        transport.abort()
    return web.Response(status=500)
