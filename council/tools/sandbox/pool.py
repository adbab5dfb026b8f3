"""A warm pool of Docker sandboxes, so concurrent problems don't wait for container start.

Containers carry the owner's pid in a label; a pool removes its own at exit and, when it
starts, any left by a process that no longer exists (a killed run).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

from council.tools.sandbox.config import OWNER_LABEL, SANDBOX_LABEL, SandboxConfig
from council.tools.sandbox.docker_sandbox import DockerSession, docker_client


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(client: Any) -> int:
    """Remove sandbox containers whose owning process is gone. Returns how many."""
    removed = 0
    for container in client.containers.list(all=True, filters={"label": SANDBOX_LABEL}):
        owner = container.labels.get(OWNER_LABEL)
        if owner is None or (owner.isdigit() and _alive(int(owner))):
            continue  # named sessions have no owner; live owners keep theirs
        with contextlib.suppress(Exception):
            container.remove(force=True)
            removed += 1
    return removed


def remove_own(client: Any) -> None:
    filters = {"label": [SANDBOX_LABEL, f"{OWNER_LABEL}={os.getpid()}"]}
    for container in client.containers.list(all=True, filters=filters):
        with contextlib.suppress(Exception):
            container.remove(force=True)


class SandboxPool:
    """`async with pool.session() as s:` hands out a warm, freshly reset session."""

    def __init__(self, config: SandboxConfig | None = None, *, size: int = 2) -> None:
        self.config = config or SandboxConfig()
        self.size = size
        self.client = docker_client(self.config)
        self._idle: list[DockerSession] = []
        self._all: list[DockerSession] = []
        remove_leftovers(self.client)
        atexit.register(remove_own, self.client)

    async def _new(self) -> DockerSession:
        session = DockerSession(self.config, client=self.client)
        await session.start()
        self._all.append(session)
        return session

    async def warm(self, count: int | None = None) -> None:
        """Start containers ahead of demand (in parallel)."""
        missing = (count if count is not None else self.size) - len(self._idle)
        if missing > 0:
            self._idle.extend(await asyncio.gather(*(self._new() for _ in range(missing))))

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[DockerSession]:
        session = self._idle.pop() if self._idle else await self._new()
        healthy = True
        try:
            yield session
        except BaseException:
            healthy = False
            raise
        finally:
            if healthy and len(self._idle) < self.size:
                try:
                    await session.reset()  # the next problem starts with empty globals
                    self._idle.append(session)
                except Exception:
                    await self._discard(session)
            else:
                await self._discard(session)

    async def _discard(self, session: DockerSession) -> None:
        await session.close()
        if session in self._all:
            self._all.remove(session)

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self._all), return_exceptions=True)
        self._all.clear()
        self._idle.clear()

    async def __aenter__(self) -> SandboxPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
