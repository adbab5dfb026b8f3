"""The `process` sandbox: the same interpreter in a local subprocess with rlimits, a
network namespace with no interfaces up, and a process limit of its own (a pids cgroup, a
uid of its own when started as root, or a user namespace: see `process_limits`), so
sandboxes on one machine never count each other's processes.

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
import subprocess
import sys
import tempfile
from collections.abc import Callable

from council.errors import SandboxUnavailableError
from council.tools.sandbox.config import SandboxConfig
from council.tools.sandbox.interpreter import InterpreterSession, SupervisorOptions, python_command
from council.tools.sandbox.process_limits import (
    SandboxCgroup,
    UidLease,
    child_setup,
    plan_isolation,
)
from council.tools.sandbox.transport import Transport

PROCESS_WARNING = (
    "process sandbox: rlimits only, NOT a security boundary; use the docker sandbox for "
    "untrusted code"
)
KILL_GRACE_SECONDS = 3.0


def _bytes(size: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    size = size.strip().lower()
    return int(float(size[:-1]) * units[size[-1]]) if size[-1] in units else int(size)


def _rlimits(config: SandboxConfig) -> Callable[[], None]:
    """Memory, file size and core limits: per process, so nothing shared to starve."""
    memory = _bytes(config.memory)

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _interpreter(dropping_privileges: bool) -> str:
    """The host's own Python has sympy and numpy; when we drop to a uid of the sandbox's
    own it must be one that user may execute (a root-owned virtualenv or pyenv usually is
    not)."""
    if not dropping_privileges:
        return sys.executable
    system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    return system or sys.executable


class ProcessTransport(Transport):
    def __init__(
        self,
        process: asyncio.subprocess.Process,
        workdir: str,
        *,
        cgroup: SandboxCgroup | None = None,
        lease: UidLease | None = None,
    ) -> None:
        super().__init__()
        self.process = process
        self.workdir = workdir
        self.cgroup = cgroup
        self.lease = lease

    @classmethod
    async def start(cls, config: SandboxConfig) -> ProcessTransport:
        if config.allow_net:
            raise SandboxUnavailableError(
                "the process sandbox cannot enforce a network allow-list (--allow-net): "
                "use --sandbox docker, or drop --allow-net"
            )
        plan = await asyncio.to_thread(plan_isolation)
        lease = await asyncio.to_thread(UidLease.acquire) if plan.own_uid else None
        try:
            cgroup = SandboxCgroup(plan.cgroups, config.pids) if plan.cgroups else None
        except OSError:
            if lease is not None:
                lease.release()
            raise
        workdir = tempfile.mkdtemp(prefix="council-sandbox-")
        if lease is not None:
            os.chown(workdir, lease.uid, lease.uid)
        command = [
            _interpreter(lease is not None),
            *python_command(SupervisorOptions(preload=config.preload))[1:],
        ]
        setup = child_setup(
            plan,
            cgroup=cgroup,
            uid=lease.uid if lease else None,
            pids=config.pids,
            limits=_rlimits(config),
        )
        try:
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
                preexec_fn=setup,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            _release(workdir, cgroup, lease)
            raise SandboxUnavailableError(
                f"the process sandbox could not isolate its interpreter ({plan.describe()}): "
                f"{exc}. Run `council sandbox doctor`."
            ) from exc
        transport = cls(process, workdir, cgroup=cgroup, lease=lease)
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
        await asyncio.to_thread(_release, self.workdir, self.cgroup, self.lease)
        self.closed = True


def _release(workdir: str, cgroup: SandboxCgroup | None, lease: UidLease | None) -> None:
    """Kill whatever of the sandbox is still running (its cgroup, else its uid) and free
    its cgroup, uid and work dir, in that order: a uid is free again only once nothing
    runs as it."""
    if cgroup is not None:
        cgroup.remove()
    if lease is not None:
        lease.kill_all()
    shutil.rmtree(workdir, ignore_errors=True)
    if lease is not None:
        lease.release()


class ProcessSession(InterpreterSession):
    kind = "process"
    warning = PROCESS_WARNING

    def __init__(self, config: SandboxConfig) -> None:
        async def start_transport() -> Transport:
            logging.getLogger(__name__).warning(PROCESS_WARNING)
            return await ProcessTransport.start(config)

        super().__init__(start_transport, config)
