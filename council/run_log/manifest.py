"""`manifest.json`: what a run was, for reproducing it: its config, prompt hashes, package
versions, Python, start time and problem ids; written once (whole or not at all), by the
session that starts the run. Each session, that one and every resume, is appended to
`sessions.jsonl` (`council.run_log.sessions`), so what the run began with is never
overwritten by what resumed it."""

from __future__ import annotations

import importlib.metadata
import json
import platform
from collections.abc import Iterable, Iterator, Sized
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from council.run_log.config import RunConfig
from council.run_log.provenance import council_revision, cpu_model, model_file_hashes
from council.run_log.sessions import Reach, Session, append_session
from council.runner import GraphRunner

MANIFEST_FILE = "manifest.json"

PACKAGES = {
    "council": "council-reasoning",
    "langgraph": "langgraph",
    "litellm": "litellm",
    "llama_cpp_python": "llama_cpp_python",
    "pydantic": "pydantic",
    "math-verify": "math-verify",
}
"""Recorded name -> distribution name."""


class HasId(Protocol):
    @property
    def id(self) -> str: ...


class ProblemList(Sized, Iterable[HasId], Protocol):
    """The problems a session runs: any sized iterable of things with an id (a list of
    problems, a `council.bench.problem_set.ProblemSet`)."""


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


def package_versions() -> dict[str, str]:
    versions = {}
    for name, distribution in PACKAGES.items():
        try:
            versions[name] = importlib.metadata.version(distribution)
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
    problems: ProblemList,
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
        council_revision=council_revision(),
        model_files=model_file_hashes([model.name for model in config.models]),
        cpu=cpu_model(),
    )
    append_session(run_dir, session)


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


def read_manifest(run_dir: Path) -> Manifest | None:
    """The run's manifest (None: not written, e.g. a run started by a library caller)."""
    path = run_dir / MANIFEST_FILE
    return Manifest.model_validate_json(path.read_text()) if path.exists() else None
