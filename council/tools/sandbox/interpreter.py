"""`SandboxSession`: a live interpreter that keeps state between calls and survives its
own crashes and timeouts by restarting (and saying so)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from types import TracebackType

from pydantic import BaseModel, ConfigDict, Field

from council.errors import SandboxUnavailableError
from council.tools.sandbox.config import SandboxConfig
from council.tools.sandbox.framing import BOOTSTRAP, encode, supervisor_source
from council.tools.sandbox.result import ExecutionResult
from council.tools.sandbox.run_options import INTERACTIVE, RunOptions
from council.tools.sandbox.transport import Transport

HOST_GRACE_SECONDS = 5.0
"""How long past the interpreter's own timeout the host waits before killing the sandbox."""


class SandboxSession(ABC):
    """What code tools use. One session per problem."""

    kind: str = "sandbox"

    @abstractmethod
    async def run(
        self, code: str, timeout: float | None = None, options: RunOptions = INTERACTIVE
    ) -> ExecutionResult: ...

    @abstractmethod
    async def reset(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> SandboxSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


TransportFactory = Callable[[], Awaitable[Transport]]


class InterpreterSession(SandboxSession):
    """Drives the supervisor script over a transport; the transport decides isolation."""

    warning: str | None = None

    def __init__(self, start_transport: TransportFactory, config: SandboxConfig) -> None:
        self._start_transport = start_transport
        self.config = config
        self._transport: Transport | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> InterpreterSession:
        transport = await self._start_transport()
        try:
            await transport.write(encode(supervisor_source()))
            ready = await asyncio.wait_for(
                transport.frames.get(), self.config.start_timeout_seconds
            )
        except (TimeoutError, OSError) as exc:
            await transport.kill()
            raise SandboxUnavailableError(
                f"the {self.kind} sandbox did not start: {exc or 'timed out'}. "
                "Run `council sandbox doctor`."
            ) from exc
        if not ready or not ready.get("ready"):
            detail = transport.describe_failure()
            await transport.kill()
            raise SandboxUnavailableError(
                f"the {self.kind} sandbox's interpreter exited at start{detail}. "
                "Run `council sandbox doctor`."
            )
        self._transport = transport
        return self

    async def _restart(self) -> None:
        if self._transport is not None:
            await self._transport.kill()
        self._transport = None
        await self.start()

    async def run(
        self, code: str, timeout: float | None = None, options: RunOptions = INTERACTIVE
    ) -> ExecutionResult:
        timeout = timeout or self.config.timeout_seconds
        async with self._lock:
            restarted = False
            if self._transport is None or self._transport.closed:
                await self._restart()
                restarted = True
            assert self._transport is not None
            request = {
                "code": code,
                "limit": self.config.output_limit,
                "timeout": timeout,
                **options.model_dump(),
            }
            try:
                await self._transport.write(encode(request))
                reply = await asyncio.wait_for(
                    self._transport.frames.get(), timeout + HOST_GRACE_SECONDS
                )
            except (TimeoutError, OSError):
                reply = None
            if reply is None:  # the whole sandbox died or hung: replace it
                await self._restart()
                return ExecutionResult(
                    error="the sandbox stopped answering and was restarted; state was lost",
                    timed_out=True,
                    restarted=True,
                    warning=self.warning,
                )
            result = ExecutionResult.model_validate(reply)
            if restarted:
                result = result.model_copy(update={"restarted": True})
            if self.warning:
                result = result.model_copy(update={"warning": self.warning})
            return result

    async def reset(self) -> None:
        async with self._lock:
            if self._transport is None or self._transport.closed:
                await self._restart()
                return
            await self._transport.write(encode({"op": "reset"}))
            reply = await asyncio.wait_for(self._transport.frames.get(), HOST_GRACE_SECONDS * 2)
            if reply is None:
                await self._restart()

    async def close(self) -> None:
        if self._transport is not None:
            await self._transport.kill()
            self._transport = None


# The bootstrap program is passed on the command line; its input is the supervisor frame.
PYTHON_COMMAND: list[str] = ["python3", "-u", "-I", "-c", BOOTSTRAP]


class SupervisorOptions(BaseModel):
    """What the supervisor is told on its command line (one JSON argument)."""

    model_config = ConfigDict(frozen=True)

    preload: tuple[str, ...] = ()
    idle_timeout: float | None = Field(
        default=None, description="end after this many seconds without a call; None: never"
    )
    activity_file: str | None = Field(
        default=None, description="where the supervisor writes the time of the last call"
    )


def python_command(options: SupervisorOptions) -> list[str]:
    return [*PYTHON_COMMAND, options.model_dump_json()]
