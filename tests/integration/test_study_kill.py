"""kill -9 a running `council study run`, run the same command again: every run of the
study (arms, repeats, the pool and its pilot) ends with each problem recorded once, and the
report is written. A loopback server answers slowly, so the kill lands mid-study."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from council.run_log.results import ResultsFile

pytestmark = pytest.mark.integration
ROWS = 6


def count_lines(path: Path) -> int:
    return len(ResultsFile(path).heads()) if path.exists() else 0


def test_study_killed_with_sigkill_resumes_losing_and_duplicating_nothing(tmp_path: Path) -> None:
    stub = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.openai_stub",
            "--delay",
            "0.05",
            "--reply",
            "2 + 2 = 4. The answer is \\boxed{4}.",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert stub.stdout is not None
        base = stub.stdout.readline().strip()
        (tmp_path / "data.jsonl").write_text(
            "".join(
                json.dumps(
                    {"question": f"Question {n}: what is 2 + 2?", "answer": str(4 if n % 2 else 5)}
                )
                + "\n"
                for n in range(ROWS)
            )
        )
        study = tmp_path / "study.yaml"
        study.write_text(
            f"""
name: killed
data: {{source: data.jsonl}}
model: {{name: openai/stub, api_base: "{base}"}}
settings: {{seed: 0}}
reference: single
concurrency: 2
out: out
arms:
  - {{name: single, protocol: single}}
  - {{name: sc-3, protocol: self-consistency, options: {{samples: 3}}}}
  - {{name: debate, protocol: debate, options: {{agents: 3, rounds: 2}}}}
"""
        )
        command = [sys.executable, "-m", "council.main", "study", "run", str(study)]
        debate = tmp_path / "out" / "arms" / "debate" / "results.jsonl"
        first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while count_lines(debate) < 2 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the study ended before it could be killed"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert 2 <= count_lines(debate) < ROWS

        second = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr[-2000:]
        runs = [
            "arms/single",
            "arms/debate",
            "pools/self-consistency",
            "pools/self-consistency-pilot",
        ]
        for run in runs:
            lines = ResultsFile(tmp_path / "out" / run / "results.jsonl").heads()
            done = [line.problem_id for line in lines if line.done]
            assert len(done) == len(set(done)), run  # nothing twice
        for run in runs[:3]:
            lines = ResultsFile(tmp_path / "out" / run / "results.jsonl").heads()
            assert len({line.problem_id for line in lines if line.done}) == ROWS, (
                run
            )  # nothing lost
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        assert report["status"] == "done" and report["problems"] == ROWS
        single = next(arm for arm in report["arms"] if arm["name"] == "single")
        assert single["figures"]["correct"] == ROWS // 2  # gold 4 on odd rows
    finally:
        stub.kill()
        stub.wait(timeout=10)
