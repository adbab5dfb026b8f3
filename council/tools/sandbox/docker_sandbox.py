"""The Docker sandbox: one container per session, no network (or only what an explicit
allow-list names, see `network`), hard limits, read-only root, a non-root user, a small
tmpfs work dir, nothing from the host.

Containers belong to dockerd, not to us, so their lifetime is tied to ours through the
attach socket: an owned container keeps stdin open only while its first attach lasts
(Docker's StdinOnce), so when this process ends, however it ends, the kernel closes the
socket, the supervisor reads end of input and exits, tini exits with it, and Docker
removes the container (auto_remove). A named session is re-attached by later commands,
so its stdin stays open; it ends after `session_idle_timeout_seconds` without a call.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from typing import Any

import docker

from council.errors import SandboxUnavailableError
from council.tools.sandbox.config import (
    IDLE_TIMEOUT_LABEL,
    OWNER_LABEL,
    SANDBOX_LABEL,
    SESSION_LABEL,
    SandboxConfig,
)
from council.tools.sandbox.framing import DockerStreamDemux
from council.tools.sandbox.image import INIT
from council.tools.sandbox.interpreter import InterpreterSession, SupervisorOptions, python_command
from council.tools.sandbox.network import (
    AllowedDestination,
    apply_in_namespace,
    enforcement_problem,
    host_entries,
    resolve,
)
from council.tools.sandbox.transport import Transport

READY_HINT = (
    "run `council sandbox doctor` to see what is missing, `council sandbox build` for the image"
)


def connect(config: SandboxConfig) -> Any:
    """A Docker client for the configured engine, pinged; raises the SDK's errors."""
    client = (
        docker.DockerClient(base_url=config.docker_host)
        if config.docker_host
        else docker.from_env()
    )
    client.ping()
    return client


def docker_client(config: SandboxConfig) -> Any:
    """A connected Docker client, or a clear refusal. Never a fallback to the host."""
    try:
        return connect(config)
    except Exception as exc:
        raise SandboxUnavailableError(
            f"no Docker engine is reachable ({type(exc).__name__}), so code will not run: "
            f"code tools never fall back to the host. Start Docker, or {READY_HINT}"
        ) from exc


ACTIVITY_FILE = "/tmp/.council-last-call"
"""Inside the container: the supervisor writes the time of the last call here for `ps`."""


def container_options(
    config: SandboxConfig,
    labels: dict[str, str],
    *,
    owned: bool = True,
    allowed: list[AllowedDestination] | None = None,
) -> dict[str, Any]:
    """`owned`: the container ends with this process (stdin closes when the attach socket
    does); otherwise it is a named session that ends after its idle timeout. `allowed`:
    the resolved allow-list; with one, the container is on Docker's default bridge (its
    rules are set in its own namespace after it starts), else it has no network at all."""
    uid, _, gid = config.user.partition(":")
    gid = gid or uid
    options = SupervisorOptions(
        preload=config.preload,
        idle_timeout=None if owned else config.session_idle_timeout_seconds,
        activity_file=ACTIVITY_FILE,
    )
    return {
        "image": config.image,
        "entrypoint": list(INIT),
        "command": python_command(options),
        "stdin_open": True,
        "tty": False,
        # docker-py sets StdinOnce exactly when `detach` is false (as `docker run -i`)
        "detach": not owned,
        "auto_remove": True,
        "network_mode": "bridge" if config.allow_net else "none",
        "extra_hosts": host_entries(allowed or []) or None,
        "read_only": True,
        # owned by the sandbox user; `mode=` is reset when /work is also the working dir
        "tmpfs": {
            "/work": f"size={config.workdir_size},uid={uid},gid={gid},mode=0700",
            "/tmp": f"size=16m,uid={uid},gid={gid},mode=0700",
        },
        "working_dir": "/work",
        "user": config.user,
        "environment": {
            "HOME": "/work",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
        },
        "mem_limit": config.memory,
        "memswap_limit": config.memory,
        "nano_cpus": int(config.cpus * 1e9),
        "pids_limit": config.pids,
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "ulimits": [],
        "labels": labels,
    }


