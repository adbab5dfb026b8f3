"""Reading `council bench` run directories for people: summaries, problem tables, full
transcripts and paired comparisons. The one place the web view (and `council mcp`'s
`bench_summary`) reads runs, so a change of the results format is met here only.

Runs are read with `repair=False`: the bench that owns a run cuts a torn last line off its
file, which is wrong for a viewer watching a run that `council bench` is still writing (its
half-written line would be cut from under it), so here a last line with no newline yet is
skipped and the file left alone. Views read each line's head (grade, counts), not its
calls and turns, and a transcript holds only its own problem's line and messages, so a
run of 100,000 problems is viewed in bounded memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from council.bench.report import PairedComparison, paired_lines
from council.bench.results import RESULTS_FILE, ResultHead, ResultsFile
from council.bench.summary import Summary, summarise
from council.bench.transcript import Transcript, load_transcript
from council.errors import ConfigError

Outcome = Literal["correct", "wrong", "error", "extraction_failed"]


class RunInfo(BaseModel):
    path: str
    name: str
    live: bool
    """results.jsonl changed after the last summary.json: `council bench` is (or was
    stopped while) writing it."""
    modified: float


class RunView(BaseModel):
    info: RunInfo
    summary: Summary
    config: dict[str, object]
    truncated_problems: int
    """Problems with at least one reply cut at the token limit (its answer not trusted)."""
    truncated_calls: int
    errors: list[tuple[str, str]]
    """(problem id, error) of every problem whose run failed."""


class ProblemRow(BaseModel):
    problem_id: str
    question: str
    gold: str
    predicted: str | None
    outcome: Outcome
    tokens: int
    calls: int
    truncated_calls: int
    seconds: float


def run_dir(path: str | Path) -> Path:
    directory = Path(path).expanduser().resolve()
    if not (directory / RESULTS_FILE).is_file():
        raise ConfigError(f"{directory} has no {RESULTS_FILE}; is it a `council bench --out` dir?")
    return directory


def find_runs(root: str | Path) -> list[RunInfo]:
    """A run directory itself, or the run directories inside a folder (two levels deep)."""
    base = Path(root).expanduser().resolve()
    if not base.is_dir():
        raise ConfigError(f"{base} is not a directory")
    if (base / RESULTS_FILE).is_file():
        return [run_info(base)]
    nested = [*base.glob(f"*/{RESULTS_FILE}"), *base.glob(f"*/*/{RESULTS_FILE}")]
    found = sorted({p.parent for p in nested})
    return [run_info(directory) for directory in found]


def run_info(directory: Path) -> RunInfo:
    results = directory / RESULTS_FILE
    summary = directory / "summary.json"
    modified = results.stat().st_mtime
    live = not summary.exists() or modified > summary.stat().st_mtime
    return RunInfo(path=str(directory), name=directory.name, live=live, modified=modified)


def read_heads(directory: Path) -> dict[str, ResultHead]:
    """The latest line of each problem, its head only; the file is never modified."""
    return ResultsFile(directory / RESULTS_FILE).latest(ResultHead, repair=False)


def _json_file(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def view_run(path: str | Path) -> RunView:
    directory = run_dir(path)
    lines = list(read_heads(directory).values())
    wall = _json_file(directory / "summary.json").get("wall_seconds", 0.0)
    summary = summarise(lines, float(wall) if isinstance(wall, int | float) else 0.0)
    truncated = [line.truncated_calls for line in lines]
    info = run_info(directory)
    written = _json_file(directory / "summary.json").get("problems")
    if written != len(lines):  # more problems than the last summary: still being written
        info = info.model_copy(update={"live": True})  # (mtimes alone miss a same-tick append)
    return RunView(
        info=info,
        summary=summary,
        config=_json_file(directory / "config.json"),
        truncated_problems=sum(1 for count in truncated if count),
        truncated_calls=sum(truncated),
        errors=[(line.problem_id, line.error) for line in lines if line.error is not None],
    )


def outcome(line: ResultHead) -> Outcome:
    if line.error is not None:
        return "error"
    if line.correct:
        return "correct"
    return "extraction_failed" if line.extraction_failed else "wrong"


PAGE_ROWS = 200
"""Problems per page of the run view: a table of 100,000 rows would stall the browser."""


class ProblemPage(BaseModel):
    rows: list[ProblemRow]
    total: int
    """Problems with the outcome asked for (all pages)."""
    offset: int
    limit: int


def problem_rows(
    path: str | Path,
    only: Outcome | None = None,
    *,
    offset: int = 0,
    limit: int = PAGE_ROWS,
) -> ProblemPage:
    """The run's problems in the order they finished, `limit` of them from `offset`."""
    rows = []
    total = 0
    for line in read_heads(run_dir(path)).values():
        kind = outcome(line)
        if only is not None and kind != only:
            continue
        total += 1
        if not offset < total <= offset + limit:
            continue
        rows.append(
            ProblemRow(
                problem_id=line.problem_id,
                question=line.question,
                gold=line.gold,
                predicted=line.predicted,
                outcome=kind,
                tokens=line.tokens,
                calls=line.call_count,
                truncated_calls=line.truncated_calls,
                seconds=line.seconds,
            )
        )
    return ProblemPage(rows=rows, total=total, offset=offset, limit=limit)


def transcript(path: str | Path, problem_id: str) -> Transcript:
    """The problem's whole line: every call with the messages sent and the reply."""
    return load_transcript(run_dir(path), problem_id, repair=False)


def compare(first: str | Path, second: str | Path) -> PairedComparison:
    a, b = run_dir(first), run_dir(second)
    return paired_lines(str(a), read_heads(a), str(b), read_heads(b))
