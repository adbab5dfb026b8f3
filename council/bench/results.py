"""The results file: one JSON line per finished problem, appended and fsynced at once, so
a crash loses nothing that finished and a re-run skips exactly what is done."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from council.calls import CallRecord
from council.errors import DatasetError
from council.graphs.state import Step


class ResultLine(BaseModel):
    problem_id: str
    question: str
    gold: str
    answer: str | None = None
    predicted: str | None = None
    correct: bool = False
    extraction_failed: bool = False
    status: str = ""
    rounds: int = 0
    stopped_round: int | None = None
    stopped_early: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    calls: list[CallRecord] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    error: str | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def done(self) -> bool:
        return self.error is None


class ResultsFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._append_lock = threading.Lock()  # appends come from worker threads

    def read(self) -> list[ResultLine]:
        """Every readable line; a torn last line (a crash mid-write) is cut off."""
        if not self.path.exists():
            return []
        raw_lines = self.path.read_bytes().splitlines(keepends=True)
        lines: list[ResultLine] = []
        good_end = 0
        for index, raw in enumerate(raw_lines):
            try:
                lines.append(ResultLine.model_validate_json(raw))
            except ValidationError as exc:
                if index < len(raw_lines) - 1:
                    raise DatasetError(
                        f"{self.path}:{index + 1}: unreadable result line; fix or delete it"
                    ) from exc
                print(
                    f"warning: {self.path}: dropping a torn last line (a crash mid-write); "
                    "that problem will run again",
                    file=sys.stderr,
                )
                with self.path.open("r+b") as handle:
                    handle.truncate(good_end)
                break
            good_end += len(raw)
        return lines

    def latest_by_problem(self) -> dict[str, ResultLine]:
        latest: dict[str, ResultLine] = {}
        for line in self.read():
            latest[line.problem_id] = line
        return latest

    def done_ids(self) -> set[str]:
        return {pid for pid, line in self.latest_by_problem().items() if line.done}

    def append(self, line: ResultLine) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._append_lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line.model_dump_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