class DockerTransport(Transport):
    """stdin/stdout of a container through the Docker attach API."""

    def __init__(self, container: Any, raw_socket: socket.socket) -> None:
        super().__init__()
        self.container = container
        self._socket = raw_socket
        self._demux = DockerStreamDemux()
        self._loop = asyncio.get_running_loop()
        self.keepalive: Any = None

    @classmethod
    async def start(
        cls,
        client: Any,
        config: SandboxConfig,
        *,
        labels: dict[str, str],
        name: str | None,
        owned: bool = True,
    ) -> DockerTransport:
        allowed = await asyncio.to_thread(resolve, config.allow_net) if config.allow_net else []
        if config.allow_net:
            problem = enforcement_problem(config.docker_host)
            if problem:
                raise SandboxUnavailableError(problem)
        options = container_options(config, labels, owned=owned, allowed=allowed)
        try:
            container = await asyncio.to_thread(client.containers.create, name=name, **options)
        except docker.errors.ImageNotFound as exc:
            raise SandboxUnavailableError(
                f"the sandbox image {config.image!r} is missing: run `council sandbox build`"
            ) from exc
        except docker.errors.APIError as exc:
            raise SandboxUnavailableError(f"cannot create the sandbox container: {exc}") from exc
        transport = await cls.attach(container)
        if config.allow_net:
            try:  # before the supervisor is even sent: no code runs without the rules
                await asyncio.to_thread(container.reload)
                await asyncio.to_thread(
                    apply_in_namespace, container.attrs["State"]["Pid"], allowed
                )
            except BaseException:
                await transport.kill()
                raise
        return transport

    @classmethod
    async def attach(cls, container: Any) -> DockerTransport:
        params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        wrapped = await asyncio.to_thread(container.attach_socket, params=params)
        raw: socket.socket = getattr(wrapped, "_sock", wrapped)
        raw.setblocking(False)
        transport = cls(container, raw)
        transport.keepalive = wrapped  # the wrapper owns the HTTP response; keep it open
        if container.status != "running":
            try:
                await asyncio.to_thread(container.start)
            except docker.errors.APIError as exc:
                transport.keepalive.close()
                hint = (
                    "the sandbox image has no init (tini): rebuild it with "
                    "`council sandbox build --force`"
                    if "tini" in str(exc)
                    else "run `council sandbox doctor`"
                )
                raise SandboxUnavailableError(
                    f"cannot start the sandbox container ({exc.explanation or exc}); {hint}"
                ) from exc
        transport.start_reading()
        return transport

    async def _read_chunk(self) -> bytes | None:
        data = await self._loop.sock_recv(self._socket, 1 << 16)
        return self._demux.feed(data) if data else None

    async def write(self, data: bytes) -> None:
        await self._loop.sock_sendall(self._socket, data)

    async def kill(self) -> None:
        # Keep draining while the container dies, then stop reading.
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.container.remove, force=True)
        await self.stop_reading()
        with contextlib.suppress(OSError):
            self._socket.close()
        self.closed = True

    async def detach(self) -> None:
        """Leave the container running (named sessions outlive the command)."""
        await self.stop_reading()
        with contextlib.suppress(OSError):
            self._socket.close()
        self.closed = True

    def describe_failure(self) -> str:
        tail = self._demux.stderr_tail.decode(errors="replace").strip()
        return f": {tail[-500:]}" if tail else ""


class DockerSession(InterpreterSession):
    kind = "docker"

    def __init__(
        self,
        config: SandboxConfig,
        *,
        client: Any | None = None,
        name: str | None = None,
        persistent: bool = False,
    ) -> None:
        self.client = client or docker_client(config)
        labels = {SANDBOX_LABEL: "1"}
        owned = not (persistent and name)
        if owned:
            labels[OWNER_LABEL] = str(os.getpid())
        else:
            labels[SESSION_LABEL] = name or ""
            labels[IDLE_TIMEOUT_LABEL] = f"{config.session_idle_timeout_seconds:g}"

        async def start_transport() -> Transport:
            return await DockerTransport.start(
                self.client, config, labels=labels, name=name, owned=owned
            )

        super().__init__(start_transport, config)


SESSION_PREFIX = "council-session-"


class NamedDockerSession(DockerSession):
    """A session that outlives the process: `council sandbox run --session NAME`.

    The container is found by name and attached to; it ends by `stop`, or by itself
    after `session_idle_timeout_seconds` without a call (set when it is created)."""

    def __init__(self, name: str, config: SandboxConfig, *, client: Any | None = None) -> None:
        self.session_name = name
        super().__init__(config, client=client, name=SESSION_PREFIX + name, persistent=True)

    async def start(self) -> NamedDockerSession:
        try:
            container = await asyncio.to_thread(
                self.client.containers.get, SESSION_PREFIX + self.session_name
            )
        except docker.errors.NotFound:
            await super().start()
            return self
        if container.status != "running":
            await self._remove_old(container)
            await super().start()
            return self
        self._transport = await DockerTransport.attach(container)
        return self

    async def _restart(self) -> None:
        # It may have ended by its idle timeout as we attached: its name frees up only
        # once Docker has removed it.
        if isinstance(self._transport, DockerTransport):
            await self._remove_old(self._transport.container)
        await super()._restart()

    async def _remove_old(self, container: Any) -> None:
        """Remove a stopped session's container (auto_remove may be at it already) and
        wait until the name is free, at most 10 s."""
        with contextlib.suppress(docker.errors.APIError):
            await asyncio.to_thread(container.remove, force=True)
        for _ in range(100):
            try:
                await asyncio.to_thread(container.reload)
            except docker.errors.NotFound:
                return
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        if isinstance(self._transport, DockerTransport):
            await self._transport.detach()
        self._transport = None

    async def stop(self) -> None:
        await super().close()


async def stop_named_session(name: str, config: SandboxConfig) -> bool:
    client = docker_client(config)
    try:
        container = client.containers.get(SESSION_PREFIX + name)
    except docker.errors.NotFound:
        return False
    await asyncio.to_thread(container.remove, force=True)
    return True
