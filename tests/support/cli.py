"""Running the `council` command in the test's own process (the `cli` fixture in
tests/conftest.py): what a command did, and a backoff that does not wait."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class CliRun:
    """What one `council ...` command did, run in this process."""

    returncode: int
    stdout: str
    stderr: str


class NoBackoff:
    """Stands in for `asyncio` inside `council.models.retrying`: its backoff sleep yields
    to the loop once instead of waiting (retries still happen, as many as configured)."""

    @staticmethod
    async def sleep(_seconds: float) -> None:
        await asyncio.sleep(0)

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)  # everything but the sleep is asyncio's own
