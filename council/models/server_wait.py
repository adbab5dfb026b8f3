"""How long a server asks a client to wait before trying again, read from its headers.

As the official OpenAI SDK reads them (`openai/_base_client.py`,
`_parse_retry_after_header`): `retry-after-ms` first (milliseconds, more precise), then
`retry-after` as seconds (a float is accepted though the standard says an integer), then
`retry-after` as an HTTP date. OpenAI also sends `x-ratelimit-reset-requests` and
`x-ratelimit-reset-tokens` (durations such as `1s`, `6m0s`, `120ms`: when that budget is
whole again); with no `retry-after` they are read too, the one whose budget ran out
(`x-ratelimit-remaining-* = 0`) first.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping

RESET_HEADERS = ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def server_wait(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds the server asks to wait (0 or more), or None if it says nothing usable.
    `headers` must look names up case-insensitively (aiohttp's and httpx's do); `now` is
    wall time (for an HTTP date)."""
    if not headers:
        return None
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        seconds = _number(retry_after)
        if seconds is None:
            seconds = _http_date_wait(retry_after, time.time() if now is None else now)
        if seconds is not None:
            return seconds
    return _reset_wait(headers)


def parse_duration(text: str) -> float | None:
    """`1s`, `6m0s`, `1h2m3.5s`, `120ms`, or a bare number of seconds; None otherwise."""
    text = text.strip()
    bare = _number(text)
    if bare is not None:
        return bare
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(value + unit for value, unit in parts) != text:
        return None
    return sum(float(value) * _UNIT_SECONDS[unit] for value, unit in parts)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None


def _http_date_wait(text: str, now: float) -> float | None:
    try:
        parsed = email.utils.parsedate_tz(text)
        if parsed is None:
            return None
        return max(0.0, email.utils.mktime_tz(parsed) - now)
    except (TypeError, ValueError, OverflowError):
        return None


def _reset_wait(headers: Mapping[str, str]) -> float | None:
    """The reset of the budget that ran out; if none says so, the soonest reset given."""
    waits: list[float] = []
    for name in RESET_HEADERS:
        value = headers.get(name)
        seconds = parse_duration(value) if value is not None else None
        if seconds is None:
            continue
        remaining = headers.get(name.replace("-reset-", "-remaining-"))
        if remaining is not None and remaining.strip() == "0":
            return seconds
        waits.append(seconds)
    return min(waits) if waits else None
