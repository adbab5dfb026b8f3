"""The bench runner with scripted models: resume without loss or duplicates, errors
recorded and retried, cache keys per sample and round, statistics."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from council.bench.cache import CachedModel, cache_key
from council.bench.datasets import DatasetSpec, Problem
from council.bench.grading import Grader
from council.bench.manifest import ModelRecord, RunConfig, check_or_save_config
from council.bench.results import ResultsFile
from council.bench.runner import run_benchmark
from council.bench.stats import mcnemar_exact, wilson_interval
from council.errors import ConfigError, ModelError
from council.messages import Message
from council.models.base import CallInfo
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, build_runner


class SimulatedKill(BaseException):
    """Like a kill: nothing in the runner catches it."""


PROBLEMS = [
    Problem(id=f"p{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in range(1, 9)
]


def doubling(call: ScriptedCall) -> str:
    messages = call.messages
    number = int(messages[-1].content.split("What is ")[1].split(" ")[0])
    return f"REASONING: add\nANSWER: {2 * number if number % 4 else 0}"


@pytest.fixture(scope="module")
def grader() -> Grader:
    with Grader(workers=1) as shared:
        yield shared


async def test_full_run_writes_every_problem_once(tmp_path: Path, grader: Grader) -> None:
    runner = build_runner("single", models=RoleModels(ScriptedModel(responder=doubling)))
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

    runner = build_runner("single", models=RoleModels(ScriptedModel(responder=crashing)))
    with pytest.raises(SimulatedKill):
        await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=1)
    results = ResultsFile(tmp_path / "results.jsonl")
    assert len(results.read()) == 3
    with (tmp_path / "results.jsonl").open("a") as handle:
        handle.write('{"problem_id": "p4", "quest')  # torn write from the crash
    runner = build_runner("single", models=RoleModels(ScriptedModel(responder=doubling)))
    summary = await run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=4)
    ids = [line.problem_id for line in results.read()]
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

    runner = build_runner("single", models=RoleModels(ScriptedModel(responder=flaky)))
    summary = await run_benchmark(runner, PROBLEMS[:3], tmp_path, grader=grader)
    assert summary.errors == 1 and summary.problems == 2
    error_line = ResultsFile(tmp_path / "results.jsonl").latest_by_problem()["p2"]
    assert error_line.error and "server said 500" in error_line.error
    runner = build_runner("single", models=RoleModels(ScriptedModel(responder=doubling)))
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
    runner = build_runner(
        "self-consistency", models=RoleModels(cached), options=ProtocolOptions(samples=3)
    )
    result = await runner.arun("q", problem_id="p1")
    assert result.answer == "2" and cached.hits == 0


def test_wilson_and_mcnemar_known_values() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 0.0)
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(1, 9) == pytest.approx(0.02148, abs=1e-4)
    assert mcnemar_exact(5, 5) == 1.0


def test_run_is_concurrent(tmp_path: Path, grader: Grader) -> None:
    class SlowModel(ScriptedModel):
        async def complete(self, *args: object, **kwargs: object):  # type: ignore[override]
            await asyncio.sleep(0.2)
            return await super().complete(*args, **kwargs)  # type: ignore[arg-type]

    runner = build_runner("single", models=RoleModels(SlowModel(responder=doubling)))
    summary = asyncio.run(run_benchmark(runner, PROBLEMS, tmp_path, grader=grader, concurrency=8))
    assert summary.problems == 8
    assert summary.wall_seconds < 8 * 0.2  # overlapped, not one after another
