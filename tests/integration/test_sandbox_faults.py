"""Faults leave nothing behind: work the code leaves running is stopped (and the result
says so), idle named sessions end, and a sandbox ends with the council process that owns
it, even one killed with SIGKILL. Real sandboxes, as in test_sandbox.py."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from council.tools.sandbox import SandboxConfig, SandboxSession, open_sandbox
from council.tools.sandbox.config import OWNER_LABEL
from tests.integration.test_sandbox import CONFIG, KINDS, docker_ready

REPO_ROOT = Path(__file__).resolve().parents[2]

requires_docker = pytest.mark.skipif(
    not docker_ready() and not os.environ.get("CI"),
    reason="no Docker engine/image here (make test sets them up; CI must have them)",
)
needs_docker = [pytest.mark.docker, requires_docker]


@pytest.fixture(params=KINDS)
async def session(request: pytest.FixtureRequest) -> AsyncIterator[SandboxSession]:
    async with open_sandbox(request.param, CONFIG) as opened:
        yield opened


@pytest.fixture
async def docker_session() -> AsyncIterator[SandboxSession]:
    async with open_sandbox("docker", CONFIG) as opened:
        yield opened


def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


RUNNING = """
def running(pid):
    try:
        with open(f'/proc/{pid}/stat') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] not in 'ZX'
    except OSError:
        return False
"""


def running_here(pid: int) -> bool:
    """RUNNING's check on the host, for process-sandbox pids."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in "ZX"


SPIN_THREADS = """
import os, threading
def spin():
    while True:
        pass
for _ in range(4):  # more would not fit the process sandbox's 256 MB address space
    threading.Thread(target=spin, daemon=True).start()
print('started')
os.getpid()
"""


async def test_leftover_threads_are_stopped_and_the_result_says_so(
    session: SandboxSession,
) -> None:
    await session.run("kept = 1")
    result = await session.run(SPIN_THREADS)
    assert result.stdout == "started\n" and result.error is None  # the call's own output
    assert result.restarted and result.note and "4 threads" in result.note, result
    assert "globals" in result.note and "[note:" in result.to_text()
    assert "NameError" in ((await session.run("kept")).error or "")  # lost, as it says
    check = await session.run(RUNNING + f"running({result.value})")
    assert check.value == "False"  # the interpreter that ran the threads is gone


CPU_SECONDS = """
import time
def usage():
    try:
        with open('/sys/fs/cgroup/cpu.stat') as handle:  # cgroup v2
            for line in handle:
                if line.startswith('usage_usec'):
                    return int(line.split()[1]) / 1e6
    except FileNotFoundError:
        with open('/sys/fs/cgroup/cpuacct/cpuacct.usage') as handle:  # cgroup v1
            return int(handle.read()) / 1e9
before = usage()
time.sleep(2)
usage() - before
"""


@pytest.mark.docker
@requires_docker
async def test_spinning_leftovers_leave_the_container_idle(
    docker_session: SandboxSession,
) -> None:
    await docker_session.run(SPIN_THREADS)
    used = await docker_session.run(CPU_SECONDS, timeout=10)
    # 4 spinning threads take all of the 1-CPU limit (1-2 s of the 2 s); idle is ~0
    assert used.value is not None and float(used.value) < 0.5, used


LEAVE_PROCESSES = """
import os, subprocess, sys, time
spinner = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
if os.fork() == 0:  # a daemon: double fork and a new session, out of the process group
    os.setsid()
    if os.fork() == 0:
        with open('daemon.pid', 'w') as handle:
            handle.write(str(os.getpid()))
        time.sleep(1000)
    os._exit(0)
while not (os.path.exists('daemon.pid') and open('daemon.pid').read()):
    time.sleep(0.01)
[spinner.pid, int(open('daemon.pid').read())]
"""


async def test_leftover_processes_are_stopped(session: SandboxSession) -> None:
    result = await session.run(LEAVE_PROCESSES)
    assert result.error is None, result
    assert result.restarted and result.note and "2 processes" in result.note, result
    check = await session.run(RUNNING + f"[running(pid) for pid in {result.value}]")
    assert check.value == "[False, False]"


