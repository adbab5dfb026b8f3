"""Starting local servers for benchmarks and tests: a free loopback port, waiting until a
server answers (or saying why it never will), and the OpenAI-compatible stub
(`benchmarks/openai_stub.py`) in its own process or in a thread of this one."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchmarks.openai_stub import StubBehaviour, openai_stub

STUB_SCRIPT = Path(__file__).resolve().with_name("openai_stub.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    """Until `url` answers 2xx; a server still loading (e.g. llama-server's 503) is waited for."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


@contextlib.contextmanager
def stub_process(delay: float = 0.0, *options: str) -> Iterator[str]:
    """The loopback OpenAI-compatible stub in its own process, answering after `delay`
    seconds, as a real server would be; yields its /v1 base URL. `options`: more of the
    stub's flags (`--port`, `--reply`, `--fail-first`, `--fail-status`)."""
    process = subprocess.Popen(
        [sys.executable, str(STUB_SCRIPT), "--delay", str(delay), *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()  # printed once it is listening
        if not base:
            raise RuntimeError("the stub server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def stub_thread(behaviour: StubBehaviour, port: int = 0) -> Iterator[str]:
    """The stub served by an event loop in a thread of this process (for code under test
    that runs its own `asyncio.run`, as the CLI does); yields its /v1 base URL."""
    loop = asyncio.new_event_loop()
    ready: list[str] = []
    started = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        async with openai_stub(behaviour, port=port) as base:
            ready.append(base)
            started.set()
            await stop.wait()

    def run() -> None:
        try:
            loop.run_until_complete(serve())
        finally:
            started.set()  # a failure to bind is not a hang
            loop.close()

    thread = threading.Thread(target=run, name="openai-stub", daemon=True)
    thread.start()
    started.wait(30)
    if not ready:
        thread.join(5)
        raise RuntimeError(f"the stub server did not start on port {port}")
    try:
        yield ready[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
