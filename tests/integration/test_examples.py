"""Every example runs offline with the embedded model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
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
        "council.cli.main",
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
