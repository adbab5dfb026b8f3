"""Every example runs offline with the embedded model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.model]
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_propose_check_example() -> None:
    out = run("examples/propose_check.py", "What is 2 + 2?")
    assert "proposer (round 1)" in out and "checker (round 1)" in out
    assert "answer:" in out


def test_custom_tool_example() -> None:
    out = run("examples/custom_tool.py")
    assert "converter" in out and "answer:" in out


def test_debate_config_example() -> None:
    out = run(
        "-m",
        "council.main",
        "solve",
        "What is 6 * 7?",
        "--graph",
        "examples/debate.yaml",
        "--max-tokens",
        "60",
        "--json",
    )
    payload = json.loads(out)
    agents = {step.get("agent") for step in payload["steps"]}
    assert {"alice", "bob"} <= agents
    assert payload["rounds"] >= 1


def test_chat_session_example_resumes_its_thread(tmp_path: Path) -> None:
    first = run("examples/chat_session.py", "--dir", str(tmp_path))
    assert "thread example: 0 earlier turns" in first
    assert first.count("\nanswer:") == 2 and "planner:" in first
    assert "the thread now holds 2 turns" in first
    second = run("examples/chat_session.py", "--dir", str(tmp_path))
    assert "thread example: 2 earlier turns" in second
    assert "the thread now holds 4 turns" in second


def test_compare_protocols_example(tmp_path: Path) -> None:
    out = run("examples/compare_protocols.py", "--out", str(tmp_path))
    assert "single" in out and "self-consistency" in out
    assert "paired over 6 problems" in out and "McNemar p = " in out
    for protocol in ("single", "self-consistency"):
        summary = json.loads((tmp_path / protocol / "summary.json").read_text())
        assert summary["problems"] == 6
