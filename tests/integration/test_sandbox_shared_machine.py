"""Process sandboxes on a shared machine: each has a process limit of its own, so neither
other users' processes (100 of `nobody`, Docker sandboxes' processes) nor a fork bomb in
another sandbox stop it from starting or forking."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.tools.sandbox import SandboxConfig, open_sandbox
from tests.integration.test_sandbox import docker_ready

CONFIG = SandboxConfig(timeout_seconds=60, memory="256m", preload=())
NOBODY = 65534
FORK_TEN = """
import os
children = []
for _ in range(10):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
len(children)
"""


def bomb(ready: Path, release: Path) -> str:
    """Fork (children sleep) until the kernel refuses, say so in `ready`, hold every
    process until `release` exists, then report how many there were."""
    return f"""
import os, time
held = 0
try:
    while True:
        if os.fork() == 0:
            while not os.path.exists({str(release)!r}):
                time.sleep(0.05)
            os._exit(0)
        held += 1
except OSError as exc:
    refused = exc.errno
open({str(ready)!r}, "w").write(str(held))
while not os.path.exists({str(release)!r}):
    time.sleep(0.05)
print(held, refused)
"""


async def wait_for_file(path: Path) -> None:
    while not path.exists():
        await asyncio.sleep(0.05)


@pytest.fixture
def nobody_processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """100 sleeping processes of `nobody` (more than a sandbox's limit of 64)."""
    if os.geteuid() != 0:
        pytest.skip("starting processes as nobody needs root")
    sleepers = [
        subprocess.Popen(["sleep", "300"], user=NOBODY, group=NOBODY, extra_groups=[])
        for _ in range(100)
    ]
    try:
        yield sleepers
    finally:
        for sleeper in sleepers:
            sleeper.kill()
            sleeper.wait()


async def test_the_process_sandbox_works_beside_100_nobody_processes(
    nobody_processes: list[subprocess.Popen[bytes]],
) -> None:
    assert len(nobody_processes) > CONFIG.pids
    async with open_sandbox("process", CONFIG) as session:
        result = await session.run(FORK_TEN)
    assert result.value == "10", result


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory every sandbox user may write (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="council-test-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_a_fork_bomb_in_one_sandbox_does_not_stop_another_from_forking(
    shared_dir: Path,
) -> None:
    ready, release = shared_dir / "ready", shared_dir / "release"
    async with open_sandbox("process", CONFIG) as bombed, open_sandbox("process", CONFIG) as other:
        bombing = asyncio.create_task(bombed.run(bomb(ready, release)))
        waiting = asyncio.create_task(wait_for_file(ready))
        await asyncio.wait([bombing, waiting], return_when=asyncio.FIRST_COMPLETED)
        assert not bombing.done(), bombing.result()  # the bomb is holding its processes
        held = int(ready.read_text())
        forked = await other.run(FORK_TEN)
        release.touch()
        bombed_result = await bombing
    assert forked.value == "10", forked
    assert 0 < held < CONFIG.pids  # the bomb hit its own limit, not the machine's
    assert bombed_result.stdout.split()[1] == "11", bombed_result  # EAGAIN


def processes_of(uid: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count


DOCKER_BOMB = """
import os, time
try:
    while True:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
except OSError:
    pass
time.sleep(30)
"""


@pytest.mark.docker
@pytest.mark.skipif(not docker_ready(), reason="no Docker engine/image here")
async def test_the_process_sandbox_starts_while_a_docker_sandbox_is_full() -> None:
    """A Docker sandbox's processes run as uid 65534 on the host too; one holding its
    whole process limit must not stop a process sandbox from starting and forking."""
    docker_config = SandboxConfig(timeout_seconds=60, preload=())
    async with open_sandbox("docker", docker_config) as container:
        bombing = asyncio.create_task(container.run(DOCKER_BOMB))
        while processes_of(NOBODY) < docker_config.pids - 4:
            await asyncio.sleep(0.05)
        async with open_sandbox("process", CONFIG) as session:
            forked = await session.run(FORK_TEN)
        bombing.cancel()
    assert forked.value == "10", forked
