"""The bench runner with scripted models and a real loopback server: resume without loss
or duplicates, errors recorded and retried (and counted wrong), a dead or refusing server
stopping the run, cache keys per sample and round, statistics."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from council.bench.datasets import Problem
from council.bench.faults import MAX_CONSECUTIVE_RUN_FAULTS, BenchStoppedError
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.bench.session import Tally
from council.errors import ConfigError, ModelCrashedError, ModelError, ModelUnreachableError
from council.messages import Message
from council.models.base import CallInfo
from council.models.cache import CachedModel, cache_key
from council.models.factory import build_model
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions, RunSpec
from council.run_log.config import DatasetSpec, ModelRecord, RunConfig, check_or_save_config
from council.run_log.results import ResultLine, ResultsFile
from council.run_log.summary import describe
from council.runner import GraphRunner
from council.stats import mcnemar_exact, wilson_interval
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.servers import free_port


class SimulatedKill(BaseException):
    """Like a kill: nothing in the runner catches it."""


PROBLEMS = [
    Problem(id=f"p{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(1, 9)
]


def doubling(call: ScriptedCall) -> str:
    messages = call.messages
    number = int(messages[-1].content.split("What is ")[1].split(" ")[0])
    return f"REASONING: add\nANSWER: {2 * number if number % 4 else 0}"


async def test_full_run_writes_every_problem_once(tmp_path: Path, grader: Grader) -> None:
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    summary = await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=4)
    lines = ResultsFile(tmp_path / "results.jsonl").read()
    assert sorted(line.problem_id for line in lines) == sorted(p.id for p in PROBLEMS)
    assert summary.problems == 8 and summary.correct == 6  # p4 and p8 answer 0
    assert json.loads((tmp_path / "summary.json").read_text())["accuracy"] == 0.75
    line = lines[0]
    assert line.calls and line.calls[0].agent == "solver" and line.tokens > 0
    assert line.steps[-1].kind == "final"


async def test_resume_after_crash_loses_and_duplicates_nothing(
    tmp_path: Path, grader: Grader
) -> None:
    calls = {"n": 0}

    def crashing(call: ScriptedCall) -> str:
        calls["n"] += 1
        if calls["n"] == 4:
            raise SimulatedKill  # the process dies mid-run
        return doubling(call)

    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=crashing)))
    with pytest.raises(SimulatedKill):
        await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=1)
    results = ResultsFile(tmp_path / "results.jsonl")
    assert len(results.read()) == 3
    with (tmp_path / "results.jsonl").open("a") as handle:
        handle.write('{"problem_id": "p4", "quest')  # torn write from the crash
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    summary = await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=4)
    ids = [line.problem_id for line in results.read()]
    assert sorted(ids) == sorted(p.id for p in PROBLEMS)  # each exactly once
    assert summary.problems == 8


async def test_resume_after_a_crash_that_lost_only_the_last_newline(
    tmp_path: Path, grader: Grader
) -> None:
    """A last result line that is whole but lost its newline is finished before the resumed
    run appends, so the next line does not run into it (the file stays readable)."""
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    await run_benchmark(runner, PROBLEMS[:3], tmp_path, grader=grader, concurrency=1)
    path = tmp_path / "results.jsonl"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # the crash cut the final newline
    summary = await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=1)
    ids = [line.problem_id for line in ResultsFile(path).read()]
    assert sorted(ids) == sorted(p.id for p in PROBLEMS)  # each exactly once
    assert summary.problems == 8


@pytest.mark.parametrize("failure", [ModelError("server said 500"), IndexError("server said 500")])
async def test_failed_problems_are_recorded_then_retried(
    tmp_path: Path, grader: Grader, failure: Exception
) -> None:
    """A model failure, or even a bug, costs one problem (retried on resume), not the run."""

    def flaky(call: ScriptedCall) -> str:
        messages = call.messages
        if "What is 2 " in messages[-1].content:
            raise failure
        return doubling(call)

    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=flaky)))
    summary = await run_benchmark(runner, PROBLEMS[:3], tmp_path, grader=grader)
    assert summary.errors == 1 and summary.graded == 2 and summary.problems == 3
    assert summary.accuracy == pytest.approx(2 / 3)  # the error counts as wrong
    assert summary.accuracy_graded == 1.0
    error_line = ResultsFile(tmp_path / "results.jsonl").latest(ResultLine)["p2"]
    assert error_line.error and "server said 500" in error_line.error
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    summary = await run_benchmark(runner, PROBLEMS[:3], tmp_path, grader=grader)
    assert summary.errors == 0 and summary.problems == 3


def test_config_mismatch_is_refused_but_a_larger_limit_resumes(tmp_path: Path) -> None:
    config = RunConfig(
        dataset=DatasetSpec(source="d.jsonl", limit=5),
        protocol="debate",
        options=ProtocolOptions(),
        models=[ModelRecord(role="default", name="m")],
    )
    assert check_or_save_config(tmp_path, config) is False
    bigger = config.model_copy(update={"dataset": DatasetSpec(source="d.jsonl", limit=50)})
    assert check_or_save_config(tmp_path, bigger) is True
    other = config.model_copy(update={"options": ProtocolOptions(agents=5)})
    with pytest.raises(ConfigError, match=r"options\.agents.*use a new --out"):
        check_or_save_config(tmp_path, other)
    unused = ProtocolOptions(final_stage="debate", scorer="execution")  # debate reads neither
    assert check_or_save_config(tmp_path, config.model_copy(update={"options": unused}))
    assert "final_stage" not in config.model_dump()["options"]
    patient = ProtocolOptions(settings=ModelSettings(timeout_seconds=900.0, max_retries=0))
    assert check_or_save_config(tmp_path, config.model_copy(update={"options": patient}))
    with pytest.raises(ConfigError, match=r"mcp \[\] → \['python tools.py'\]"):
        check_or_save_config(tmp_path, config.model_copy(update={"mcp": ["python tools.py"]}))


async def test_cache_replays_only_the_same_place(tmp_path: Path) -> None:
    counter = {"n": 0}

    def fresh(call: ScriptedCall) -> str:
        counter["n"] += 1
        return f"ANSWER: {counter['n']}"

    model = CachedModel(ScriptedModel(responder=fresh), tmp_path / "cache.sqlite")
    prompt = [Message.user("same prompt")]
    first = await model.complete(prompt, call=CallInfo(problem_id="p", agent="s", sample=0))
    again = await model.complete(prompt, call=CallInfo(problem_id="p", agent="s", sample=0))
    other_sample = await model.complete(prompt, call=CallInfo(problem_id="p", agent="s", sample=1))
    other_round = await model.complete(prompt, call=CallInfo(problem_id="p", agent="s", round=2))
    assert first.text == again.text and model.hits == 1
    assert len({first.text, other_sample.text, other_round.text}) == 3
    assert cache_key("m", prompt, None, None, CallInfo(sample=0)) != cache_key(
        "m", prompt, None, None, CallInfo(sample=1)
    )


async def test_self_consistency_samples_are_not_collapsed_by_the_cache(tmp_path: Path) -> None:
    replies = iter(["ANSWER: 1", "ANSWER: 2", "ANSWER: 2"])
    cached = CachedModel(ScriptedModel(responder=lambda call: next(replies)), tmp_path / "c.sqlite")
    runner = RunSpec(graph="self-consistency", options=ProtocolOptions(samples=3)).build(
        models=RoleModels(cached)
    )
    result = await runner.arun("q", problem_id="p1")
    assert result.answer == "2" and cached.hits == 0


def test_wilson_and_mcnemar_known_values() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 0.0)
    # all right: the interval ends at exactly 1 (computed, it rounds to 0.9999999999999999)
    assert wilson_interval(4, 4)[1] == 1.0 and wilson_interval(0, 4)[0] == 0.0
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(1, 9) == pytest.approx(0.02148, abs=1e-4)
    assert mcnemar_exact(5, 5) == 1.0


def test_run_is_concurrent(tmp_path: Path, grader: Grader) -> None:
    """Problems overlap: with --concurrency 8 several calls are in flight at once (counted,
    not timed)."""
    in_flight = {"now": 0, "most": 0}

    class SlowModel(ScriptedModel):
        async def complete(self, *args: object, **kwargs: object):  # type: ignore[override]
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
            await asyncio.sleep(0.05)
            in_flight["now"] -= 1
            return await super().complete(*args, **kwargs)  # type: ignore[arg-type]

    runner = RunSpec(graph="single").build(models=RoleModels(SlowModel(responder=doubling)))
    summary = asyncio.run(run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=8))
    assert summary.problems == 8
    assert in_flight["most"] == 8


def fast_settings() -> ModelSettings:
    return ModelSettings(max_retries=0, retry_backoff_seconds=0.01, timeout_seconds=5)


def server_runner(api_base: str) -> GraphRunner:
    """`single` through the real litellm → HTTP path, without retries (agents call with the
    protocol's settings)."""
    spec = ModelSpec(name="openai/stub", api_base=api_base, settings=fast_settings())
    options = ProtocolOptions(settings=fast_settings())
    return RunSpec(graph="single", options=options).build(models=RoleModels(build_model(spec)))


async def test_unreachable_server_stops_the_run_keeping_what_finished_then_resumes(
    tmp_path: Path, grader: Grader
) -> None:
    """Nothing listening: the run stops after a few problems, not after all of them, says
    which model and address and what to do, and the same call resumes once a server is up."""
    port = free_port()
    api_base = f"http://127.0.0.1:{port}/v1"
    problems = [
        Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(20)
    ]
    with pytest.raises(BenchStoppedError) as stopped:
        await run_benchmark(server_runner(api_base), problems, tmp_path, grader=grader)
    message = str(stopped.value)
    assert f"{MAX_CONSECUTIVE_RUN_FAULTS} problems in a row failed" in message
    assert f"cannot reach model 'openai/stub' at {api_base}: 1 try in" in message  # no retries
    assert "Is the server running" in message and "the same command resumes" in message
    assert "\n" not in message
    lines = ResultsFile(tmp_path / "results.jsonl").read()  # valid JSON lines, nothing torn
    # the streak before the stop is recorded as errors; the fault that stops it is not
    assert len(lines) == MAX_CONSECUTIVE_RUN_FAULTS - 1
    assert all(line.error and "ModelUnreachableError" in line.error for line in lines)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["errors"] == len(lines) and summary["graded"] == 0
    assert stopped.value.summary.errors == len(lines)

    behaviour = StubBehaviour(reply="ANSWER: 4")
    async with openai_stub(behaviour, port=port):
        summary_after = await run_benchmark(
            server_runner(api_base), problems, tmp_path, grader=grader
        )
    assert summary_after.graded == 20 and summary_after.errors == 0
    assert summary_after.accuracy == pytest.approx(1 / 20)  # only "2 + 2" has gold 4
    done = [line.problem_id for line in ResultsFile(tmp_path / "results.jsonl").read() if line.done]
    assert sorted(done) == sorted(p.id for p in problems)  # each graded exactly once


async def test_server_answering_500_stops_the_run(tmp_path: Path, grader: Grader) -> None:
    behaviour = StubBehaviour(fail_first=10_000, fail_status=500)
    async with openai_stub(behaviour) as api_base:
        with pytest.raises(BenchStoppedError, match=r"3 problems in a row failed: model"):
            await run_benchmark(
                server_runner(api_base), PROBLEMS, tmp_path, grader=grader, concurrency=1
            )
    assert len(behaviour.requests) == MAX_CONSECUTIVE_RUN_FAULTS  # one call per problem
    # the streak before the stop is recorded; the failure that stops the run is not
    assert len(ResultsFile(tmp_path / "results.jsonl").read()) == MAX_CONSECUTIVE_RUN_FAULTS - 1


async def test_crashed_model_stops_the_run_at_once(tmp_path: Path, grader: Grader) -> None:
    def dies_on_the_third(call: ScriptedCall) -> str:
        if "What is 3 " in call.last:
            raise ModelCrashedError("the llama.cpp process died (signal 9)")
        return doubling(call)

    model = ScriptedModel(responder=dies_on_the_third)
    runner = RunSpec(graph="single").build(models=RoleModels(model))
    with pytest.raises(BenchStoppedError, match=r"process died .* 2 of 8 problems are done"):
        await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=1)
    assert len(model.calls) == 3  # nothing after the crash was tried
    latest = ResultsFile(tmp_path / "results.jsonl").latest(ResultLine)
    assert sorted(latest) == ["p1", "p2"]  # p3 met the crash: left to run on resume


