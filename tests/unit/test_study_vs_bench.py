"""A study's per-arm figures equal separate `council bench` runs of the same arms on the
same rows, against a loopback OpenAI-compatible server with scripted (deterministic)
answers: `single` and `debate` run in the study, `self-consistency` at k = 3 and a
`cascade` read from its pool; each is run again by `council bench` (in this process, with
the flags a user types, written here by hand), and accuracy, tokens per problem and which
problems are right must be equal. Then `council study check-against-bench` says the same,
reading those runs, and shows the command lines it would run (it runs them in
`tests/integration/test_study_check_against_bench.py`)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.main import main
from council.run_log.results import ResultsFile
from council.run_log.summary import summarise_run
from council.studies.outcomes import run_results
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.study_vs_bench import (
    BENCH_FLAGS,
    DEBATE_FINAL,
    PROBLEMS,
    SAMPLES,
    SINGLE,
    TOKENS_PER_CALL,
    respond,
    write,
)


def bench(base: str, data: Path, out: Path, flags: list[str]) -> None:
    common = ["bench", "--dataset", str(data), "--model", "openai/stub", "--api-base", base]
    assert main([*common, "--seed", "0", "--workers", "1", "--out", str(out), *flags]) == 0


def majority(n: int) -> bool:
    return sum(n in SAMPLES[s] for s in range(3)) >= 2


async def test_the_study_per_arm_figures_equal_separate_bench_runs(
    tmp_path: Path, grader: Grader, capsys: pytest.CaptureFixture[str]
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
        for arm, flags in BENCH_FLAGS.items():
            await asyncio.to_thread(bench, base, tmp_path / "data.jsonl", tmp_path / arm, flags)
        capsys.readouterr()
        given = [f"--run={arm}={tmp_path / arm}" for arm in BENCH_FLAGS]
        code = await asyncio.to_thread(
            main, ["study", "check-against-bench", str(tmp_path / "out"), *given]
        )
        shown = capsys.readouterr().out
        dry_out = str(tmp_path / "dry")
        dry = await asyncio.to_thread(
            main,
            ["study", "check-against-bench", str(tmp_path / "out"), "--dry-run", "--out", dry_out],
        )
        commands = capsys.readouterr().err
    arms = {arm.name: arm for arm in report.arms}
    assert arms["sc-3"].source.startswith("pool") and arms["cascade"].source.startswith("single")

    # by hand: which problems each arm gets right, and its calls a problem
    cascade_right, cascade_calls = set(), 0
    for n in PROBLEMS:
        ballots = (n in SINGLE, n in SAMPLES[1], n in SAMPLES[2])
        cascade_calls += 2 if ballots[0] == ballots[1] else 3
        if sum(ballots) >= 2:
            cascade_right.add(n)
    expected = {
        "single": (SINGLE, 1.0),
        "sc-3": ({n for n in PROBLEMS if majority(n)}, 3.0),
        "debate": (DEBATE_FINAL, 6.0),
        "cascade": (cascade_right, cascade_calls / 10),
    }
    for name, (right, calls) in expected.items():
        figures, bench_dir = arms[name].figures, tmp_path / name
        summary = summarise_run(bench_dir)
        assert figures.accuracy == summary.accuracy == len(right) / 10, name
        assert figures.tokens_per_problem == summary.tokens_per_problem, name
        assert figures.tokens_per_problem == calls * TOKENS_PER_CALL, name
        in_bench = {i for i, r in run_results(bench_dir).items() if r.correct}
        in_study = {r.problem_id for r in arms[name].results if r.correct}
        assert in_study == in_bench, name
        heads = ResultsFile(bench_dir / "results.jsonl").heads()
        questions = {line.problem_id: line.question for line in heads}
        assert {int(questions[i].split()[2]) for i in in_bench} == right, name

    # the check command reads those runs and says equal for every arm
    assert code == 0, shown
    lines = shown.splitlines()
    assert lines[1] == "single | 5/10 (50.0%) | 5/10 (50.0%) | 10.0 | 10.0 | none | equal"
    assert [line.split(" | ")[0] for line in lines[1:]] == list(BENCH_FLAGS)
    assert all(line.endswith("| none | equal") for line in lines[1:])
    # the command lines it runs are the flags a user types
    assert dry == 0
    rows = tmp_path / "dry" / "rows.jsonl"
    for arm, flags in BENCH_FLAGS.items():
        typed = [
            *(sys.executable, "-m", "council.main", "bench", "--dataset", str(rows)),
            *("--format", "jsonl", "--question-field", "question", "--answer-field", "answer"),
            *("--id-field", "id", *flags[:2], *flags[2:], "--seed", "0"),
            *("--model", "openai/stub", "--api-base", base, "--concurrency", "2"),
            *("--out", str(tmp_path / "dry" / arm)),
        ]
        assert f"{arm}: {' '.join(typed)}" in commands, arm
