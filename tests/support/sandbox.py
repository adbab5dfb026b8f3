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


def no_code_runs() -> ScriptedSandbox:
    """A sandbox for graphs that have a code tool but must not run code in this test:
    opening a session costs nothing (no container), and any program it is given fails
    the test."""

    def refuse(code: str) -> ExecutionResult:
        raise AssertionError(f"no program should run here, got: {code!r}")

    return ScriptedSandbox(refuse)
