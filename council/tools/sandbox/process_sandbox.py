"""The `process` sandbox: the same interpreter in a local subprocess with rlimits, no
network namespace where `unshare` allows, and an unprivileged user when started as root.

It is NOT a security boundary (same kernel, same filesystem view), and says so on every
call. It exists for machines without Docker, and only when asked for explicitly.

The interpreter ends with this process however it ends: its supervisor exits, killing
everything below it, at the end of its stdin pipe or when its parent pid changes (it
polls; the pipe alone is not enough when a forked child of the host holds its write end).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import resource
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable

from council.tools.sandbox.config import SandboxConfig
from council.tools.sandbox.session import InterpreterSession, SupervisorOptions, python_command
from council.tools.sandbox.transport import Transport

PROCESS_WARNING = (
    "process sandbox: rlimits only, NOT a security boundary; use the docker sandbox for "
    "untrusted code"
)
NOBODY = 65534
KILL_GRACE_SECONDS = 3.0


def _bytes(size: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    size = size.strip().lower()
    return int(float(size[:-1]) * units[size[-1]]) if size[-1] in units else int(size)


CLONE_NEWNET = 0x40000000


def _unshare_network() -> None:
    """A fresh network namespace with no interfaces up (root only; best effort)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.unshare(CLONE_NEWNET)


def _limits(config: SandboxConfig, drop_to_nobody: bool) -> Callable[[], None]:
    memory = _bytes(config.memory)

    def apply() -> None:
        os.setsid()
        if drop_to_nobody:
            _unshare_network()
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (config.pids, config.pids))
        if drop_to_nobody:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

    return apply


def _interpreter(dropping_privileges: bool) -> str:
    """The host's own Python has sympy and numpy; when we drop to `nobody` it must be one
    that user may execute (a root-owned virtualenv or pyenv usually is not)."""
    if not dropping_privileges:
        return sys.executable
    system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    return system or sys.executable


class ProcessTransport(Transport):
    def __init__(self, process: asyncio.subprocess.Process, workdir: str) -> None:
        super().__init__()
        self.process = process
        self.workdir = workdir

    @classmethod
    async def start(cls, config: SandboxConfig) -> ProcessTransport:
        is_root = os.geteuid() == 0
        workdir = tempfile.mkdtemp(prefix="council-sandbox-")
        if is_root:
            os.chown(workdir, NOBODY, NOBODY)
        command = [
            _interpreter(is_root),
            *python_command(SupervisorOptions(preload=config.preload))[1:],
        ]
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=workdir,
            env={
                "HOME": workdir,
                "PATH": "/usr/bin:/bin",
                "PYTHONDONTWRITEBYTECODE": "1",
                "OPENBLAS_NUM_THREADS": "1",
            },
            preexec_fn=_limits(config, drop_to_nobody=is_root),
        )
        transport = cls(process, workdir)
        transport.start_reading()
        return transport

    async def _read_chunk(self) -> bytes | None:
        assert self.process.stdout is not None
        data = await self.process.stdout.read(1 << 16)
        return data or None

    async def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        await self.process.stdin.drain()

    async def kill(self) -> None:
        if self.process.returncode is None:
            # SIGTERM first: the supervisor then kills what the code left behind, which
            # may have left its process group; SIGKILL if it does not end in time.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), KILL_GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()
        await self.stop_reading()
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.closed = True


class ProcessSession(InterpreterSession):
    kind = "process"
    warning = PROCESS_WARNING

    def __init__(self, config: SandboxConfig) -> None:
        async def start_transport() -> Transport:
            logging.getLogger(__name__).warning(PROCESS_WARNING)
            return await ProcessTransport.start(config)

        super().__init__(start_transport, config)
