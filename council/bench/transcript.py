"""A problem's full transcript read back from a run directory: every call with the
messages it was sent, as `CallRecord`s (the result line keeps only message hashes)."""

from __future__ import annotations

from pathlib import Path

from council.bench.messages import MessageStore
from council.bench.results import RESULTS_FILE, ResultsFile
from council.calls import CallRecord
from council.errors import ConfigError


def load_transcript(run_dir: Path, problem_id: str) -> list[CallRecord]:
    """The calls of the problem's latest result line, whole."""
    lines = ResultsFile(run_dir / RESULTS_FILE).latest_by_problem()
    if problem_id not in lines:
        raise ConfigError(f"{run_dir} has no result for problem {problem_id!r}")
    messages = MessageStore(run_dir).read()
    return [call.restore(messages) for call in lines[problem_id].calls]