@pytest.mark.docker
@requires_docker
async def test_the_init_comes_from_the_image_not_the_host(
    docker_session: SandboxSession,
) -> None:
    result = await docker_session.run(
        "mounts = open('/proc/self/mountinfo').read()\n"
        "print('docker-init' in mounts)\n"
        "open('/proc/1/cmdline').read().split(chr(0))[0]"
    )
    assert result.stdout == "False\n", result
    assert result.value == "'/usr/bin/tini'"


@pytest.mark.docker
@requires_docker
async def test_an_idle_named_session_ends_by_itself() -> None:
    import docker

    from council.tools.sandbox.docker_sandbox import (
        SESSION_PREFIX,
        NamedDockerSession,
        stop_named_session,
    )

    name = f"idle-{uuid.uuid4().hex[:8]}"
    config = SandboxConfig(timeout_seconds=3, memory="256m", session_idle_timeout_seconds=2)
    client = docker.from_env()
    try:
        named = await NamedDockerSession(name, config).start()
        assert (await named.run("1 + 1")).value == "2"
        await named.close()  # detached: it outlives this command...
        assert client.containers.get(SESSION_PREFIX + name).status == "running"

        def gone() -> bool:
            try:
                client.containers.get(SESSION_PREFIX + name)
            except docker.errors.NotFound:
                return True
            return False

        assert await asyncio.to_thread(eventually, gone, 15.0)  # ...but not for ever
    finally:
        await stop_named_session(name, config)


def council_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "council.main", "sandbox", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
    )


@pytest.mark.docker
@requires_docker
def test_ps_lists_a_running_session() -> None:
    import docker

    from council.tools.sandbox.docker_sandbox import SESSION_PREFIX

    name = f"ps-{uuid.uuid4().hex[:8]}"
    try:
        ran = council_cli("run", "--session", name, "--idle-timeout", "90", stdin="x = 1\n")
        assert ran.returncode == 0, ran.stderr
        container = docker.from_env().containers.get(SESSION_PREFIX + name)
        listed = council_cli("ps")
        assert listed.returncode == 0, listed.stderr
        rows = [line for line in listed.stdout.splitlines() if line.startswith(name + " ")]
        assert len(rows) == 1, listed.stdout
        assert container.short_id in rows[0] and "ends after 90 s idle" in rows[0]
    finally:
        council_cli("stop", name)


OWNER_SCRIPT = """
import asyncio, sys
from council.tools.sandbox import SandboxConfig, open_sandbox

async def main() -> None:
    async with open_sandbox(sys.argv[1], SandboxConfig(start_timeout_seconds=120)) as session:
        pids = await session.run("import os\\n[os.getppid(), os.getpid()]")
        print(pids.value, flush=True)
        await session.run("while True:\\n    pass", timeout=3600)  # busy when killed

asyncio.run(main())
"""


@pytest.mark.parametrize(
    "kind", [pytest.param("docker", marks=needs_docker), pytest.param("process")]
)
def test_the_sandbox_ends_when_its_owner_is_killed(kind: str, tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(OWNER_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    owner = subprocess.Popen(
        [sys.executable, str(script), kind], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert owner.stdout is not None
        line = owner.stdout.readline()  # the sandbox is up and about to spin
        assert line.startswith("["), f"the owner did not start a sandbox: {line!r}"
        time.sleep(0.5)
        if kind == "docker":
            import docker

            client = docker.from_env()
            filters = {"label": f"{OWNER_LABEL}={owner.pid}"}

            def alive() -> bool:
                # sparse: no inspect per container, which races its removal
                return bool(client.containers.list(all=True, filters=filters, sparse=True))

        else:
            supervisor, worker = (int(pid) for pid in line.strip("[]\n").split(","))

            def alive() -> bool:
                return running_here(supervisor) or running_here(worker)

        assert alive()
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
        assert eventually(lambda: not alive(), 10.0), f"the {kind} sandbox outlived its owner"
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
