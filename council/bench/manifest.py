"""What a run was: its results-determining configuration (checked on resume: options,
models, the data file's content, the prompt templates, the grader) and a fuller manifest
(package versions, problem ids) for reproducing it.

`config.json` and `manifest.json` are written once, by the session that starts the run;
each later session (a resume) is appended to `sessions.jsonl`, so what the run began with
is never overwritten by what resumed it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_serializer

from council.bench.datasets import DatasetSpec
from council.bench.durable import append_durably
from council.bench.problem_set import Problems
from council.errors import ConfigError
from council.protocols.definition import ProtocolCard
from council.protocols.options import ProtocolOptions
from council.protocols.run_spec import RunSpec
from council.runner import GraphRunner

RESUMABLE_CHANGES = frozenset(
    {
        "dataset.limit",
        "options.settings.timeout_seconds",
        "options.settings.max_retries",
        "options.settings.retry_backoff_seconds",
        "options.settings.max_retry_wait_seconds",
        "options.settings.requests_per_minute",
        "options.settings.tokens_per_minute",
        "options.reward.api_base",
    }
)
"""A larger --limit only adds problems (the order is fixed before the limit); how long a
call is waited for, how often it is retried, how fast requests are sent and where a server
is reached change no answer. (Models' addresses are compared without `api_base`: see
`RunConfig.compared`.)"""
CONFIG_FILE = "config.json"
MANIFEST_FILE = "manifest.json"
SESSIONS_FILE = "sessions.jsonl"

PACKAGES = ("council", "langgraph", "litellm", "llama_cpp_python", "pydantic", "math-verify")


class ModelRecord(BaseModel):
    role: str
    name: str
    api_base: str | None = None
    """Where the model was reached: recorded, never compared on resume (a server restarted
    on another port serves the same model); each session's is in `sessions.jsonl`."""


class Reach(BaseModel):
    """How one session reached its models and ran its problems: nothing here changes a
    result, so each may differ from session to session; each is recorded."""

    models: list[ModelRecord] = Field(default_factory=list)
    api_key_given: bool = Field(default=False, description="a key was passed (never the key)")
    concurrency: int | None = None
    workers: int | None = None
    executor: str | None = None


class RunConfig(BaseModel):
    """Everything that changes results. A resumed run must match it exactly."""

    dataset: DatasetSpec
    protocol: str
    options: ProtocolOptions
    models: list[ModelRecord]
    tools: list[str] = Field(default_factory=list)
    sandbox: str = "docker"
    allow_net: list[str] = Field(
        default_factory=list, description="what sandboxed code could reach (--allow-net)"
    )
    memory: bool = False
    mcp: list[str] = Field(default_factory=list, description="MCP servers whose tools agents had")
    data_sha256: str | None = Field(
        default=None, description="sha256 of the data file's bytes (None: a named set)"
    )
    prompt_hashes: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="sha256 of each agent's prompt templates"
    )
    grader: str = Field(default="", description="grader revision and math-verify version")
    card: ProtocolCard | None = Field(
        default=None,
        description="a built-in protocol as it ran: every role's decoding and templates, its "
        "counts, reference and deviations (None: a graph file)",
    )

    def compared(self) -> dict[str, Any]:
        """The config as a resume compares it: the models by role and name only (their
        addresses may move between sessions)."""
        data = self.model_dump(mode="json")
        data["models"] = [{"role": m["role"], "name": m["name"]} for m in data["models"]]
        return data

    @field_serializer("options")
    def _options_the_protocol_uses(self, options: ProtocolOptions) -> dict[str, Any]:
        """Only the options the protocol reads, and decoding: one it ignores changes no
        result, so neither its value nor a changed default of it should block a resume."""
        used = RunSpec(graph=self.protocol).uses()
        recorded = options.model_dump(mode="json", include=set(used))
        # the decoding the user set, and only that: what each role ran with is in `card`
        recorded["settings"] = options.settings.model_dump(mode="json", exclude_unset=True)
        return recorded


class ManifestHead(BaseModel):
    """The manifest but its problem ids, which are written as they stream by."""

    config: RunConfig
    prompt_hashes: dict[str, dict[str, str]]
    packages: dict[str, str]
    python: str
    started_at: str


class Manifest(ManifestHead):
    """`manifest.json` as read back."""

    problem_ids: list[str]


