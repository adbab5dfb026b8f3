"""One limiter per endpoint per run, whichever process of the run makes the call.

A run's problems may be solved in several worker processes (`--workers N`) or Ray actors.
If each learned the provider's rate alone, then at the start and after every refusal each
would send into a window the others had already filled, and N learners would probe upward
N times as fast as one: measured against a 20-a-second limiter, two workers sent 1.12
requests per answer where one process sent 1.05. So a run's limiters live in one place,
the *host* (`LimiterHost`: in the driver for worker processes, in a Ray actor for Ray),
which runs `council.models.limiter`'s algorithm unchanged on its own clock; a worker's
models get stand-ins (`SharedLimiter`) that ask the host before each request and tell it
how each ended.

Why a host and not shared memory with a lock: the algorithm keeps a log of starts, waiting
calls in priority order and a timer; held in one place it is the same code as in one
process, waiting calls keep their order across workers, and the same few messages travel
over a pipe (`council.bench.executors.limiter_pipe`) or as Ray actor calls
(`council.bench.executors.ray_limiter`), so local workers and Ray share one design. The
price is a message each way per request (batched per turn of each event loop); a run in
one process sends none.

Messages are small named tuples (cheap to pickle). Start times are the host's clock, opaque
to workers; priorities travel as wall-clock times (Ray's nodes share no monotonic clock).
"""

from __future__ import annotations

import asyncio
import collections
import functools
import itertools
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import NamedTuple

from council.models.limiter import EndpointLimiter, ProviderLimits

Limits = tuple[float | None, float | None]
"""(requests per minute, tokens per minute) as `ProviderLimits` gives them."""


class Acquire(NamedTuple):
    """May a request to `endpoint` start? Answered by one `Grant` with the same ticket
    (none if the worker cancels first)."""

    ticket: int
    endpoint: str
    limits: Limits
    priority: float
    tokens: float


class Grant(NamedTuple):
    ticket: int
    endpoint: str
    started: float
    requests_per_second: float | None
    """The host's learned allowance, for this process's throttle report."""


class Finished(NamedTuple):
    endpoint: str
    started: float
    tokens_used: float | None
    estimate: float


class Refused(NamedTuple):
    endpoint: str
    started: float
    wait: float | None


class Cancel(NamedTuple):
    """The call no longer waits: give its place up (a grant already sent is given back)."""

    ticket: int


ToHost = Acquire | Finished | Refused | Cancel
Reply = Callable[[Grant | None], None]
"""Told the grant, or None when the request was cancelled before it was granted."""


