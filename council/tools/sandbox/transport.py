"""A byte pipe to a sandboxed `python3`: the part that differs between Docker and a
plain process. Everything above it (framing, restarts, timeouts) is shared."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from typing import Any

from council.tools.sandbox.framing import FrameDecoder


class Transport(ABC):
    """Owns one running interpreter. Subclasses feed received stdout bytes to `_received`
    from a task that never stops reading until the stream ends."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._decoder = FrameDecoder()
        self._reader_task: asyncio.Task[None] | None = None
        self.closed = False

    def _received(self, data: bytes) -> None:
        for message in self._decoder.feed(data):
            self.frames.put_nowait(message)

    def _ended(self) -> None:
        self.closed = True
        self.frames.put_nowait(None)

    def start_reading(self) -> None:
        self._reader_task = asyncio.create_task(self._read_forever())

    async def _read_forever(self) -> None:
        try:
            while True:
                data = await self._read_chunk()
                if data is None:
                    break
                self._received(data)
        except (OSError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._ended()

    async def stop_reading(self) -> None:
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader_task

    @abstractmethod
    async def _read_chunk(self) -> bytes | None:
        """Next stdout bytes (maybe empty); None at the end of the stream."""

    @abstractmethod
    async def write(self, data: bytes) -> None: ...

    @abstractmethod
    async def kill(self) -> None:
        """Stop the interpreter for good and free what it holds."""

    def describe_failure(self) -> str:
        return ""
