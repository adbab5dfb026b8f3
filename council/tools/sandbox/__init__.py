"""Sandboxes for model-written code: Docker (the default and the only security boundary)
or an explicitly requested, clearly labelled local process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Literal

from council.tools.sandbox.config import SandboxConfig
from council.tools.sandbox.interpreter import SandboxSession
from council.tools.sandbox.result import ExecutionResult

SandboxKind = Literal["docker", "process"]


@contextlib.asynccontextmanager
async def open_sandbox(
    kind: SandboxKind = "docker", config: SandboxConfig | None = None
) -> AsyncIterator[SandboxSession]:
    """A started session, closed (container removed) on exit."""
    config = config or SandboxConfig()
    session: SandboxSession
    if kind == "docker":
        # start-up: `council --help` imports this package (through `council.config`);
        # each kind's module is imported only when that kind is opened (docker: 0.3 s)
        from council.tools.sandbox.docker_sandbox import DockerSession

        session = await DockerSession(config).start()
    elif kind == "process":
        from council.tools.sandbox.process_sandbox import ProcessSession  # start-up: as above

        session = await ProcessSession(config).start()
    else:  # pragma: no cover - guarded by the type
        raise ValueError(f"unknown sandbox kind {kind!r}")
    try:
        yield session
    finally:
        await session.close()


__all__ = ["ExecutionResult", "SandboxConfig", "SandboxKind", "SandboxSession", "open_sandbox"]
