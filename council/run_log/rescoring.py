"""`<name>.jsonl` and `summary.<name>.json`: a run scored again offline (`regrade`,
`revote-<rule>[-r<R>]`), beside the run and never over it: one line per problem whose
answer was graded again (with its old answer and grade), and the summary the run would
have had with those grades."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from council.run_log.jsonl import json_lines
from council.run_log.summary import Summary


class Rescored(BaseModel):
    """One problem scored again: the answer it now has, its grade, and the old grade."""

    problem_id: str
    answer: str | None
    predicted: str | None
    correct: bool
    extraction_failed: bool
    was_answer: str | None
    was_correct: bool


def rescoring_paths(run_dir: Path, name: str) -> tuple[Path, Path]:
    """(per-problem lines, summary) of the rescoring called `name`."""
    return run_dir / f"{name}.jsonl", run_dir / f"summary.{name}.json"


def write_rescoring(
    run_dir: Path, name: str, rescored: list[Rescored], summary: Summary
) -> tuple[Path, Path]:
    """Write (over an earlier one of the same name) and return where."""
    lines_path, summary_path = rescoring_paths(run_dir, name)
    lines_path.write_text("".join(item.model_dump_json() + "\n" for item in rescored))
    summary_path.write_text(summary.model_dump_json(indent=2))
    return lines_path, summary_path


def read_rescoring(run_dir: Path, name: str) -> tuple[list[Rescored], Summary]:
    """A rescoring written earlier: its lines and its summary."""
    lines_path, summary_path = rescoring_paths(run_dir, name)
    lines = [line for _, line in json_lines(lines_path, Rescored, repair=False, what="rescored")]
    return lines, Summary.model_validate_json(summary_path.read_text())
