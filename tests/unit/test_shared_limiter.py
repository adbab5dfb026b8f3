"""Issue 24: a run's workers share one limiter per endpoint. What one worker's refusal
teaches the run's host holds every worker back, and the stand-ins a worker's models use
reach the host over the pipe a worker process has (both ends here, in one process)."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from typing import Any

import pytest

from council.bench.executors.limiter_pipe import PipeLimiterClient, PipeLimiterServer
from council.models.limiter import BACKOFF, EndpointLimiter, EndpointLimiters, ProviderLimits
from council.models.shared_limiter import (
    Acquire,
    Cancel,
    Finished,
    Grant,
    LimiterHost,
    Refused,
    SharedLimiter,
)

ENDPOINT = "openai/x at http://provider.test/v1"


class Clock:
    """Moves a millisecond each time it is read, as requests sent one after another do."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


class Replies:
    def __init__(self) -> None:
        self.got: list[Grant | None] = []

    def __call__(self, grant: Grant | None) -> None:
        self.got.append(grant)


def ask(
    host: LimiterHost, owner: str, ticket: int, replies: Replies, endpoint: str = ENDPOINT
) -> None:
    request = Acquire(ticket, endpoint, (None, None), priority=float(ticket), tokens=0.0)
    host.acquire(owner, request, replies)


def started(grant: Grant | None) -> float:
    assert grant is not None
    return grant.started


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for messages in flight between the ends to arrive (bounded, not timed)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never: {what}")


def hosted(host: LimiterHost, endpoint: str = ENDPOINT) -> EndpointLimiter:
    limiter = host.limiter(endpoint)
    assert limiter is not None
    return limiter


def still_waiting(limiter: EndpointLimiter) -> int:
    return sum(1 for waiter in limiter._waiting if not waiter.future.done())


async def test_a_refusal_one_worker_saw_holds_back_every_worker() -> None:
    host = LimiterHost(Clock())
    first, second = Replies(), Replies()
    for ticket in range(10):
        ask(host, "first", ticket, first)
        ask(host, "second", ticket, second)
    ask(host, "first", 10, first)
    assert len(first.got) == 11 and len(second.got) == 10  # nothing held back yet
    host.tell("first", Refused(ENDPOINT, started(first.got[-1]), wait=1.0))  # the 21st
    limiter = hosted(host)
    # what the provider accepted in its window is both workers' 20, not the first's 10
    assert limiter.learned.capacity == pytest.approx(BACKOFF * 20)
    assert limiter.in_flight == 20
    ask(host, "second", 10, second)  # the second worker never saw a refusal, yet it waits
    assert len(second.got) == 10
    assert host.granted == {"first": 11, "second": 10}
    host.tell("second", Cancel(10))  # its call gave up: the place is given up
    await asyncio.sleep(0)
    assert second.got[-1] is None and still_waiting(limiter) == 0
    for grant in [*first.got[:10], *second.got[:10]]:
        host.tell("first", Finished(ENDPOINT, started(grant), None, 0.0))
    assert limiter.in_flight == 0


async def test_a_refusal_overtaken_by_another_workers_requests_is_corrected() -> None:
    """Requests started together may reach the provider in any order: here the second
    worker's 16, granted after the first worker's, arrived first. The first refusal seems
    to say the provider took 4; once the burst has ended, what it took is known: 20."""
    host = LimiterHost(Clock())
    early, late = Replies(), Replies()
    for ticket in range(16):
        ask(host, "early", ticket, early)
    for ticket in range(16):
        ask(host, "late", ticket, late)
    accepted, refused = [*early.got[:4], *late.got], early.got[4:]
    host.tell("early", Refused(ENDPOINT, started(refused[0]), wait=1.0))
    limiter = hosted(host)
    assert limiter.learned.capacity == pytest.approx(BACKOFF * 4)  # all it knew then
    for grant in refused[1:]:
        host.tell("early", Refused(ENDPOINT, started(grant), wait=1.0))
    for grant in accepted[:-1]:
        host.tell("late", Finished(ENDPOINT, started(grant), None, 0.0))
    assert limiter.learned.capacity == pytest.approx(BACKOFF * 4)  # one still out
    host.tell("late", Finished(ENDPOINT, started(accepted[-1]), None, 0.0))
    assert limiter.learned.capacity == pytest.approx(BACKOFF * 20)


async def test_worker_processes_stand_ins_reach_the_one_host_over_their_pipes() -> None:
    host = LimiterHost()
    pipes = [multiprocessing.Pipe() for _ in range(2)]
    servers = [PipeLimiterServer(host, ours, f"worker-{i}") for i, (ours, _) in enumerate(pipes)]
    clients = [PipeLimiterClient(theirs) for _, theirs in pipes]
    workers = [EndpointLimiters() for _ in clients]
    try:
        for registry, client in zip(workers, clients, strict=True):
            registry.share(client)
        one, other = (registry.get(ENDPOINT, ProviderLimits()) for registry in workers)
        assert isinstance(one, SharedLimiter) and isinstance(other, SharedLimiter)
        ones = [await one.acquire(time.monotonic()) for _ in range(3)]
        others = [await other.acquire(time.monotonic()) for _ in range(2)]
        assert host.granted == {"worker-0": 3, "worker-1": 2}
        limiter = hosted(host)
        assert limiter.in_flight == 5  # one limiter counts both workers' requests

        other.refused(others[0], wait=None)
        other.finished(others[1])
        for start in ones:
            one.finished(start)
        await until(lambda: limiter.in_flight == 0, "every request ended at the host")
        assert limiter.refused_count == 1 and limiter.learned.capacity is not None
        assert workers[0].report() is None  # each process reports the refusals it saw
        report = workers[1].report()
        assert report is not None and report.refused == 1

        # a published limit of one request a second: the second request waits at the host
        slow = workers[0].get("slow", ProviderLimits(requests_per_minute=60))
        first = await slow.acquire(time.monotonic())
        second = asyncio.ensure_future(slow.acquire(time.monotonic()))
        slow_limiter = hosted(host, "slow")
        await until(lambda: still_waiting(slow_limiter) == 1, "the second request waits")
        second.cancel()  # its call gave up: the host lets its place go
        await until(lambda: still_waiting(slow_limiter) == 0, "the cancelled request left")
        slow.finished(first)
        await until(lambda: slow_limiter.in_flight == 0, "the first request ended")

        # a grant that reaches a worker whose call gave up is given back
        replies = Replies()
        ask(host, "worker-0", 10_000, replies, endpoint="stray")
        assert hosted(host, "stray").in_flight == 1
        driver_end: Any = pipes[0][0]
        driver_end.send(replies.got)  # as if cancelled while the grant was on its way
        await until(lambda: hosted(host, "stray").in_flight == 0, "the grant was given back")
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.close()