async def test_scattered_failures_do_not_stop_the_run_and_count_as_wrong(
    tmp_path: Path, grader: Grader
) -> None:
    """Failures that are not in a row are those problems' own: recorded, run goes on."""

    def every_other_fails(call: ScriptedCall) -> str:
        number = int(call.last.split("What is ")[1].split(" ")[0])
        if number % 2:
            raise ModelUnreachableError("cannot reach model 'm': blip")
        return doubling(call)

    runner = RunSpec(graph="single").build(
        models=RoleModels(ScriptedModel(responder=every_other_fails))
    )
    summary = await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=1)
    assert summary.problems == 8 and summary.errors == 4 and summary.graded == 4
    assert summary.correct == 2  # p2, p6 right; p4, p8 answer 0
    assert summary.accuracy == 2 / 8 and summary.accuracy_graded == 2 / 4
    assert describe(summary) == (
        "accuracy 25.0% over 8 attempted (95% CI 7.1%–59.1%); 50.0% over 4 graded; 4 errors"
        " (counted wrong in the first figure; `error` in results.jsonl says why)"
        "; 0 truncated replies in 0 problems; tokens/problem 21"
    )


def test_progress_line_shows_errors_beside_both_accuracies() -> None:
    tally = Tally()
    assert tally.describe() == "accuracy –"
    base = {"question": "q", "gold": "1"}
    tally.add(ResultLine(problem_id="a", correct=True, **base))
    tally.add(ResultLine(problem_id="b", error="ModelError: down", **base))
    tally.add(ResultLine(problem_id="c", truncated_calls=2, **base))
    assert tally.attempted == 3
    assert tally.describe() == "accuracy 33.3% (graded 50.0%) · errors 1 · truncated 2"


def test_concurrency_is_bounded(tmp_path: Path, grader: Grader) -> None:
    """Zero would wait forever on a semaphore nobody releases."""
    from pydantic import ValidationError

    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    with pytest.raises(ValidationError, match="concurrency"):
        asyncio.run(run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=0))
