"""A `local/` model's context is a setting the user can see and change (`--context`,
`context:` in a study's model entry), recorded in the run's config and compared on resume;
a run recorded before it was kept ran at the default and resumes there. The servers
themselves start in the model tier (`tests/integration/test_model_process.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.config import CouncilConfig
from council.errors import ConfigError
from council.models.local_server import LocalServers
from council.models.settings import LOCAL_CONTEXT_TOKENS, ModelSpec
from council.protocols.options import ProtocolOptions
from council.protocols.run_spec import RunSpec
from council.run_log.config import DatasetSpec, ModelRecord, RunConfig, check_or_save_config
from council.studies.bench_check import bench_command


def test_the_default_context_is_8192_and_only_local_models_take_one() -> None:
    assert LOCAL_CONTEXT_TOKENS == 8192  # SmolLM2-135M's trained context
    assert ModelSpec(name="local/smollm2").local_context_tokens == 8192
    assert ModelSpec(name="local/smollm2", context_tokens=32768).local_context_tokens == 32768
    assert ModelSpec(name="openai/x").local_context_tokens is None
    with pytest.raises(ValueError, match="openai/x is not a local/ model"):
        ModelSpec(name="openai/x", context_tokens=32768)


def test_each_context_gets_its_own_server_started_with_it(tmp_path: Path) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    servers = LocalServers()
    default = servers.server_for(str(gguf))
    long = servers.server_for(str(gguf), 32768)
    assert (default.options.n_ctx, long.options.n_ctx) == (8192, 32768)
    assert servers.server_for(str(gguf), 8192) is default
    assert servers.server_for(str(gguf), 32768) is long


def config(context: int | None) -> RunConfig:
    return RunConfig(
        dataset=DatasetSpec(source="rows.jsonl"),
        protocol="single",
        options=ProtocolOptions(),
        models=[ModelRecord(role="default", name="local//m/qwen.gguf", context_tokens=context)],
    )


def test_a_run_recorded_without_its_context_resumes_at_the_default_only(tmp_path: Path) -> None:
    old = tmp_path / "run"
    old.mkdir()
    # what a run written before the context was recorded holds: no context_tokens key
    (old / "config.json").write_text(config(None).model_dump_json(exclude_none=True))
    assert "context_tokens" not in (old / "config.json").read_text()
    assert check_or_save_config(old, config(LOCAL_CONTEXT_TOKENS))  # resumes
    with pytest.raises(ConfigError, match=r"8192-token context → default: .* 32768-token"):
        check_or_save_config(old, config(32768))


def test_the_bench_check_passes_the_context_on(tmp_path: Path) -> None:
    spec = RunSpec(
        graph="single",
        config=CouncilConfig(model=ModelSpec(name="local/smollm2", context_tokens=32768)),
        model_given=True,
    )
    command = bench_command(spec, tmp_path / "rows.jsonl", tmp_path / "out", 1)
    assert command[command.index("--context") + 1] == "32768"
