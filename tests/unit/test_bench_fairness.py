"""Bench runs that can be trusted: resume refuses changed data, prompts or grader (and the
original manifest is kept), options a protocol ignores are refused, graph files run with
their own per-agent models (cached when asked), and the baseline's k is token-matched and
frozen."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.bench.problem_set import load_problems
from council.bench.session import BenchSession
from council.config import CouncilConfig
from council.errors import ConfigError
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.models.settings import ModelSpec
from council.protocols import ProtocolOptions
from council.run_log.config import DatasetSpec, check_or_save_config
from tests.support.cli import CliRun
from tests.support.openai_stub import StubBehaviour, openai_stub


def write_data(path: Path, count: int) -> Path:
    rows = [{"question": f"What is {i} + {i}?", "answer": f"#### {2 * i}"} for i in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def session_config(
    session: BenchSession, protocol: str, data: Path, limit: int | None = None
) -> tuple[DatasetSpec, object]:
    spec = DatasetSpec(source=str(data), limit=limit)
    runner = session.runner(protocol)
    return spec, session.run_config(protocol, spec, runner, memory=False)


def test_resume_refuses_changed_data_prompts_or_grader_naming_it(tmp_path: Path) -> None:
    data = write_data(tmp_path / "data.jsonl", 3)
    session = BenchSession(CouncilConfig(), ProtocolOptions(), models=RoleModels(ScriptedModel()))
    spec = DatasetSpec(source=str(data))
    config = session.run_config("single", spec, session.runner("single"), memory=False)
    assert config.data_sha256 and config.prompt_hashes["solver"] and "math-verify" in config.grader
    run = tmp_path / "run"
    assert check_or_save_config(run, config) is False
    moved = tmp_path / "moved.jsonl"
    moved.write_bytes(data.read_bytes())  # the same content elsewhere resumes
    same = session.run_config(
        "single", DatasetSpec(source=str(moved)), session.runner("single"), memory=False
    )
    assert check_or_save_config(run, same) is True
    write_data(data, 4)  # edited in place: same path, other content
    edited = session.run_config("single", spec, session.runner("single"), memory=False)
    with pytest.raises(ConfigError, match=r"the data file's content changed \(sha256 \w{12}… → "):
        check_or_save_config(run, edited)
    prompts = config.model_copy(update={"prompt_hashes": {"solver": {"task": "0" * 64}}})
    with pytest.raises(ConfigError, match=r"prompt template solver\.task changed"):
        check_or_save_config(run, prompts)
    graded = config.model_copy(update={"grader": "council-grader 0; math-verify 0.1"})
    with pytest.raises(ConfigError) as refused:
        check_or_save_config(run, graded)
    assert "the grader changed (council-grader 1" in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("protocol", "option", "message"),
    [
        (
            "debate",
            ["--samples", "4"],
            "protocol 'debate' does not use --samples; its options: "
            "--agents, --early-stop, --rounds",
        ),
        ("single", ["--rounds", "3"], "protocol 'single' does not use --rounds; its options: none"),
        (
            "examples/debate.yaml",
            ["--agents", "4"],
            "graph file 'examples/debate.yaml' does not use --agents; "
            "its options: --corpus, --rounds",
        ),
    ],
)
def test_bench_refuses_options_the_protocol_does_not_use(
    protocol: str, option: list[str], message: str, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    data = write_data(tmp_path / "data.jsonl", 2)
    done = cli(
        "bench",
        "--dataset",
        str(data),
        "--out",
        str(tmp_path / "run"),
        "--protocol",
        protocol,
        *option,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"error: {message}"
    assert not (tmp_path / "run" / "config.json").exists()


GRAPH = """
name: own-models
max_rounds: 1
agents:
  solver: {{use: answerer, starts_round: true, model: openai/file-solver, api_base: "{base}"}}
nodes:
  finish: finish_last_answer
edges:
  - [START, solver]
  - [solver, finish]
  - [finish, END]
