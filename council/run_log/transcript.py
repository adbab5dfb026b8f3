"""A problem's full transcript read back from a run directory: every call with the
messages it was sent, as `CallRecord`s (the result line keeps only message hashes).

Only that problem's latest line and the messages its calls name are held, so a transcript
of a run of 100,000 problems reads two files once and keeps one problem's worth."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from council.calls import CallRecord
from council.errors import ConfigError
from council.run_log.message_store import MessageStore
from council.run_log.results import RESULTS_FILE, ResultLine, ResultsFile


class Transcript(BaseModel):
    line: ResultLine
    calls: list[CallRecord]
    """Every call with the messages it was sent (from the run's message store)."""


def load_transcript(run_dir: Path, problem_id: str, *, repair: bool = True) -> Transcript:
    """The problem's latest line and its calls, whole. `repair=False` for a viewer of a run
    still being written: a half-written last line is skipped, not cut off the file."""
    line = ResultsFile(run_dir / RESULTS_FILE).latest_of(problem_id, repair=repair)
    if line is None:
        raise ConfigError(f"{run_dir} has no result for problem {problem_id!r}")
    wanted = {digest for call in line.calls for digest in call.message_hashes}
    messages = MessageStore(run_dir).read(repair=repair, only=wanted)
    return Transcript(line=line, calls=[call.restore(messages) for call in line.calls])
