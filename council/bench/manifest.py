"""What a run was: its results-determining configuration (checked on resume) and a fuller
manifest (prompt hashes, package versions) for reproducing it."""

from __future__ import annotations

import importlib.metadata
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from council.bench.datasets import DatasetSpec
from council.errors import ConfigError
from council.protocols.options import ProtocolOptions
from council.runner import GraphRunner

RESUMABLE_CHANGES = frozenset({"dataset.limit"})
"""A larger --limit only adds problems (the order is fixed before the limit)."""

PACKAGES = ("council", "langgraph", "litellm", "llama_cpp_python", "pydantic", "math-verify")


class ModelRecord(BaseModel):
    role: str
    name: str
    api_base: str | None = None


class RunConfig(BaseModel):
    """Everything that changes results. A resumed run must match it exactly."""

    dataset: DatasetSpec
    protocol: str
    options: ProtocolOptions
    models: list[ModelRecord]
    tools: list[str] = Field(default_factory=list)
    sandbox: str = "docker"
    memory: bool = False


class Manifest(BaseModel):
    config: RunConfig
    prompt_hashes: dict[str, dict[str, str]]
    packages: dict[str, str]
    python: str
    started_at: str
    problem_ids: list[str]


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def prompt_hashes(runner: GraphRunner) -> dict[str, dict[str, str]]:
    return {
        name: node.agent.prompts.hashes()
        for name, node in runner.spec.nodes.items()
        if node.agent is not None
    }


def build_manifest(config: RunConfig, runner: GraphRunner, problem_ids: list[str]) -> Manifest:
    return Manifest(
        config=config,
        prompt_hashes=prompt_hashes(runner),
        packages=package_versions(),
        python=platform.python_version(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        problem_ids=problem_ids,
    )


def _differences(saved: Any, current: Any, prefix: str = "") -> list[str]:
    if isinstance(saved, dict) and isinstance(current, dict):
        keys = sorted(set(saved) | set(current))
        return [
            d for k in keys for d in _differences(saved.get(k), current.get(k), f"{prefix}{k}.")
        ]
    return [prefix.rstrip(".")] if saved != current else []


def check_or_save_config(run_dir: Path, config: RunConfig) -> bool:
    """Save the config of a new run; for an existing one, refuse any difference.
    Returns True when resuming."""
    path = run_dir / "config.json"
    if not path.exists():
        run_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(config.model_dump_json(indent=2))
        return False
    saved = RunConfig.model_validate_json(path.read_text())
    differences = [
        d
        for d in _differences(saved.model_dump(mode="json"), config.model_dump(mode="json"))
        if d not in RESUMABLE_CHANGES
    ]
    if differences:
        raise ConfigError(
            f"{run_dir} holds a run with a different configuration ({', '.join(differences)}); "
            "resume with the same options, or use a new --out"
        )
    return True