"""


async def test_a_graph_file_runs_its_own_models_and_the_cache_wraps_them(
    tmp_path: Path, grader: Grader
) -> None:
    behaviour = StubBehaviour(reply="\\boxed{2}")
    data = write_data(tmp_path / "data.jsonl", 2)
    problems = load_problems(DatasetSpec(source=str(data)))
    async with openai_stub(behaviour) as base:
        graph = tmp_path / "own.yaml"
        graph.write_text(GRAPH.format(base=base))
        # the default model points nowhere: only the file's own model may be called
        config = CouncilConfig(
            model=ModelSpec(name="openai/nowhere", api_base="http://127.0.0.1:9")
        )
        for attempt in range(2):
            session = BenchSession(config, ProtocolOptions(), cache=tmp_path / "cache.sqlite")
            runner = session.runner(str(graph))
            record = session.run_config(
                str(graph), DatasetSpec(source=str(data)), runner, memory=False
            )
            assert [(m.role, m.name) for m in record.models] == [("solver", "openai/file-solver")]
            summary = await session.run(
                runner, problems, tmp_path / f"run{attempt}", grader=grader, concurrency=1
            )
            assert summary.errors == 0 and summary.correct == 1  # 0 + 0 = 0 is wrong
    assert {request["model"] for request in behaviour.requests} == {"file-solver"}
    assert len(behaviour.requests) == 2  # the second run replayed both from the cache


def tokens_by_words(call: ScriptedCall) -> str:
    """Scripted usage counts words: a sample's reply is 10 words plus the answer."""
    number = int(call.messages[-1].content.split("What is ")[1].split(" ")[0])
    return "one two three four five six seven eight nine ten " + f"\\boxed{{{2 * number}}}"


async def test_baseline_k_matches_the_protocols_tokens_is_frozen_and_reported(
    tmp_path: Path, grader: Grader
) -> None:
    data = write_data(tmp_path / "data.jsonl", 6)
    model = ScriptedModel(responder=tokens_by_words)
    options = ProtocolOptions(agents=3, rounds=2)
    session = BenchSession(CouncilConfig(), options, models=RoleModels(model))
    run = tmp_path / "run"

    async def bench(limit: int) -> tuple[object, object]:
        spec = DatasetSpec(source=str(data), limit=limit)
        problems = load_problems(spec)
        runner = session.runner("debate")
        check_or_save_config(run, session.run_config("debate", spec, runner, memory=False))
        summary = await session.run(runner, problems, run, grader=grader, concurrency=2)
        baseline = await session.run_baseline(
            summary, problems, spec, run, grader=grader, concurrency=2
        )
        return summary, baseline

    summary, baseline = await bench(3)
    plan = baseline.plan
    # one sample at self-consistency's decoding, measured by the pilot
    assert plan.tokens_per_sample == pytest.approx(
        json.loads((run / "baseline-pilot" / "summary.json").read_text())["tokens_per_problem"]
    )
    assert plan.target_tokens_per_problem == summary.tokens_per_problem
    assert plan.samples == round(summary.tokens_per_problem / plan.tokens_per_sample)
    assert plan.samples > 1
    budget = baseline.summary.token_budget
    assert budget is not None and budget.target_tokens_per_problem == plan.target_tokens_per_problem
    assert f"(target {plan.target_tokens_per_problem:.0f})" in baseline.summary.achieved_vs_target
    pilot_calls = [info for info in model.call_infos if info and info.agent.startswith("sample")]
    assert pilot_calls  # self-consistency's own samples, not `single`'s greedy solver

    _, grown = await bench(6)  # a larger --limit resumes the baseline with the same k
    assert grown.plan == plan and grown.summary.problems == 6
    saved = json.loads((run / "baseline" / "config.json").read_text())
    assert saved["options"]["samples"] == plan.samples


def test_the_first_manifest_is_kept_and_each_session_appended(tmp_path: Path) -> None:
    from council.run_log.manifest import Manifest, record_session

    data = write_data(tmp_path / "data.jsonl", 4)
    session = BenchSession(CouncilConfig(), ProtocolOptions(), models=RoleModels(ScriptedModel()))
    runner = session.runner("single")
    for limit in (2, 4):
        spec = DatasetSpec(source=str(data), limit=limit)
        config = session.run_config("single", spec, runner, memory=False)
        record_session(tmp_path, config, runner, load_problems(spec))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    Manifest.model_validate(manifest)  # the streamed ids make the model's JSON
    assert manifest["problem_ids"] == [p.id for p in load_problems(spec)][:2]
    assert manifest["config"]["dataset"]["limit"] == 2
    sessions = [json.loads(s) for s in (tmp_path / "sessions.jsonl").read_text().splitlines()]
    assert [s["limit"] for s in sessions] == [2, 4]
