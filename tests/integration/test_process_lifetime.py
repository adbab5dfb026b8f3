"""Nothing council starts outlives it: kill -9 a running `council bench` and every process
it started (model server, grader workers) ends, and a pipe reading its output sees EOF."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import cmdline, descendants, kill_all, wait_until_gone

pytestmark = [pytest.mark.integration, pytest.mark.model]


def test_sigkill_of_bench_leaves_no_process_and_closes_its_output(
    shared_datasets: Path, tmp_path: Path
) -> None:
    bench = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "council.main",
            "bench",
            "--dataset",
            str(shared_datasets / "gsm8k_train.jsonl"),
            "--limit",
            "20",
            "--protocol",
            "single",
            "--max-tokens",
            "256",
            "--out",
            str(tmp_path / "run"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and bench.poll() is None:
            started = descendants(bench.pid)
            model = [p for p in started if "council.models.llama_server" in cmdline(p)]
            if model and len(started) >= 2:  # the model server and at least a grader
                break
            time.sleep(0.2)
        assert bench.poll() is None, "bench ended before it could be killed"
        assert any("council.models.llama_server" in cmdline(p) for p in started), started
        time.sleep(2)  # mid-problem
        started |= descendants(bench.pid)

        os.kill(bench.pid, signal.SIGKILL)
        bench.wait(timeout=10)

        assert bench.stdout is not None
        eof_deadline = time.monotonic() + 10
        with selectors.DefaultSelector() as selector:
            selector.register(bench.stdout, selectors.EVENT_READ)
            while time.monotonic() < eof_deadline:
                if selector.select(timeout=0.5) and not os.read(bench.stdout.fileno(), 65536):
                    break
            else:
                pytest.fail("the output pipe stayed open: something council started holds it")
        survivors = wait_until_gone(started, seconds=10)
        assert not survivors, {pid: cmdline(pid) for pid in survivors}
    finally:
        if bench.poll() is None:
            bench.kill()
        kill_all(started)