class LimiterHost:
    """The run's limiters, one per endpoint, on the event loop that calls this; `owner`
    names the worker that asks (a ticket is unique per owner). `clock`: the limiters'
    (default: the event loop's)."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock
        self._limiters: dict[str, EndpointLimiter] = {}
        self._limits: dict[str, Limits] = {}
        self._waiting: dict[tuple[str, int], asyncio.Future[float]] = {}
        self.granted: collections.Counter[str] = collections.Counter()
        """Requests allowed to start, per owner: which workers this host served."""

    def limiter(self, endpoint: str) -> EndpointLimiter | None:
        return self._limiters.get(endpoint)

    def acquire(self, owner: str, request: Acquire, reply: Reply) -> None:
        """Reply at once if the request may start now, else once it may."""
        limiter = self._limiter(request)
        started = limiter.request(request.priority, request.tokens)
        if not isinstance(started, asyncio.Future):
            self._grant(owner, request, limiter, reply, started)
            return
        key = (owner, request.ticket)
        self._waiting[key] = started
        started.add_done_callback(functools.partial(self._granted, key, request, limiter, reply))

    def tell(self, owner: str, message: Finished | Refused | Cancel) -> None:
        if isinstance(message, Cancel):
            waiting = self._waiting.pop((owner, message.ticket), None)
            if waiting is not None:
                waiting.cancel()
            return
        limiter = self._limiters.get(message.endpoint)
        if limiter is None:  # a Ray host restarted since the grant: it starts afresh
            return
        if isinstance(message, Finished):
            limiter.finished(message.started, message.tokens_used, message.estimate)
        else:
            limiter.refused(message.started, message.wait)

    def _limiter(self, request: Acquire) -> EndpointLimiter:
        limiter = self._limiters.get(request.endpoint)
        if limiter is None:
            limiter = EndpointLimiter(asyncio.get_running_loop(), self._clock)
            self._limiters[request.endpoint] = limiter
        if self._limits.get(request.endpoint) != request.limits:
            self._limits[request.endpoint] = request.limits
            rpm, tpm = request.limits
            limiter.configure(ProviderLimits(requests_per_minute=rpm, tokens_per_minute=tpm))
        return limiter

    def _granted(
        self,
        key: tuple[str, int],
        request: Acquire,
        limiter: EndpointLimiter,
        reply: Reply,
        future: asyncio.Future[float],
    ) -> None:
        self._waiting.pop(key, None)
        if future.cancelled():
            reply(None)
        else:
            self._grant(key[0], request, limiter, reply, future.result())

    def _grant(
        self,
        owner: str,
        request: Acquire,
        limiter: EndpointLimiter,
        reply: Reply,
        started: float,
    ) -> None:
        self.granted[owner] += 1
        reply(Grant(request.ticket, request.endpoint, started, limiter.requests_per_second))


class LimiterGoneError(ConnectionError):
    """The host can no longer be reached: the run is ending."""


class LimiterClient(ABC):
    """A worker's side of the run's limiters (a `LimiterSource`): hands out stand-ins,
    sends the host what they ask and tell, batched per turn of the event loop, and hands
    each grant the host sends back (`deliver`) to the call waiting for it. A transport
    says how batches go (`send`) and calls `deliver` with what comes back."""

    def __init__(self) -> None:
        self._tickets = itertools.count()
        self._outbox: list[ToHost] = []
        self._waiting: dict[int, asyncio.Future[Grant]] = {}
        self._gone: LimiterGoneError | None = None

    def limiter(self, endpoint: str) -> SharedLimiter:
        return SharedLimiter(endpoint, self)

    async def acquire(self, endpoint: str, limits: Limits, priority: float, tokens: float) -> Grant:
        """Wait for the host's grant. If cancelled, the place is given up, or the grant,
        should it come anyway, given back."""
        if self._gone is not None:
            raise self._gone
        ticket = next(self._tickets)
        future: asyncio.Future[Grant] = asyncio.get_running_loop().create_future()
        self._waiting[ticket] = future
        self.tell(Acquire(ticket, endpoint, limits, priority, tokens))
        try:
            return await future
        except asyncio.CancelledError:
            if self._waiting.pop(ticket, None) is not None:
                self.tell(Cancel(ticket))
            elif future.done() and not future.cancelled():
                self._give_back(future.result())  # granted, then cancelled
            raise

    def tell(self, message: ToHost) -> None:
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(message)

    def deliver(self, grants: list[Grant]) -> None:
        for grant in grants:
            future = self._waiting.pop(grant.ticket, None)
            if future is None or future.done():
                self._give_back(grant)  # cancelled while the grant was on its way
            else:
                future.set_result(grant)

    def fail(self, error: LimiterGoneError) -> None:
        """The host is gone: every waiting call, and every later one, fails with `error`."""
        self._gone = error
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)
        self._waiting.clear()

    def _give_back(self, grant: Grant) -> None:
        """A grant for a call that no longer wants it: nothing was sent."""
        self.tell(Finished(grant.endpoint, grant.started, None, 0.0))

    def _flush(self) -> None:
        batch, self._outbox = self._outbox, []
        if batch:
            self.send(batch)

    @abstractmethod
    def send(self, batch: list[ToHost]) -> None:
        """Deliver messages to the host, in order."""


class SharedLimiter:
    """A `Limiter` whose state is the host's: what a worker's model calls use. It counts
    the refusals its own process saw, for that process's throttle report."""

    def __init__(self, endpoint: str, client: LimiterClient) -> None:
        self.endpoint = endpoint
        self._client = client
        self._limits: Limits = (None, None)
        self._requests_per_second: float | None = None
        self.refused_count = 0
        self.last_refused_at: float | None = None

    @property
    def requests_per_second(self) -> float | None:
        return self._requests_per_second

    def configure(self, limits: ProviderLimits) -> None:
        self._limits = (limits.requests_per_minute, limits.tokens_per_minute)

    async def acquire(self, priority: float, tokens: float = 0.0) -> float:
        wall_priority = priority + (time.time() - time.monotonic())
        grant = await self._client.acquire(self.endpoint, self._limits, wall_priority, tokens)
        self._requests_per_second = grant.requests_per_second
        return grant.started

    def finished(
        self, started: float, tokens_used: float | None = None, estimate: float = 0.0
    ) -> None:
        self._client.tell(Finished(self.endpoint, started, tokens_used, estimate))

    def refused(self, started: float, wait: float | None) -> None:
        self.refused_count += 1
        self.last_refused_at = time.time()
        self._client.tell(Refused(self.endpoint, started, wait))
