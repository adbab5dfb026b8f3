"""`sessions.jsonl`: one line per invocation that ran (or resumed) the run, with how it
reached its models. Nothing here changes a result, so it may differ from session to
session; each is kept (appended and fsynced), none overwritten."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from council.run_log.config import ModelRecord
from council.run_log.durable import append_durably
from council.run_log.jsonl import json_lines

SESSIONS_FILE = "sessions.jsonl"


class Reach(BaseModel):
    """How one session reached its models and ran its problems: nothing here changes a
    result, so each may differ from session to session; each is recorded."""

    models: list[ModelRecord] = Field(default_factory=list)
    api_key_given: bool = Field(default=False, description="a key was passed (never the key)")
    concurrency: int | None = None
    workers: int | None = None
    executor: str | None = None


class Session(BaseModel):
    """One invocation that ran (or resumed) the run."""

    started_at: str
    problems: int
    limit: int | None
    packages: dict[str, str]
    python: str
    reach: Reach | None = None
    council_revision: str | None = None
    """The git commit of council's source (`+modified`: with uncommitted changes); None:
    an installed release, named in `packages`, or a session before this was recorded."""
    model_files: dict[str, str] = Field(default_factory=dict)
    """sha256 of each local model's GGUF file, by model name."""
    cpu: str = ""


def append_session(run_dir: Path, session: Session) -> None:
    append_durably(run_dir / SESSIONS_FILE, (session.model_dump_json() + "\n").encode())


def read_sessions(run_dir: Path) -> list[Session]:
    """Every session so far, oldest first; the file is left alone (a session may be
    appending to it)."""
    path = run_dir / SESSIONS_FILE
    return [line for _, line in json_lines(path, Session, repair=False, what="session")]
