"""The run's limiters (`council.models.shared_limiter`) on a Ray cluster: the host is one
async actor (`LimiterActor`, no CPU of its own), its handle given to every `SolverActor`,
which asks it before each request (an actor call answered with the grant) and tells it how
each ended (fire-and-forget calls, one per turn of the actor's event loop). Like the
solvers, it is owned by the driver: it ends with the run, or with the driver.

Imported only where Ray is installed.
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

from council.models.shared_limiter import (
    Acquire,
    Cancel,
    Finished,
    Grant,
    LimiterClient,
    LimiterHost,
    Limits,
    Refused,
    ToHost,
)


class LimiterActor:
    """The host of a run on Ray."""

    def __init__(self) -> None:
        self.host = LimiterHost()

    async def acquire(self, owner: str, request: Acquire) -> Grant | None:
        """The grant once the request may start; None if its worker cancelled it."""
        answer: asyncio.Future[Grant | None] = asyncio.get_running_loop().create_future()

        def reply(grant: Grant | None) -> None:
            if not answer.done():
                answer.set_result(grant)

        self.host.acquire(owner, request, reply)
        return await answer

    async def tell(self, owner: str, messages: list[Finished | Refused | Cancel]) -> None:
        for message in messages:
            self.host.tell(owner, message)

    async def granted(self) -> dict[str, int]:
        """Requests allowed to start, per worker process (`host:pid`)."""
        return dict(self.host.granted)


class RayLimiterClient(LimiterClient):
    """A `SolverActor`'s end. Made in the actor's constructor, which runs outside its
    event loop: nothing here touches a loop until a call is made."""

    def __init__(self, actor: Any) -> None:
        super().__init__()
        self._actor = actor
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._giving_back: set[asyncio.Task[None]] = set()

    async def acquire(self, endpoint: str, limits: Limits, priority: float, tokens: float) -> Grant:
        ticket = next(self._tickets)
        request = Acquire(ticket, endpoint, limits, priority, tokens)
        ref = self._actor.acquire.remote(self._owner, request)
        try:
            grant: Grant | None = await ref
        except asyncio.CancelledError:
            self.tell(Cancel(ticket))
            task = asyncio.ensure_future(self._give_back_if_granted(ref))
            self._giving_back.add(task)
            task.add_done_callback(self._giving_back.discard)
            raise
        assert grant is not None, "granted None to a request that was not cancelled"
        return grant

    async def _give_back_if_granted(self, ref: Any) -> None:
        try:
            grant: Grant | None = await ref
        except Exception:  # the host is gone or the request was cancelled there: nothing to give
            return
        if grant is not None:
            self.give_back(grant)

    def send(self, batch: list[ToHost]) -> None:
        self._actor.tell.remote(self._owner, batch)
