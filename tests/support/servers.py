"""Starting local servers for tests and benchmarks: a free loopback port, and waiting until
a server answers (or saying why it never will)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


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
def stub_process(delay: float = 0.0) -> Iterator[str]:
    """The loopback OpenAI-compatible stub in its own process, answering after `delay`
    seconds, as a real server would be; yields its /v1 base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.openai_stub", "--delay", str(delay)],
        cwd=Path(__file__).resolve().parents[2],
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
