"""Issue 24: what a server asks a client to wait, what a failure means, how the endpoint
limiter learns a provider's rate, and that throttling never fails a problem."""

from __future__ import annotations

import asyncio
import email.utils
from pathlib import Path

import pytest
from multidict import CIMultiDict

from benchmarks.limited_server import Counts, Limits, limited_server
from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.errors import (
    ContextLengthError,
    MissingCredentialsError,
    ModelError,
    ModelUnreachableError,
    UnknownModelError,
)
from council.messages import Message
from council.models.failures import http_verdict, malformed_verdict, network_verdict
from council.models.limiter import BACKOFF, PROBE_STEP, RECOVERY_WINDOWS, EndpointLimiter
from council.models.openai_http import OpenAICompatibleModel
from council.models.roles import RoleModels
from council.models.server_wait import parse_duration, server_wait
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, RunSpec

HELLO = [Message.user("hello")]


# -- Retry-After ----------------------------------------------------------------------


def headers(**values: str) -> CIMultiDict[str]:
    return CIMultiDict({name.replace("_", "-"): value for name, value in values.items()})


def test_retry_after_in_seconds_milliseconds_and_as_a_date() -> None:
    assert server_wait(headers(retry_after="2")) == 2.0
    assert server_wait(headers(retry_after="1.5")) == 1.5
    assert server_wait(headers(retry_after_ms="250", retry_after="9")) == 0.25  # ms first
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert server_wait(headers(retry_after=date), now=now) == pytest.approx(30, abs=1)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert server_wait(headers(retry_after=past), now=now) == 0.0
    assert server_wait(CIMultiDict({"Retry-After": "3"})) == 3.0  # any case


def test_retry_after_missing_or_unreadable_is_none() -> None:
    assert server_wait(None) is None
    assert server_wait(headers()) is None
    assert server_wait(headers(retry_after="soon")) is None
    assert server_wait(headers(retry_after="-5")) == 0.0
    assert server_wait(headers(retry_after="nan")) is None


def test_openai_reset_headers_the_exhausted_budget_first() -> None:
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration("120ms") == pytest.approx(0.12)
    assert parse_duration("soon") is None
    both = headers(x_ratelimit_reset_requests="1s", x_ratelimit_reset_tokens="6m0s")
    assert server_wait(both) == 1.0  # none says which ran out: the soonest
    tokens_out = headers(
        x_ratelimit_reset_requests="1s",
        x_ratelimit_reset_tokens="20s",
        x_ratelimit_remaining_tokens="0",
    )
    assert server_wait(tokens_out) == 20.0


# -- what a failure means --------------------------------------------------------------


def test_throttling_is_429_or_503_with_a_wait() -> None:
    refused = http_verdict(429, "slow down", headers(retry_after="1"))
    assert refused.kind == "throttled" and refused.wait == 1.0
    assert http_verdict(503, "busy", headers(retry_after="2")).kind == "throttled"
    assert http_verdict(503, "busy", headers()).kind == "transient"


@pytest.mark.parametrize("status", [408, 409, 425, 500, 502, 504])
def test_server_errors_are_transient(status: int) -> None:
    assert http_verdict(status, "oops", headers()).kind == "transient"


def test_network_failures_and_bodies_that_are_not_json_are_transient() -> None:
    reset = network_verdict(ConnectionResetError("reset by peer"))
    assert reset.kind == "transient" and reset.error is ModelUnreachableError
    timeout = network_verdict(TimeoutError())
    assert timeout.kind == "transient" and "--timeout" in timeout.fix
    assert malformed_verdict("<html>").kind == "transient"


def test_what_cannot_succeed_fails_at_once_saying_what_to_fix() -> None:
    key = http_verdict(401, "invalid api key", headers())
    assert key.kind == "fatal" and key.error is MissingCredentialsError and "API key" in key.fix
    model = http_verdict(404, "model 'x' does not exist", headers())
    assert model.kind == "fatal" and model.error is UnknownModelError and "--model" in model.fix
    long = http_verdict(400, "This model's maximum context length is 4096 tokens", headers())
    assert long.kind == "fatal" and long.error is ContextLengthError
    assert "--max-tokens" in long.fix
    assert http_verdict(400, "bad field", headers()).kind == "fatal"
    assert http_verdict(500, "x", headers(x_should_retry="false")).kind == "fatal"


# -- the endpoint limiter ---------------------------------------------------------------


