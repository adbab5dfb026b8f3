"""Issue 24, part 3: resume is about results. A server moved to another address may serve
the run on; each session's address is recorded. Another model is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from council.bench.problem_set import load_problems
from council.bench.session import BenchSession
from council.config import CouncilConfig
from council.errors import ConfigError
from council.models.roles import RoleModels
from council.models.scripted import ScriptedModel
from council.models.settings import ModelSettings, ModelSpec
from council.protocols import ProtocolOptions
from council.run_log.config import DatasetSpec, ModelRecord, check_or_save_config
from council.run_log.manifest import record_session
from council.run_log.sessions import Reach


def write_data(path: Path, count: int) -> Path:
    rows = [{"id": f"p{i}", "question": f"{i} + {i}?", "answer": str(2 * i)} for i in range(count)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def session_on(api_base: str, name: str = "openai/served") -> BenchSession:
    model = ModelSpec(name=name, api_base=api_base)
    return BenchSession(
        CouncilConfig(model=model), ProtocolOptions(), models=RoleModels(ScriptedModel())
    )


def test_a_moved_server_resumes_and_each_session_records_where(tmp_path: Path) -> None:
    spec = DatasetSpec(source=str(write_data(tmp_path / "data.jsonl", 3)))
    run = tmp_path / "run"
    for session, concurrency in (
        (session_on("http://127.0.0.1:8001/v1"), 4),
        (session_on("http://127.0.0.1:9002/v1"), 32),
    ):
        runner = session.runner("single")
        config = session.run_config("single", spec, runner, memory=False)
        check_or_save_config(run, config)  # the second one resumes: no error
        reach = Reach(models=config.models, concurrency=concurrency, workers=2)
        record_session(run, config, runner, load_problems(spec), reach)
    sessions = [json.loads(line) for line in (run / "sessions.jsonl").read_text().splitlines()]
    bases = [s["reach"]["models"][0]["api_base"] for s in sessions]
    assert bases == ["http://127.0.0.1:8001/v1", "http://127.0.0.1:9002/v1"]
    assert [s["reach"]["concurrency"] for s in sessions] == [4, 32]
    first = json.loads((run / "config.json").read_text())
    assert first["models"][0]["api_base"] == "http://127.0.0.1:8001/v1"  # as it began


def test_another_model_or_decoding_is_refused(tmp_path: Path) -> None:
    spec = DatasetSpec(source=str(write_data(tmp_path / "data.jsonl", 3)))
    run = tmp_path / "run"
    session = session_on("http://127.0.0.1:8001/v1")
    runner = session.runner("single")
    check_or_save_config(run, session.run_config("single", spec, runner, memory=False))
    other = session_on("http://127.0.0.1:8001/v1", name="openai/another")
    with pytest.raises(
        ConfigError,
        match=r"the models changed \(default: openai/served → "
        r"default: openai/another\)",
    ):
        check_or_save_config(run, other.run_config("single", spec, runner, memory=False))
    hotter = ProtocolOptions(settings=ModelSettings(temperature=1.0))
    config = session.run_config("single", spec, runner, memory=False)
    with pytest.raises(ConfigError, match=r"temperature"):
        check_or_save_config(run, config.model_copy(update={"options": hotter}))


def test_call_policy_and_published_limits_may_change_on_resume(tmp_path: Path) -> None:
    spec = DatasetSpec(source=str(write_data(tmp_path / "data.jsonl", 3)))
    session = session_on("http://127.0.0.1:8001/v1")
    runner = session.runner("single")
    config = session.run_config("single", spec, runner, memory=False)
    check_or_save_config(tmp_path, config)
    policy = ModelSettings(max_retry_wait_seconds=30, requests_per_minute=600, max_retries=1)
    changed = config.model_copy(update={"options": ProtocolOptions(settings=policy)})
    assert check_or_save_config(tmp_path, changed) is True
    moved = config.model_copy(
        update={"models": [ModelRecord(role="default", name="openai/served", api_base=None)]}
    )
    assert check_or_save_config(tmp_path, moved) is True
