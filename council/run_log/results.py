"""The results file: one JSON line per finished problem, appended and fsynced at once, so
a crash loses nothing that finished and a re-run skips exactly what is done.

A line holds the grade, the problem's counts (tokens, truncations, how answers were read),
every call (its messages as hashes into `messages.jsonl`), every turn and every vote table.
Summaries and resume read only the head of each line (`ResultHead`), one line at a time
(`council.run_log.ledger`), so they stay fast and small on large runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field

from council.calls import CallCost
from council.graphs.state import Step
from council.run_log.durable import append_durably
from council.run_log.jsonl import json_lines
from council.run_log.records import RecordedCall, RecordedTurn
from council.scoring.base import Selection
from council.voting import VoteTable

RESULTS_FILE = "results.jsonl"
Line = TypeVar("Line", bound=BaseModel)


class ResultHead(BaseModel):
    """A result line without its calls, turns, votes and steps: what summaries read."""

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
    call_count: int = 0
    truncated_calls: int = 0
    """Replies cut at the token limit (`finish_reason == "length"`)."""
    extractions: dict[str, int] = Field(default_factory=dict)
    """How the turns' answers were read, by method (`boxed`, `marker`, `last_number`, `none`)."""
    error: str | None = None
    failure: str | None = None
    """Why the run ended with no answer as the problem's own outcome (status
    `context_exceeded`): counted wrong and kept, not run again like an `error`."""

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def done(self) -> bool:
        return self.error is None


Head = TypeVar("Head", bound=ResultHead)


class ResultLine(ResultHead):
    calls: list[RecordedCall] = Field(default_factory=list)
    turns: list[RecordedTurn] = Field(default_factory=list)
    votes: list[VoteTable] = Field(default_factory=list)
    selections: list[Selection] = Field(default_factory=list)
    """Scorers' choices with every candidate's score (`best-of-n`), for pick@k."""
    steps: list[Step] = Field(default_factory=list)


class ResultCosts(ResultHead):
    """A line's head and its calls' costs (role, agent, usage): what a run's ledger folds
    for usage by role and agent, without the calls' messages and replies."""

    calls: list[CallCost] = Field(default_factory=list)


class ResultTurns(ResultCosts):
    """A line's turns, scorers' choices and calls' costs: what re-votes and every-k reports
    read (`ResultsFile.latest(ResultTurns)`), a fraction of a whole line (no replies)."""

    turns: list[RecordedTurn] = Field(default_factory=list)
    selections: list[Selection] = Field(default_factory=list)


class ResultsFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_run(cls, run_dir: Path) -> ResultsFile:
        """The results file of a run directory (which need not exist yet)."""
        return cls(run_dir / RESULTS_FILE)

    def read(self) -> list[ResultLine]:
        """Every readable line, whole; a torn last line (a crash mid-write) is cut off."""
        return self._read(ResultLine)

    def heads(self) -> list[ResultHead]:
        """Every readable line without its calls, turns, votes and steps (fast)."""
        return self._read(ResultHead)

    def iter_heads(self) -> Iterator[ResultHead]:
        """`heads`, one line at a time, in the order they were written."""
        return self.lines(ResultHead)

    def _read(self, model: type[Line]) -> list[Line]:
        return list(self.lines(model))

    def lines(self, model: type[Line], *, repair: bool = True) -> Iterator[Line]:
        """Every line as `model`, one at a time in the order written, so a large run's
        file is never in memory whole. `repair=False` for a reader of a run that may still
        be being written: its unfinished last line is skipped, the file left alone (see
        `council.run_log.jsonl`)."""
        for _, line in json_lines(self.path, model, repair=repair, what="result"):
            yield line

    def latest(self, model: type[Head], *, repair: bool = True) -> dict[str, Head]:
        """Each problem's last line (a retried problem has its earlier error line too), read
        as `model`: `ResultHead` or a narrower view holds far less than whole lines."""
        return {line.problem_id: line for line in self.lines(model, repair=repair)}

    def latest_of(self, problem_id: str, *, repair: bool = True) -> ResultLine | None:
        """One problem's last line, whole, holding no other problem's line: every line is
        read as its head, and only the one found is parsed in full."""
        found: bytes | None = None
        for raw, head in json_lines(self.path, ResultHead, repair=repair, what="result"):
            if head.problem_id == problem_id:
                found = raw
        return None if found is None else ResultLine.model_validate_json(found)

    def append(self, line: ResultLine) -> None:
        self.append_many([line])

    def append_many(self, lines: list[ResultLine]) -> None:
        """Append the lines with one fsync (a group commit). A run's own writer appends
        through `council.run_log.writer`, which keeps the file open."""
        append_durably(self.path, encode_lines(lines))


def encode_lines(lines: list[ResultLine]) -> bytes:
    """The lines as `results.jsonl` holds them."""
    return "".join(line.model_dump_json() + "\n" for line in lines).encode()