class Session(BaseModel):
    """One invocation that ran (or resumed) the run."""

    started_at: str
    problems: int
    limit: int | None
    packages: dict[str, str]
    python: str
    reach: Reach | None = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_sha256(source: str) -> str | None:
    """The data file's content hash; None for a named set (gsm8k, math500), which is
    fixed by name."""
    path = Path(source)
    return file_sha256(path) if path.is_file() else None


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
        name: node.agent.template_hashes()
        for name, node in runner.spec.nodes.items()
        if node.agent is not None
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_session(
    run_dir: Path,
    config: RunConfig,
    runner: GraphRunner,
    problems: Problems,
    reach: Reach | None = None,
) -> None:
    """Write `manifest.json` if this session starts the run; always append this session
    to `sessions.jsonl` (fsynced), with how it reached its models (`reach`; the models'
    addresses from `config` if not given)."""
    head = ManifestHead(
        config=config,
        prompt_hashes=prompt_hashes(runner),
        packages=package_versions(),
        python=platform.python_version(),
        started_at=_now(),
    )
    path = run_dir / MANIFEST_FILE
    if not path.exists():
        _write_manifest(path, head, (problem.id for problem in problems))
    session = Session(
        started_at=head.started_at,
        problems=len(problems),
        limit=config.dataset.limit,
        packages=head.packages,
        python=head.python,
        reach=reach or Reach(models=config.models),
    )
    append_durably(run_dir / SESSIONS_FILE, (session.model_dump_json() + "\n").encode())


def _write_manifest(path: Path, head: ManifestHead, problem_ids: Iterator[str]) -> None:
    """The head as pydantic writes it, then the ids one by one (a large run's ids are
    never in memory together); written aside and renamed, so a manifest is whole or
    absent."""
    text = head.model_dump_json(indent=2)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text[: text.rindex("}")].rstrip() + ',\n  "problem_ids": [')
        for index, problem_id in enumerate(problem_ids):
            handle.write(("," if index else "") + "\n    " + json.dumps(problem_id))
        handle.write("\n  ]\n}")
    partial.replace(path)


def _differences(saved: Any, current: Any, prefix: str = "") -> list[str]:
    if isinstance(saved, dict) and isinstance(current, dict):
        keys = sorted(set(saved) | set(current))
        return [
            d for k in keys for d in _differences(saved.get(k), current.get(k), f"{prefix}{k}.")
        ]
    return [prefix.rstrip(".")] if saved != current else []


def _lookup(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _short(value: Any) -> str:
    text = str(value)
    return text[:12] if isinstance(value, str) and len(value) == 64 else text


def _describe(name: str, saved: dict[str, Any], current: dict[str, Any]) -> str:
    old, new = _lookup(saved, name), _lookup(current, name)
    if name == "data_sha256":
        return f"the data file's content changed (sha256 {_short(old)}… → {_short(new)}…)"
    if name.startswith("prompt_hashes."):
        return f"prompt template {name.removeprefix('prompt_hashes.')} changed"
    if name == "models":
        return (
            "the models changed ("
            + ", ".join(f"{m['role']}: {m['name']}" for m in old or [])
            + " → "
            + ", ".join(f"{m['role']}: {m['name']}" for m in new or [])
            + ")"
        )
    if name == "grader":
        return f"the grader changed ({old} → {new})"
    return f"{name} {old} → {new}"


def check_or_save_config(run_dir: Path, config: RunConfig) -> bool:
    """Save the config of a new run; for an existing one, refuse any difference (the data
    file is compared by content, so a moved file resumes and an edited one does not).
    Returns True when resuming."""
    path = run_dir / CONFIG_FILE
    if not path.exists():
        run_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(config.model_dump_json(indent=2))
        return False
    saved = RunConfig.model_validate_json(path.read_text())
    resumable = set(RESUMABLE_CHANGES)
    if saved.data_sha256 is not None and saved.data_sha256 == config.data_sha256:
        resumable.add("dataset.source")
    old, new = saved.compared(), config.compared()
    differences = [d for d in _differences(old, new) if d not in resumable]
    if differences:
        shown = "; ".join(_describe(d, old, new) for d in differences)
        raise ConfigError(
            f"{run_dir} holds a run with a different configuration: {shown}; "
            "resume with the same data, prompts, grader and options, or use a new --out"
        )
    return True