class Clock:
    """A clock that moves a millisecond each time it is read, as requests sent one after
    another do, unless moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


async def test_nothing_is_held_back_until_the_provider_refuses() -> None:
    limiter = EndpointLimiter(asyncio.get_running_loop())
    starts = await asyncio.gather(*(limiter.acquire(0.0) for _ in range(50)))
    assert len(starts) == 50 and limiter.in_flight == 50
    assert limiter.learned.capacity is None


async def test_a_refusal_learns_what_the_window_accepted_and_decreases_once() -> None:
    clock = Clock()
    limiter = EndpointLimiter(asyncio.get_running_loop(), clock)
    starts = [await limiter.acquire(0.0) for _ in range(25)]  # 25 at once
    for start in starts[:20]:
        limiter.finished(start)
    limiter.refused(starts[20], wait=1.0)  # the 21st was refused: 20 were accepted
    assert limiter.learned.capacity == pytest.approx(BACKOFF * 20)
    assert limiter.learned.window == 1.0
    for start in starts[21:]:  # the same burst's refusals are the same signal
        limiter.refused(start, wait=1.0)
    assert limiter.learned.capacity == pytest.approx(BACKOFF * 20)
    assert limiter.refused_count == 5


async def test_held_requests_start_as_the_window_frees_then_the_allowance_climbs_back() -> None:
    clock = Clock()
    limiter = EndpointLimiter(asyncio.get_running_loop(), clock)
    starts = [await limiter.acquire(0.0) for _ in range(21)]
    for start in starts[:20]:
        limiter.finished(start)
    limiter.refused(starts[20], wait=1.0)
    learned = limiter.learned.capacity
    assert learned is not None
    waiting = asyncio.ensure_future(limiter.acquire(0.0))
    await asyncio.sleep(0)
    assert not waiting.done()  # the window is full of what the provider just took
    clock.now += 1.01
    limiter._dispatch()
    await asyncio.sleep(0)
    assert waiting.done()
    limiter.finished(waiting.result())
    blocked = [asyncio.ensure_future(limiter.acquire(0.0)) for _ in range(40)]
    await asyncio.sleep(0)
    # the window it waited through was the first step up; then one a window while waiting
    for _ in range(RECOVERY_WINDOWS - 1):
        clock.now += 1.0
        limiter._dispatch()
    assert limiter.learned.capacity == pytest.approx(20.0)
    clock.now += 1.0
    limiter._dispatch()
    assert limiter.learned.capacity == pytest.approx(20.0 + PROBE_STEP)
    for future in blocked:
        future.cancel()


async def test_random_refusals_slow_to_one_at_a_time_never_to_a_stop() -> None:
    clock = Clock()
    limiter = EndpointLimiter(asyncio.get_running_loop(), clock)
    start = await limiter.acquire(0.0)
    limiter.refused(start, wait=None)  # capacity 1 learned from nothing accepted
    for _ in range(5):  # nothing in flight and no wait asked: the next one may start
        start = await asyncio.wait_for(limiter.acquire(0.0), timeout=5)
        limiter.refused(start, wait=None)
    assert limiter.learned.capacity == 1.0


# -- retries end to end -------------------------------------------------------------------


async def test_every_transient_failure_is_retried_and_counted_the_same_way() -> None:
    limits = Limits(per_window=None, answer_seconds=0.0, fault_share=1.0, faults=("500",))
    async with limited_server(limits, Counts()) as base:
        settings = ModelSettings(max_retries=2, retry_backoff_seconds=0.01)
        model = OpenAICompatibleModel(ModelSpec(name="openai/x", api_base=base, settings=settings))
        with pytest.raises(ModelError, match=r"failed 3 tries in [\d.]+ s.*--max-retries 2"):
            await model.complete(HELLO)
    limits = Limits(per_window=None, answer_seconds=0.0, fault_share=1.0, faults=("not-json",))
    async with limited_server(limits, Counts()) as base:
        model = OpenAICompatibleModel(ModelSpec(name="openai/x", api_base=base, settings=settings))
        with pytest.raises(ModelError, match=r"3 tries.*not a completion"):
            await model.complete(HELLO)


async def test_sixty_percent_random_429s_fail_no_problem(tmp_path: Path) -> None:
    """Random refusals (no Retry-After) at 60%: every problem still ends graded."""
    limits = Limits(per_window=None, answer_seconds=0.0, fault_share=0.6, faults=("429",))
    counts = Counts()
    problems = [Problem(id=f"p{i}", question="What is 2 + 2?", gold="4") for i in range(60)]
    settings = ModelSettings(retry_backoff_seconds=0.01, max_tokens=16)
    async with limited_server(limits, counts) as base:
        model = OpenAICompatibleModel(ModelSpec(name="openai/x", api_base=base, settings=settings))
        options = ProtocolOptions(settings=settings)  # the protocol's settings are sent
        runner = RunSpec(graph="single", options=options).build(models=RoleModels(model))
        with Grader(workers=1) as grader:
            summary = await run_benchmark(runner, problems, tmp_path, grader=grader, concurrency=16)
    assert summary.errors == 0 and summary.graded == 60
    assert counts.faulted > 60  # the refusals really happened


def test_the_progress_line_says_when_the_run_is_being_throttled() -> None:
    import time

    from council.bench.session import Tally
    from council.models.limiter import ThrottleReport

    tally = Tally()
    assert "throttled" not in tally.describe()
    now = time.time()
    tally.throttled(ThrottleReport(process="a", refused=3, last_refused_at=now - 1))
    tally.throttled(
        ThrottleReport(process="b", refused=4, last_refused_at=now, requests_per_second=9.5)
    )
    tally.errors = 1  # something attempted, so the line has a tally
    assert tally.describe().endswith("· throttled: 7 refused, ≈9.5 req/s")
    long_ago = Tally()
    long_ago.errors = 1
    long_ago.throttled(ThrottleReport(process="a", refused=3, last_refused_at=now - 600))
    assert "throttled" not in long_ago.describe()
