"""A cascade with a tir final stage read from recorded calls equals a live `council bench`
run of it, problem by problem, against a loopback server with scripted answers
(`tests.support.study_cascade`). Docker: tir's sandbox is opened for every problem even
when the reply has no program."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.study_cascade import (
    PROBLEMS,
    TIR_ARMS,
    TIR_CASCADE,
    TIR_RIGHT,
    TOKENS_PER_CALL,
    assert_equal_to_live,
    bench,
    respond,
    write,
)

pytestmark = [pytest.mark.integration, pytest.mark.docker]


async def test_a_cascade_with_a_tir_stage_read_from_the_pool_equals_a_live_run(
    tmp_path: Path,
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, TIR_ARMS)
        with Grader(workers=1) as grader:
            await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
            report = await build_report(tmp_path / "out", grader)
        await asyncio.to_thread(
            bench, base, tmp_path / "data.jsonl", tmp_path / "live", TIR_CASCADE
        )
    assert not (tmp_path / "out" / "arms" / "cascade-tir").exists()  # no calls of its own
    # by hand, 4 ballots, 3 to agree, threshold 0.5: A agrees at once (3 calls), B with
    # the fourth ballot (4); C's vote is 2 of 4 for 2n+1, share 0.5, so the vote answers,
    # wrong (4 calls); D's ballots all differ and tir answers (4 + 1)
    calls = {0: 3, 1: 4, 2: 4, 3: 5}
    right = {n for n in PROBLEMS if n % 4 in (0, 1) or (n % 4 == 3 and n in TIR_RIGHT)}
    tokens = sum(calls[n % 4] for n in PROBLEMS) * TOKENS_PER_CALL / 12
    (arm,) = [a for a in report.arms if a.name == "cascade-tir"]
    assert (arm.figures.correct, arm.figures.tokens_per_problem) == (len(right), tokens)
    assert (len(right), tokens) == (8, 40.0)
    assert_equal_to_live(report, "cascade-tir", tmp_path / "live")
