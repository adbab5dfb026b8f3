"""`study-state.json`: what a study directory holds so far — the study file as it was
first run, the problems of the current batch, the grader check, each pool's size, and why
the last session stopped. Written whole (aside, then renamed), so it is never torn."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from council.studies.grader_check import GraderCheck
from council.studies.study_file import StudyFile

STATE_FILE = "study-state.json"
Status = Literal["running", "done", "budget", "decided", "stopped"]


class PoolSize(BaseModel):
    samples: int
    reason: str


class StudyState(BaseModel):
    study: StudyFile
    base: str = Field(description="the study file's folder: relative paths are read from it")
    problem_ids: list[str] = Field(default_factory=list, description="the current batch's")
    limit: int = 0
    total: int = 0
    grader_check: GraderCheck | None = None
    pools: dict[str, PoolSize] = Field(default_factory=dict)
    status: Status = "running"
    reason: str = ""

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / STATE_FILE
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.model_dump_json(indent=2))
        partial.replace(path)

    @classmethod
    def load(cls, directory: Path) -> StudyState | None:
        path = directory / STATE_FILE
        return cls.model_validate_json(path.read_text()) if path.exists() else None
