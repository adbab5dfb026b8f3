"""How fast one process sends to one model endpoint: as fast as the run asks until the
provider refuses (429, or 503 with Retry-After), then as fast as it accepts.

The provider's limit is learned from what it does, not guessed. Every request sent and not
refused is logged with its start time. When a request is refused, the requests started in
the `window` seconds before it are what the provider accepted in its window (its
Retry-After sets the window: 1 s for a per-second limiter, up to a minute for a per-minute
one); from then on at most `BACKOFF` times that many start in any such window
(multiplicative decrease), and the allowance grows by a fixed step per window in which the
run wanted more and nothing was refused (additive increase; the step is a third of the last
decrease, so it is back where it was refused in three windows and probes beyond slowly).
One decrease per window: the refusals of one burst are one signal. Requests started
together (a burst, or the same moment in two worker processes) may reach the provider in
any order, so the refused one may have been overtaken by requests started after it; the
decrease is corrected upward once every request started before the refusal came back has
ended, from what the provider accepted among them (`_Settling`). While nothing is in
flight a request may always start once the server's own wait is over, so random refusals
(which no rate avoids) slow a run to one request at a time, never to a stop.

Limits a provider publishes (`requests_per_minute`, `tokens_per_minute` in
`ModelSettings`) are kept from the first request: requests in a sliding window, tokens in a
bucket refilled continuously (a request may start while the bucket is above zero and takes
its estimate; what it used is settled when it ends).

One limiter per endpoint (model and address) per run, shared by every model object and
every problem of the run: `ENDPOINT_LIMITERS` in a process of its own; in a run's worker
processes and Ray actors, the run's limiters are held by one host and each worker's
`ENDPOINT_LIMITERS` hands out stand-ins that ask it (`council.models.shared_limiter`):
workers that each learned alone would each send into a window the others already filled.
The bench runner's concurrency stays the ceiling; this only holds requests back. Waiting
requests start oldest call first, so a retried call goes before new ones.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import itertools
import os
import socket
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field

BACKOFF = 0.9
"""The share of what the provider accepted in its window that is sent after a refusal."""
RECOVERY_WINDOWS = 2
"""Windows without refusal in which the allowance climbs back to where it was refused."""
PROBE_SHARE = 0.01
"""Beyond that, the allowance grows by this share of it per window: a provider that allows
more is found within minutes, and one that does not is rarely asked for too much."""
PROBE_STEP = 0.5
"""At least this many requests more per window: the same for every process, so processes
sharing a provider converge to equal shares (an allowance learned while another process
held the provider's window would otherwise stay small)."""
MIN_STEP = 0.05
DEFAULT_WINDOW = 1.0
MAX_WINDOW = 60.0
HISTORY = 50_000
"""Start times kept per endpoint: a minute at over 800 requests a second."""
THROTTLED_RECENTLY = 15.0
"""Seconds after a refusal during which a run is shown as being throttled."""


class ProviderLimits(BaseModel):
    """Published limits of one model endpoint; None: not known (learned from refusals)."""

    model_config = {"frozen": True}

    requests_per_minute: float | None = Field(default=None, gt=0)
    tokens_per_minute: float | None = Field(default=None, gt=0)


class ThrottleReport(BaseModel):
    """How much one process has been throttled: on a problem's outcome, so the progress
    line can say so wherever the problem ran (here, a worker process, a Ray actor)."""

    process: str
    refused: int = Field(description="requests the provider refused so far, all endpoints")
    last_refused_at: float | None = Field(default=None, description="wall time (time.time())")
    requests_per_second: float | None = Field(
        default=None, description="the learned allowance of the most limited endpoint"
    )

    def recent(self, now: float | None = None) -> bool:
        if self.last_refused_at is None:
            return False
        return (time.time() if now is None else now) - self.last_refused_at < THROTTLED_RECENTLY


class SlidingLog:
    """Start times of requests within the last `window` seconds, at most `capacity`."""

    def __init__(self, capacity: float | None, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self.starts: collections.deque[float] = collections.deque(maxlen=HISTORY)
        self.refused: collections.deque[float] = collections.deque(maxlen=HISTORY)
        """Refused starts stay in `starts`: a refusal uses the allowance too, so a burst
        over the provider's limit costs at most what the allowance exceeds it by."""

    def allows(self, now: float) -> bool:
        if self.capacity is None:
            return True
        return self._in_window(now) < self.capacity

    def room_at(self, now: float) -> float:
        """When the oldest start in the window leaves it."""
        self._in_window(now)
        first = next((s for s in self.starts if s > now - self.window), None)
        return now if first is None else first + self.window

    def _in_window(self, now: float) -> int:
        since = now - self.window
        count = 0
        for start in reversed(self.starts):
            if start <= since:
                break
            count += 1
        return count

    def accepted(self, before: float, window: float) -> int:
        """Starts in the `window` seconds before `before` that were not refused."""
        since = before - window
        refused = sum(1 for start in self.refused if since < start < before)
        return sum(1 for start in self.starts if since < start < before) - refused

    def accepted_between(self, since: float, until: float) -> int:
        """Starts after `since` and up to `until` that were not refused."""
        refused = sum(1 for start in self.refused if since < start <= until)
        return sum(1 for start in self.starts if since < start <= until) - refused


class TokenBucket:
    """Tokens per minute, refilled continuously, one second's worth at most; a request
    may start while it is above zero (it may go below: a long prompt still runs)."""

    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.level = self.rate
        self.updated: float | None = None

    def refill(self, now: float) -> None:
        if self.updated is not None:
            self.level = min(self.rate, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def allows(self, now: float) -> bool:
        self.refill(now)
        return self.level > 0

    def room_at(self, now: float) -> float:
        self.refill(now)
        return now if self.level > 0 else now + (-self.level) / self.rate + 1e-3


@dataclass
class _Settling:
    """A decrease awaiting its correction: made from the requests started before the refused
    one, it is raised to what the provider accepted of those started `since` and up to
    `until` (when the refusal came back) once the `left` of them still out have ended."""

    since: float
    until: float
    left: int
    ceiling: float | None
    """The decrease never rises above this (BACKOFF times the allowance it decreased)."""


@dataclass(order=True)
class _Waiter:
    priority: float
    sequence: int
    future: asyncio.Future[float] = field(compare=False)
    tokens: float = field(compare=False, default=0.0)


class EndpointLimiter:
    """See the module docstring. Times are the event loop's clock."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, clock: Callable[[], float] | None = None
    ) -> None:
        self._loop = loop
        self._clock = clock or loop.time
        self.learned = SlidingLog(capacity=None, window=DEFAULT_WINDOW)
        self.published: SlidingLog | None = None
        self.tokens: TokenBucket | None = None
        self.limits = ProviderLimits()
        self.in_flight = 0
        self.refused_count = 0
        self.last_refused_at: float | None = None
        self._step = MIN_STEP
        self._refused_at_capacity = 0.0
        self._decreased_at = float("-inf")
        self._settling: _Settling | None = None
        self._grown_at = float("-inf")
        self._hold_until = float("-inf")
        self._last_start = float("-inf")
        self._waiting: list[_Waiter] = []
        self._sequence = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    # -- the calls' side -------------------------------------------------------------

    def configure(self, limits: ProviderLimits) -> None:
        """Published limits, as the model's settings give them (the latest call's win)."""
        if limits == self.limits:
            return
        self.limits = limits
        self.published = None
        if limits.requests_per_minute is not None:
            window = max(1.0, 60.0 / limits.requests_per_minute)
            capacity = limits.requests_per_minute * window / 60.0
            self.published = SlidingLog(capacity=capacity, window=window)
        self.tokens = TokenBucket(limits.tokens_per_minute) if limits.tokens_per_minute else None

    async def acquire(self, priority: float, tokens: float = 0.0) -> float:
        """Wait until a request may start; returns its start time (hand it back to
        `finished` or `refused`). `priority`: smaller starts first (the call's first try)."""
        started = self.request(priority, tokens)
        if not isinstance(started, asyncio.Future):
            return started
        try:
            return await started
        except asyncio.CancelledError:
            if started.done() and not started.cancelled():
                self.finished(started.result())  # started, then cancelled: give it back
            raise

    def request(self, priority: float, tokens: float = 0.0) -> float | asyncio.Future[float]:
        """`acquire` without waiting: the start time if a request may start now, else a
        future of it (cancel it to give up the place), for a host answering other
        processes (`council.models.shared_limiter`) without a task per request."""
        now = self._clock()
        if not self._waiting and self._may_start(now):
            return self._start(now, tokens)
        waiter = _Waiter(priority, next(self._sequence), self._loop.create_future(), tokens)
        heapq.heappush(self._waiting, waiter)
        self._dispatch()
        return waiter.future

    def finished(
        self, started: float, tokens_used: float | None = None, estimate: float = 0.0
    ) -> None:
        """A request ended other than refused (answered, or failed otherwise)."""
        self.in_flight -= 1
        self._ended(started)
        if self.tokens is not None and tokens_used is not None:
            self.tokens.level -= tokens_used - estimate
        self._dispatch()

    def refused(self, started: float, wait: float | None) -> None:
        """The provider refused a request that started at `started`, asking to wait
        `wait` seconds (None: it did not say)."""
        self.in_flight -= 1
        now = self._clock()
        self.refused_count += 1
        self.last_refused_at = time.time()
        self.learned.refused.append(started)
        self._ended(started)
        if wait is not None:
            self._hold_until = max(self._hold_until, now + wait)
            self.learned.window = min(MAX_WINDOW, max(DEFAULT_WINDOW, wait))
        window = self.learned.window
        if started > self._decreased_at and now - self._decreased_at >= window:
            accepted = self.learned.accepted(started, window)
            ceiling = None
            if self.learned.capacity is not None:
                ceiling = BACKOFF * self.learned.capacity
            self._decrease(accepted, ceiling)
            self._decreased_at = now
            self._grown_at = now
            self._settling = None
            if self.in_flight:
                self._settling = _Settling(started - window, now, self.in_flight, ceiling)
        self._dispatch()

    def _decrease(self, accepted: int, ceiling: float | None) -> None:
        capacity = max(1.0, BACKOFF * accepted)
        if ceiling is not None:
            capacity = max(1.0, min(capacity, ceiling))
        self._step = max(MIN_STEP, (accepted - capacity) / RECOVERY_WINDOWS)
        self._refused_at_capacity = float(accepted)
        self.learned.capacity = capacity

    def _ended(self, started: float) -> None:
        """Count a request down toward the correction of the latest decrease."""
        settling = self._settling
        if settling is None or started > settling.until:
            return
        settling.left -= 1
        if settling.left > 0:
            return
        self._settling = None
        accepted = self.learned.accepted_between(settling.since, settling.until)
        if accepted > self._refused_at_capacity:  # overtaken: it accepted more than it seemed
            grown = self.learned.capacity
            self._decrease(accepted, settling.ceiling)
            if grown is not None and self.learned.capacity is not None:
                self.learned.capacity = max(grown, self.learned.capacity)

    # -- reporting ------------------------------------------------------------------

    @property
    def requests_per_second(self) -> float | None:
        rates = []
        if self.learned.capacity is not None:
            rates.append(self.learned.capacity / self.learned.window)
        if self.published is not None and self.published.capacity is not None:
            rates.append(self.published.capacity / self.published.window)
        return min(rates) if rates else None

    # -- inside ----------------------------------------------------------------------

    def _may_start(self, now: float) -> bool:
        if self.published is not None and not self.published.allows(now):
            return False
        if self.tokens is not None and not self.tokens.allows(now):
            return False
        if self.learned.allows(now) and now >= self._next_paced:
            return True
        return self.in_flight == 0 and now >= self._hold_until  # the floor: one at a time

    @property
    def _next_paced(self) -> float:
        """Starts are spread evenly over the window once it is learned: a burst at the
        window's edge would meet the provider's own edge a few milliseconds early."""
        capacity = self.learned.capacity
        if capacity is None:
            return float("-inf")
        return self._last_start + self.learned.window / capacity

    def _start(self, now: float, tokens: float) -> float:
        self.in_flight += 1
        self._last_start = now
        self.learned.starts.append(now)
        if self.published is not None:
            self.published.starts.append(now)
        if self.tokens is not None:
            self.tokens.level -= tokens
        return now

    def _only_learned_binds(self, now: float) -> bool:
        if self.published is not None and not self.published.allows(now):
            return False
        return self.tokens is None or self.tokens.allows(now)

    def _grow(self, now: float) -> None:
        """Additive increase, per window in which requests waited for room: back to where
        it was refused in `RECOVERY_WINDOWS`, then slowly beyond (a probe)."""
        capacity = self.learned.capacity
        if capacity is None:
            return
        window = self.learned.window
        while self._grown_at + window <= now:
            self._grown_at += window
            if capacity < self._refused_at_capacity:
                capacity = min(self._refused_at_capacity, capacity + self._step)
            else:
                capacity += max(PROBE_STEP, PROBE_SHARE * capacity)
        self.learned.capacity = capacity

    def _dispatch(self) -> None:
        now = self._clock()
        if self._waiting and self._only_learned_binds(now):
            self._grow(now)
        else:  # time the allowance did not hold anything back earns no growth
            self._grown_at = max(self._grown_at, now - self.learned.window)
        while self._waiting:
            head = self._waiting[0]
            if head.future.done():  # cancelled while waiting
                heapq.heappop(self._waiting)
                continue
            if not self._may_start(now):
                break
            heapq.heappop(self._waiting)
            head.future.set_result(self._start(now, head.tokens))
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._waiting:
            self._timer = self._loop.call_later(self._next_chance(now) - now, self._dispatch)

    def _next_chance(self, now: float) -> float:
        """When waiting requests may start (if no request ends before)."""
        times = [self._hold_until]
        if not self.learned.allows(now):
            times.append(self.learned.room_at(now))
        if self.published is not None and not self.published.allows(now):
            times.append(self.published.room_at(now))
        if self.tokens is not None and not self.tokens.allows(now):
            times.append(self.tokens.room_at(now))
        if self.learned.capacity is not None:
            times.append(self._grown_at + self.learned.window)
            times.append(self._next_paced)
        later = [t for t in times if t > now]
        return min(later) if later else now + 0.001


class Limiter(Protocol):
    """What a model call needs of its endpoint's limiter (`council.models.retrying`): an
    `EndpointLimiter` here, or a stand-in for the run's, held elsewhere."""

    refused_count: int
    last_refused_at: float | None

    @property
    def requests_per_second(self) -> float | None: ...

    def configure(self, limits: ProviderLimits) -> None: ...

    async def acquire(self, priority: float, tokens: float = 0.0) -> float: ...

    def finished(
        self, started: float, tokens_used: float | None = None, estimate: float = 0.0
    ) -> None: ...

    def refused(self, started: float, wait: float | None) -> None: ...


class LimiterSource(Protocol):
    """Where a process's limiters come from when the run holds them elsewhere."""

    def limiter(self, endpoint: str) -> Limiter: ...


class EndpointLimiters:
    """The limiters of this process, by event loop and endpoint (see the module
    docstring); passed to models explicitly so tests can use their own."""

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Limiter]] = (
            weakref.WeakKeyDictionary()
        )
        self._source: LimiterSource | None = None
        self.process = f"{socket.gethostname()}:{os.getpid()}"

    def share(self, source: LimiterSource) -> None:
        """From now on this process's limiters are the run's, from `source`: what a run's
        worker process or Ray actor says first, before its runner makes a call."""
        self._source = source
        self._by_loop.clear()

    def get(self, endpoint: str, limits: ProviderLimits) -> Limiter:
        loop = asyncio.get_running_loop()
        limiters = self._by_loop.setdefault(loop, {})
        limiter = limiters.get(endpoint)
        if limiter is None:
            made = EndpointLimiter(loop) if self._source is None else self._source.limiter(endpoint)
            limiter = limiters[endpoint] = made
        limiter.configure(limits)
        return limiter

    def report(self) -> ThrottleReport | None:
        """None until something was refused (the common case costs nothing)."""
        limiters = [lim for group in self._by_loop.values() for lim in group.values()]
        refused = [lim for lim in limiters if lim.refused_count]
        if not refused:
            return None
        rates = [r for lim in refused if (r := lim.requests_per_second) is not None]
        return ThrottleReport(
            process=self.process,
            refused=sum(lim.refused_count for lim in refused),
            last_refused_at=max(lim.last_refused_at or 0.0 for lim in refused),
            requests_per_second=min(rates) if rates else None,
        )


ENDPOINT_LIMITERS = EndpointLimiters()
