"""A run directory written before `council.run_log` existed still reads, resumes and
re-grades the same: `tests/fixtures/run_dirs/debate-d8dec54/` was written by council at
commit d8dec54 (the bench modules it replaced) with a scripted model — debate, 2 agents,
2 rounds, 4 problems: debater_1 answers the second wrong, the third's model call fails
(an error), debater_2's reply to the fourth is cut at the token limit — then re-graded
(`regrade`) and re-voted (`revote --rule first-round`). Every expected figure below is
what that code wrote to disk, never recomputed by the code under test."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.bench.problem_set import ProblemSet
from council.bench.rescore import regrade
from council.bench.run_view import view_run
from council.bench.runner import run_benchmark
from council.errors import ConfigError
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import RunSpec
from council.protocols.options import ProtocolOptions
from council.run_log.config import DatasetSpec, check_or_save_config
from council.run_log.log import RunLog
from council.run_log.manifest import read_manifest
from council.run_log.rescoring import read_rescoring
from council.run_log.results import ResultHead, ResultLine
from council.run_log.sessions import read_sessions
from council.run_log.summary import Summary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "run_dirs"
WRITTEN = FIXTURES / "debate-d8dec54"
DATA = FIXTURES / "debate-d8dec54.data.jsonl"


@pytest.fixture
def run(tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(WRITTEN, copy)  # (copy2: the files keep their times)
    return copy


def fingerprint(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
    }


def written_summary(name: str = "summary.json") -> Summary:
    return Summary.model_validate_json((WRITTEN / name).read_bytes())


def without_usage(summary: Summary) -> Summary:
    """The summary as d8dec54 wrote it: usage by role and agent came later, and is
    checked against the fixture's calls by hand (`test_usage_is_read_from_the_old_calls`)."""
    return summary.model_copy(update={"usage": None})


def test_the_log_reads_config_results_and_the_summary_the_run_wrote(run: Path) -> None:
    log = RunLog.read(run)
    assert log.config is not None
    assert log.config.protocol == "debate"
    assert (log.config.options.agents, log.config.options.rounds) == (2, 2)
    assert [head.question for head in log.results.values()] == [
        f"What is {n} + {n}?" for n in (1, 2, 3, 4)
    ]
    errors = [head for head in log.results.values() if not head.done]
    assert len(errors) == 1 and errors[0].question == "What is 3 + 3?"
    assert errors[0].error is not None and "made-up outage" in errors[0].error
    assert without_usage(log.summary) == written_summary()  # to the last bit, wall time too
    assert not log.still_writing


def test_usage_is_read_from_the_old_calls(run: Path) -> None:
    usage = RunLog.read(run).summary.usage
    assert usage is not None
    # by hand: 3 graded problems (the 3rd errored) × 2 debaters × 2 rounds; the tokens are
    # the 868 the old summary counted
    assert usage.by_role["debater"].calls == 12 and usage.total.total_tokens == 868
    assert {agent: u.calls for agent, u in usage.by_agent.items()} == {
        "debater_1": 6,
        "debater_2": 6,
    }


def test_reading_a_run_changes_no_byte_of_it(run: Path) -> None:
    before = fingerprint(run)
    for live in (False, True):
        log = RunLog.read(run, live=live)
        for problem_id in log.results:
            log.transcript(problem_id)
        log.lines(ResultLine)
        log.messages()
    view_run(run)
    assert fingerprint(run) == before


def test_every_call_comes_back_with_the_messages_it_sent(run: Path) -> None:
    log = RunLog.read(run)
    for problem_id, head in log.results.items():
        transcript = log.transcript(problem_id)
        assert len(transcript.calls) == head.call_count
        for call in transcript.calls:
            assert call.messages, f"{problem_id}: a call without its messages"
            assert any(head.question in m.content for m in call.messages if m.role == "user")
    stored = {line.strip() for line in (run / "messages.jsonl").read_text().splitlines()}
    assert len(log.messages()) == len(stored)


def test_manifest_sessions_and_config_read_back(run: Path) -> None:
    manifest = read_manifest(run)
    assert manifest is not None
    assert manifest.problem_ids == list(RunLog.read(run).results)
    sessions = read_sessions(run)
    assert [s.problems for s in sessions] == [4]
    config = RunLog.read(run).config
    assert config is not None
    assert check_or_save_config(run, config)  # it resumes: no difference found


def test_stream_gives_every_line_written_so_far(run: Path) -> None:
    lines = list(RunLog.stream(run, ResultHead))
    assert len(lines) == 4
    assert list(RunLog.stream(run / "missing", ResultHead)) == []


def test_the_web_view_shows_what_the_run_wrote(run: Path) -> None:
    view = view_run(run)
    assert without_usage(view.summary) == written_summary()
    assert view.config is not None and view.config.protocol == "debate"
    assert view.truncated_problems == 1
    assert not view.info.live


async def test_a_regrade_today_gives_the_summary_the_old_code_wrote(
    run: Path, grader: Grader
) -> None:
    done = await regrade(run, grader)
    assert done.after == written_summary("summary.regrade.json")
    lines, summary = read_rescoring(run, "regrade")
    assert summary == done.after
    assert len(lines) == 3  # the graded problems; the error stays an error


def answers_right(call: ScriptedCall) -> str:
    first = next(m.content for m in call.messages if m.role == "user")
    number = int(first.split("What is ")[1].split(" ")[0])
    return f"REASONING: add\nANSWER: {2 * number}"


async def test_resuming_an_old_run_runs_only_its_errored_problem(run: Path, grader: Grader) -> None:
    results = run / "results.jsonl"
    old = results.read_bytes()
    runner = RunSpec(graph="debate", options=ProtocolOptions(agents=2, rounds=2)).build(
        models=RoleModels(ScriptedModel(responder=answers_right))
    )
    problems = ProblemSet(DatasetSpec(source=str(DATA)))
    summary = await run_benchmark(runner, problems, run, grader=grader, concurrency=2)
    new = results.read_bytes()
    assert new.startswith(old)  # appended to, never rewritten
    added = [ResultHead.model_validate_json(line) for line in new[len(old) :].splitlines()]
    assert [line.question for line in added] == ["What is 3 + 3?"]
    assert (summary.problems, summary.errors, summary.correct) == (4, 0, 3)
    assert RunLog.read(run).summary.model_dump(exclude={"wall_seconds"}) == summary.model_dump(
        exclude={"wall_seconds"}
    )


def test_a_config_this_version_cannot_read_is_one_clear_error(run: Path) -> None:
    (run / "config.json").write_text('{"protocol": "debate"}')
    log = RunLog.read(run)  # results, summary, re-grades need no config
    assert without_usage(log.summary) == written_summary()
    with pytest.raises(ConfigError, match=r"config.json is not a config .* at dataset"):
        _ = log.config
