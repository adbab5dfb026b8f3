"""`council study check-against-bench` running the bench runs itself (child processes,
one per arm) against a loopback server with scripted answers: every arm of the study of
`tests/unit/test_study_vs_bench.py` (single and debate run in the study, self-consistency
and a cascade read from its pool) is equal to its separate `council bench` run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.main import main
from council.studies.runner import StudyRunner
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.study_vs_bench import BENCH_FLAGS, DEBATE_FINAL, SINGLE, respond, write

pytestmark = pytest.mark.integration


async def test_check_against_bench_runs_each_arm_and_finds_them_equal(tmp_path: Path) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base)
        with Grader(workers=1) as grader:
            await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        command = ["study", "check-against-bench", str(tmp_path / "out")]
        code = await asyncio.to_thread(main, [*command, "--out", str(tmp_path / "check")])
    assert code == 0
    checks = {c["arm"]: c for c in json.loads((tmp_path / "check" / "check.json").read_text())}
    assert list(checks) == list(BENCH_FLAGS)
    assert all(c["equal"] and not c["differing_problems"] for c in checks.values())
    assert checks["single"]["bench_correct"] == len(SINGLE)
    assert checks["debate"]["bench_correct"] == len(DEBATE_FINAL)
    assert checks["debate"]["bench_tokens_per_problem"] == 60.0  # 6 calls of 10 tokens
    for arm in BENCH_FLAGS:  # each is a bench run directory of its own
        assert (tmp_path / "check" / arm / "summary.json").exists()
