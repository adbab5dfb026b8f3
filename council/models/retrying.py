"""One retry policy for every model transport (SDK retries are off so they never multiply).

Each transport says what a failure is (`FailureVerdict`, from its own `classify`); this module
decides what to do about it, the same way for all of them:

- **throttled** (429, or 503 with Retry-After): the endpoint's limiter slows down
  (`council.models.limiter`) and the call waits at least what the server asked. Throttling
  is not a fault: it does not count against `max_retries`, only against the call's wait.
- **transient** (timeouts, reset or refused connections, 408/409/425/5xx, a reply that is
  not JSON): tried again after what the server asked, or an exponential backoff with
  jitter (the OpenAI SDK's: 0.5 s doubling to 8 s, less up to a quarter), at most
  `max_retries` times.
- **fatal** (a refused key, an unknown model, a prompt longer than the context, another
  4xx): fails at once, with one line saying what to fix.

Every call's waits together are bounded by `max_retry_wait_seconds`; a server that asks
for more than is left is not waited for. Every error says how many tries and how long.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from council.errors import ModelError, ModelUnreachableError
from council.models.failures import FailureVerdict
from council.models.limiter import Limiter
from council.models.settings import ModelSettings

T = TypeVar("T")

MAX_BACKOFF_SECONDS = 8.0
"""The longest wait the backoff chooses itself (a server may ask for more)."""


def backoff_seconds(retry: int, initial: float) -> float:
    """The wait before retry number `retry` (0-based) when the server asks for none."""
    return min(initial * 2.0 ** min(retry, 60), MAX_BACKOFF_SECONDS) * (1 - 0.25 * random.random())


def tries_text(tries: int, seconds: float) -> str:
    return f"{tries} {'try' if tries == 1 else 'tries'} in {seconds:.1f} s"


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    settings: ModelSettings,
    classify: Callable[[Exception], FailureVerdict | None],
    *,
    who: str,
    limiter: Limiter | None = None,
    tokens: float = 0.0,
    tokens_used: Callable[[T], float | None] = lambda result: None,
    give_up: Callable[[Exception], Exception | None] = lambda exc: None,
) -> T:
    """Call `attempt` under the policy above. `classify` returns None for an exception
    that is not a model failure (a bug): it propagates as it is. `give_up` may turn a
    failure into one to raise at once (a model process that died is not a network blip).
    `who` names the model in errors (`model 'x' at http://...`); `limiter` is its
    endpoint's, given the call's estimated `tokens` and told what it used."""
    started = time.monotonic()
    tries = failures = 0
    waited = 0.0
    while True:
        sent = await limiter.acquire(started, tokens) if limiter is not None else 0.0
        tries += 1
        try:
            result = await attempt()
        except asyncio.CancelledError:
            if limiter is not None:
                limiter.finished(sent)
            raise
        except Exception as exc:
            verdict = classify(exc)
            if limiter is not None:
                if verdict is not None and verdict.kind == "throttled":
                    limiter.refused(sent, verdict.wait)
                else:
                    limiter.finished(sent)
            final = give_up(exc)
            if final is not None:
                raise final from exc
            if verdict is None:
                raise
            elapsed = time.monotonic() - started
            if verdict.kind == "fatal":
                raise _error(who, verdict, tries, elapsed) from exc
            if verdict.kind == "transient":
                failures += 1
                if failures > settings.max_retries:
                    limit = f"--max-retries {settings.max_retries}"
                    raise _error(who, verdict, tries, elapsed, limit) from exc
            delay = verdict.wait
            if delay is None:
                delay = backoff_seconds(tries - 1, settings.retry_backoff_seconds)
            if waited + delay > settings.max_retry_wait_seconds:
                asked = f"the server asks {delay:.0f} s more, " if verdict.wait else ""
                limit = f"{asked}past --max-retry-wait {settings.max_retry_wait_seconds:g} s"
                raise _error(who, verdict, tries, elapsed, limit) from exc
            waited += delay
            await asyncio.sleep(delay)
        else:
            if limiter is not None:
                limiter.finished(sent, tokens_used(result), tokens)
            return result


def _error(
    who: str, verdict: FailureVerdict, tries: int, seconds: float, limit: str = ""
) -> ModelError:
    spent = tries_text(tries, seconds)
    if verdict.kind == "fatal":
        text = f"{who}: {verdict.reason} ({spent})"
    elif verdict.kind == "throttled":
        text = f"{who} rate limited {spent}, giving up ({limit}): {verdict.reason}"
    elif issubclass(verdict.error, ModelUnreachableError):
        text = f"cannot reach {who}: {spent}, giving up ({limit}): {verdict.reason}"
    else:
        text = f"{who} failed {spent}, giving up ({limit}): {verdict.reason}"
    return verdict.error(f"{text}; {verdict.fix}" if verdict.fix else text)
