"""Hostile code in a real sandbox: each attempt is contained, and the session keeps
serving afterwards. Docker tests need the engine and image that `make test` sets up."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import AsyncIterator

import pytest

from council.errors import SandboxUnavailableError
from council.tools.sandbox import SandboxConfig, SandboxSession, open_sandbox

CONFIG = SandboxConfig(timeout_seconds=3, memory="256m", output_limit=10_000)


def docker_ready() -> bool:
    try:
        import docker

        client = docker.from_env()
        client.ping()
        client.images.get(CONFIG.image)
    except Exception:
        return False
    return True


KINDS = [
    pytest.param(
        "docker",
        marks=[
            pytest.mark.docker,
            pytest.mark.skipif(
                not docker_ready() and not os.environ.get("CI"),
                reason="no Docker engine/image here (make test sets them up; CI must have them)",
            ),
        ],
    ),
    "process",
]


@pytest.fixture(params=KINDS)
async def session(request: pytest.FixtureRequest) -> AsyncIterator[SandboxSession]:
    async with open_sandbox(request.param, CONFIG) as opened:
        yield opened


async def still_serves(session: SandboxSession) -> None:
    result = await session.run("print(6 * 7)")
    assert result.stdout == "42\n", result


async def test_state_persists_and_reset_clears(session: SandboxSession) -> None:
    await session.run("def f(n):\n    return n * 2\nvalue = 21")
    assert (await session.run("f(value)")).value == "42"
    await session.reset()
    result = await session.run("value")
    assert result.error and "NameError" in result.error


async def test_stdout_stderr_value_and_traceback(session: SandboxSession) -> None:
    result = await session.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\n1/0")
    assert result.stdout == "out\n" and result.stderr == "err\n"
    assert result.error and "ZeroDivisionError" in result.error and "<sandbox>" in result.error


async def test_network_is_unreachable(session: SandboxSession) -> None:
    with socket.socket() as listener:  # a host service the sandbox must not reach
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)"
        result = await session.run(code)
    assert result.error and ("refused" in result.error or "unreachable" in result.error)
    await still_serves(session)


async def test_cannot_write_outside_the_work_dir(session: SandboxSession) -> None:
    result = await session.run("open('/etc/council-test', 'w').write('x')")
    assert result.error and ("Read-only" in result.error or "Permission" in result.error)
    assert (await session.run("open('note.txt', 'w').write('ok')")).value == "2"
    await still_serves(session)


async def test_host_files_and_environment_are_not_visible(
    session: SandboxSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNCIL_TEST_SECRET", "hunter2")
    with tempfile.NamedTemporaryFile("w", suffix=".secret", delete=False) as handle:
        handle.write("top secret")
    os.chmod(handle.name, 0o600)
    try:
        result = await session.run(
            f"import os\nprint(os.environ.get('COUNCIL_TEST_SECRET'))\nopen({handle.name!r}).read()"
        )
    finally:
        os.unlink(handle.name)
    assert result.stdout == "None\n"
    assert result.error and ("No such file" in result.error or "Permission" in result.error)


async def test_fork_bomb_is_contained(session: SandboxSession) -> None:
    result = await session.run("import os\nwhile True:\n    os.fork()", timeout=3)
    assert result.error
    await still_serves(session)


async def test_memory_bomb_is_contained(session: SandboxSession) -> None:
    result = await session.run("x = bytearray(2 * 1024**3)\nlen(x)")
    assert result.error and ("MemoryError" in result.error or "signal 9" in result.error)
    await still_serves(session)


async def test_infinite_loop_times_out_and_restarts(session: SandboxSession) -> None:
    await session.run("kept = 1")
    result = await session.run("while True:\n    pass", timeout=1)
    assert result.timed_out and result.restarted
    await still_serves(session)
    assert "NameError" in ((await session.run("kept")).error or "")  # state lost, and said so


async def test_100_mb_of_output_is_truncated(session: SandboxSession) -> None:
    code = "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)"
    result = await session.run(code, timeout=30)
    assert result.truncated
    assert len(result.stdout) < 20_000 and "output truncated" in result.stdout
    code = "import os\nfor _ in range(100):\n    os.write(1, b'y' * 1_000_000)"
    await session.run(code, timeout=30)  # raw fd writes never reach the protocol stream
    await still_serves(session)


async def test_killing_the_interpreter_restarts_it(session: SandboxSession) -> None:
    result = await session.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert result.restarted and result.error and "signal 9" in result.error
    await still_serves(session)


async def test_process_sandbox_says_it_is_not_a_boundary() -> None:
    async with open_sandbox("process", CONFIG) as opened:
        result = await opened.run("1 + 1")
    assert result.value == "2"
    assert result.warning and "NOT a security boundary" in result.warning


async def test_no_engine_fails_closed_with_instructions() -> None:
    config = SandboxConfig(docker_host="unix:///nonexistent/docker.sock")
    with pytest.raises(SandboxUnavailableError, match="never fall back to the host") as caught:
        async with open_sandbox("docker", config):
            pass
    assert "council sandbox doctor" in str(caught.value)


async def test_python_tool_without_a_session_refuses() -> None:
    from council.tools.base import ToolContext
    from council.tools.python_tool import python_tool

    with pytest.raises(SandboxUnavailableError, match="needs a sandbox session"):
        await python_tool.run({"code": "print(1)"}, ToolContext())
