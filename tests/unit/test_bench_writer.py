"""The run's single writer: it appends from a thread and leaves no file open."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.models.roles import RoleModels
from council.models.scripted import ScriptedModel
from council.protocols import RunSpec
from council.run_log import writer
from council.run_log.message_store import MessageStore
from council.run_log.results import ResultsFile
from tests.support.runs import doubling

PROBLEMS = [Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(8)]


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def watch_commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads `RunRecorder.commit` runs on, in order."""
    committed_on: list[int] = []
    commit = writer.RunRecorder.commit

    def watched_commit(self: writer.RunRecorder, batch: writer.StagedBatch) -> None:
        committed_on.append(threading.get_ident())
        commit(self, batch)

    monkeypatch.setattr(writer.RunRecorder, "commit", watched_commit)
    return committed_on


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_the_disk_is_written_off_the_loop_unless_one_at_a_time_and_files_close(
    tmp_path: Path, grader: Grader, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    """With problems in flight the event loop never waits for an fsync (a thread commits);
    one at a time, the loop commits itself (nothing else to serve, no thread hop). Either
    way the files the writer keeps open are closed when it ends, and every problem lands,
    in order, with its messages."""
    loop_thread = threading.get_ident()
    committed_on = watch_commits(monkeypatch)
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    files_before = open_files()
    summary = await run_benchmark(
        runner, PROBLEMS, tmp_path, grader=grader, concurrency=concurrency
    )

    assert summary.correct == len(PROBLEMS)
    assert committed_on
    if concurrency == 1:
        assert set(committed_on) == {loop_thread}
    else:
        assert loop_thread not in committed_on
    lines = ResultsFile(tmp_path / "results.jsonl").read()
    assert {line.problem_id for line in lines} == {p.id for p in PROBLEMS}
    if concurrency == 1:
        assert [line.problem_id for line in lines] == [p.id for p in PROBLEMS]
    stored = MessageStore(tmp_path).read()
    assert all(h in stored for line in lines for call in line.calls for h in call.message_hashes)
    assert open_files() == files_before  # the writer closed the files it kept open


async def test_a_run_with_nothing_to_do_still_writes_its_summary(
    tmp_path: Path, grader: Grader
) -> None:
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    run_dir = tmp_path / "new" / "run"
    summary = await run_benchmark(runner, [], run_dir, grader=grader)
    assert summary.graded == 0
    assert (run_dir / "summary.json").is_file()
