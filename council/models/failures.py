"""What a failed model call means, the same for every transport: throttled (wait and slow
down), transient (try again) or fatal (say what to fix). Transports turn their own
exceptions into a `FailureVerdict` with these helpers; `council.models.retrying` acts on it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from council.errors import (
    ContextLengthError,
    MissingCredentialsError,
    ModelError,
    ModelUnreachableError,
    UnknownModelError,
)
from council.models.server_wait import server_wait

Kind = Literal["throttled", "transient", "fatal"]

TRANSIENT_STATUSES = frozenset({408, 409, 425})
"""Besides 5xx: a request timeout, a conflict (the OpenAI SDK retries lock timeouts), too
early."""
CONTEXT_HINTS = (
    "context length",
    "context_length",
    "context window",
    "maximum context",
    "too many tokens",
    "prompt is too long",
    "exceeds the context",
    "n_ctx",
)
UNREACHABLE_FIX = "Is the server running and the address right?"
TIMEOUT_FIX = "a slow or busy server needs a longer --timeout"
THROTTLED_FIX = (
    "the provider kept refusing (rate limit): allow longer waits with --max-retry-wait, "
    "or send less (--concurrency, --rpm, --tpm)"
)


class FailureVerdict(BaseModel):
    """What one failed try means. `reason` is one short line (`HTTP 429: ...`); `fix`
    says what the user can do when it ends the call; `error` is what is raised then."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kind: Kind
    reason: str
    wait: float | None = None
    fix: str = ""
    error: type[ModelError] = ModelError


def http_verdict(status: int, message: str, headers: Mapping[str, str] | None) -> FailureVerdict:
    """An HTTP error answer. `x-should-retry` (OpenAI's) overrides the status's meaning."""
    reason = f"HTTP {status}: {short(message)}"
    wait = server_wait(headers)
    should_retry = (headers or {}).get("x-should-retry")
    if status in (401, 403):
        return FailureVerdict(
            kind="fatal",
            reason=reason,
            fix="it rejected the credentials: set its API key (--api-key or the provider's "
            "environment variable)",
            error=MissingCredentialsError,
        )
    if status == 404:
        return FailureVerdict(
            kind="fatal",
            reason=reason,
            fix="model not found there: check --model and --api-base",
            error=UnknownModelError,
        )
    if status in (400, 413, 422) and is_context_overflow(message):
        return context_verdict(reason)
    if should_retry == "false":
        return FailureVerdict(kind="fatal", reason=reason, fix="the server says not to retry")
    if status == 429 or (status == 503 and wait is not None):
        return FailureVerdict(kind="throttled", reason=reason, wait=wait, fix=THROTTLED_FIX)
    if status >= 500 or status in TRANSIENT_STATUSES or should_retry == "true":
        return FailureVerdict(kind="transient", reason=reason, wait=wait)
    return FailureVerdict(
        kind="fatal", reason=reason, fix="the server refused the request; see its message"
    )


def context_verdict(reason: str) -> FailureVerdict:
    return FailureVerdict(
        kind="fatal",
        reason=reason,
        fix="the prompt and reply do not fit the model's context: lower --max-tokens, give a "
        "local/ model a longer --context, or use a model with a longer context",
        error=ContextLengthError,
    )


def network_verdict(exc: BaseException) -> FailureVerdict:
    """A try that got no answer: a timeout, or a refused, reset or dropped connection."""
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return FailureVerdict(
            kind="transient",
            reason=f"no answer within the timeout ({type(exc).__name__})",
            fix=TIMEOUT_FIX,
            error=ModelUnreachableError,
        )
    return FailureVerdict(
        kind="transient",
        reason=f"{type(exc).__name__}: {short(exc)}",
        fix=UNREACHABLE_FIX,
        error=ModelUnreachableError,
    )


def malformed_verdict(detail: str) -> FailureVerdict:
    """An answer that is not a completion (not JSON, or no choice in it): a proxy's error
    page, a server restarting; tried again like a 5xx."""
    return FailureVerdict(
        kind="transient", reason=f"a reply that is not a completion: {short(detail)}"
    )


def is_context_overflow(message: str) -> bool:
    lowered = message.lower()
    return any(hint in lowered for hint in CONTEXT_HINTS)


def short(value: object, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"
