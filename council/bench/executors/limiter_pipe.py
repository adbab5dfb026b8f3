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
    Grant,
    LimiterClient,
    LimiterGoneError,
    LimiterHost,
    ToHost,
)


class PipeLimiterClient(LimiterClient):
    """A worker process's end; made on its event loop."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self._conn = conn
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(conn.fileno(), self._readable)

    def send(self, batch: list[ToHost]) -> None:
        with contextlib.suppress(OSError, ValueError):  # the driver is gone: the reader says so
            self._conn.send(batch)

    def _readable(self) -> None:
        try:
            while self._conn.poll():
                self.deliver(self._conn.recv())
        except (EOFError, OSError):
            self.close()

    def close(self) -> None:
        if self._conn.closed:
            return
        self._loop.remove_reader(self._conn.fileno())
        self._conn.close()
        self.fail(LimiterGoneError("the run's rate limiter (in the driver) is gone"))


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
