"""Retries with exponential backoff and jitter, council's alone (SDK retries are off so they
never multiply): one policy for every model transport."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from council.models.settings import ModelSettings

T = TypeVar("T")


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    settings: ModelSettings,
    retryable: Callable[[Exception], bool],
    give_up: Callable[[Exception], Exception | None] = lambda exc: None,
) -> T:
    """Call `attempt` until it succeeds, retrying what `retryable` says is worth it up to
    `settings.max_retries` times. `give_up` may turn a failure into one to raise at once
    instead (a model process that died is not a network blip)."""
    tries = 0
    while True:
        try:
            return await attempt()
        except Exception as exc:
            final = give_up(exc)
            if final is not None:
                raise final from exc
            if not retryable(exc) or tries >= settings.max_retries:
                raise
            delay = settings.retry_backoff_seconds * (2**tries) * (0.5 + random.random())
            tries += 1
            await asyncio.sleep(delay)
