"""A scripted sandbox session for unit tests: it runs nothing, it answers each program
from a function, and records what it was asked to run."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from council.tools.sandbox.result import ExecutionResult
from council.tools.sandbox.run_options import INTERACTIVE, RunOptions


class ScriptedSandbox:
    kind = "scripted"

    def __init__(self, respond: Callable[[str], ExecutionResult]) -> None:
        self.respond = respond
        self.programs: list[str] = []
        self.options: list[RunOptions] = []
        self.timeouts: list[float | None] = []

    async def run(
        self, code: str, timeout: float | None = None, options: RunOptions = INTERACTIVE
    ) -> ExecutionResult:
        self.programs.append(code)
        self.options.append(options)
        self.timeouts.append(timeout)
        return self.respond(code)

    async def reset(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def factory(self) -> Callable[[], contextlib.AbstractAsyncContextManager[ScriptedSandbox]]:
        @contextlib.asynccontextmanager
        async def open_session() -> AsyncIterator[ScriptedSandbox]:
            yield self

        return open_session
