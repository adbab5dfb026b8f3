"""Reading `council bench` run directories for people: summaries, problem tables, full
transcripts and paired comparisons. The one place the web view (and `council mcp`'s
`bench_summary`) reads runs; the files themselves are read by `council.run_log`, so a
change of the format is met there only.

Runs are read live (`RunLog.read(..., live=True)`): the bench that owns a run cuts a torn
last line off its file, which is wrong for a viewer watching a run that `council bench` is
still writing (its half-written line would be cut from under it), so here a last line
with no newline yet is skipped and the file left alone. Views read each line's head
(grade, counts), not its calls and turns, and a transcript holds only its own problem's
line and messages, so a run of 100,000 problems is viewed in bounded memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from council.bench.report import PairedComparison, paired_lines
from council.run_log.config import RunConfig
from council.run_log.log import RunInfo, RunLog, run_directory, run_info
from council.run_log.results import ResultHead
from council.run_log.summary import Summary
from council.run_log.transcript import Transcript, load_transcript

Outcome = Literal["correct", "wrong", "error", "extraction_failed"]


class RunView(BaseModel):
    info: RunInfo
    summary: Summary
    config: RunConfig | None
    """None: the run was written without a config (a library caller's run)."""
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


def view_run(path: str | Path) -> RunView:
    log = RunLog.read(path, live=True)
    lines = list(log.results.values())
    truncated = [line.truncated_calls for line in lines]
    info = run_info(log.location)
    if log.still_writing:  # (mtimes alone miss a same-tick append)
        info = info.model_copy(update={"live": True})
    return RunView(
        info=info,
        summary=log.summary,
        config=log.config,
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
    for line in RunLog.read(path, live=True).results.values():
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
    return load_transcript(run_directory(path), problem_id, repair=False)


def compare(first: str | Path, second: str | Path) -> PairedComparison:
    a, b = RunLog.read(first, live=True), RunLog.read(second, live=True)
    return paired_lines(str(a.location), a.results, str(b.location), b.results)
