"""The run's limiters (`council.models.shared_limiter`) over a pipe: the driver holds the
host, each worker process has a pipe of its own to it, beside the pipe its problems come
through (so a permit never waits behind a batch of outcomes).

Both ends read on their event loop (`add_reader`: no thread, no hop between threads) and
write what one turn of the loop produced as one message. Messages are small and each side
reads as soon as it can, so a write never waits long for room.
"""

from __future__ import annotations

import asyncio
import contextlib
from multiprocessing.connection import Connection

from council.models.shared_limiter import (
    Acquire,
    Cancel,
    Grant,
    LimiterClient,
    LimiterHost,
    Limits,
    ToHost,
)


class LimiterGoneError(ConnectionError):
    """The driver's end of the limiter pipe closed: the run is ending."""


class PipeLimiterClient(LimiterClient):
    """A worker process's end; made on its event loop."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self._conn = conn
        self._loop = asyncio.get_running_loop()
        self._waiting: dict[int, asyncio.Future[Grant]] = {}
        self._loop.add_reader(conn.fileno(), self._readable)

    async def acquire(self, endpoint: str, limits: Limits, priority: float, tokens: float) -> Grant:
        if self._conn.closed:
            raise LimiterGoneError("the run's rate limiter (in the driver) is gone")
        ticket = next(self._tickets)
        future: asyncio.Future[Grant] = self._loop.create_future()
        self._waiting[ticket] = future
        self.tell(Acquire(ticket, endpoint, limits, priority, tokens))
        try:
            return await future
        except asyncio.CancelledError:
            if self._waiting.pop(ticket, None) is not None:
                self.tell(Cancel(ticket))
            elif future.done() and not future.cancelled():
                self.give_back(future.result())  # granted, then cancelled
            raise

    def send(self, batch: list[ToHost]) -> None:
        with contextlib.suppress(OSError, ValueError):  # the driver is gone: the reader says so
            self._conn.send(batch)

    def _readable(self) -> None:
        try:
            while self._conn.poll():
                grants: list[Grant] = self._conn.recv()
                for grant in grants:
                    future = self._waiting.pop(grant.ticket, None)
                    if future is None or future.done():
                        self.give_back(grant)  # cancelled while the grant was on its way
                    else:
                        future.set_result(grant)
        except (EOFError, OSError):
            self.close()

    def close(self) -> None:
        if self._conn.closed:
            return
        self._loop.remove_reader(self._conn.fileno())
        self._conn.close()
        error = LimiterGoneError("the run's rate limiter (in the driver) is gone")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)
        self._waiting.clear()


class PipeLimiterServer:
    """The driver's end of one worker's pipe, answering from the run's `host`."""

    def __init__(self, host: LimiterHost, conn: Connection, owner: str) -> None:
        self._host = host
        self._conn = conn
        self._owner = owner
        self._loop = asyncio.get_running_loop()
        self._replies: list[Grant] = []
        self._loop.add_reader(conn.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            while self._conn.poll():
                messages: list[ToHost] = self._conn.recv()
                for message in messages:
                    if isinstance(message, Acquire):
                        self._host.acquire(self._owner, message, self._reply)
                    else:
                        self._host.tell(self._owner, message)
        except (EOFError, OSError):  # the worker ended; the executor notices on its own
            self.close()

    def _reply(self, grant: Grant | None) -> None:
        if grant is None or self._conn.closed:
            return
        if not self._replies:
            self._loop.call_soon(self._flush)
        self._replies.append(grant)

    def _flush(self) -> None:
        batch, self._replies = self._replies, []
        if batch and not self._conn.closed:
            try:
                self._conn.send(batch)
            except (OSError, ValueError):
                self.close()

    def close(self) -> None:
        if self._conn.closed:
            return
        self._loop.remove_reader(self._conn.fileno())
        self._conn.close()
