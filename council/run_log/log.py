"""A run directory read back as one typed value, as inspect_ai's `EvalLog` is for an eval:
the run's config, each problem's result, and its summary; the calls' messages are read
only when asked for (`messages`, `transcript`), as they are most of a run's bytes.

`RunLog.read(path)` reads each problem's latest result line as its head (grade, counts,
error), so a log of 100,000 problems holds no transcripts; `lines` reads them again as a
fuller view (`ResultTurns` for re-votes, `ResultLine` whole). `live=True` is for a run that
`council bench` may still be writing (a viewer, a study's budget): a last line with no
newline yet is skipped and the files are left alone, where the bench that owns a run
(`live=False`) cuts a torn last line off. `RunLog.stream` reads the lines written so far,
one at a time, without keeping them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel

from council.errors import ConfigError
from council.messages import Message
from council.run_log.config import RunConfig, read_config
from council.run_log.ledger import Ledger
from council.run_log.message_store import MessageStore
from council.run_log.results import RESULTS_FILE, Head, ResultHead, ResultsFile
from council.run_log.summary import (
    SUMMARY_FILE,
    SavedSummary,
    Summary,
    TokenBudget,
    read_budget,
    read_saved_summary,
    summary_of,
)
from council.run_log.transcript import Transcript, load_transcript


class RunInfo(BaseModel):
    """A run directory as a list of runs shows it."""

    path: str
    name: str
    live: bool
    """results.jsonl changed after the last summary.json: `council bench` is (or was
    stopped while) writing it."""
    modified: float


def run_directory(path: str | Path) -> Path:
    """`path` resolved, if it is a run directory (it has a results file)."""
    directory = Path(path).expanduser().resolve()
    if not (directory / RESULTS_FILE).is_file():
        raise ConfigError(f"{directory} has no {RESULTS_FILE}; is it a `council bench --out` dir?")
    return directory


def run_info(directory: Path) -> RunInfo:
    results = directory / RESULTS_FILE
    summary = directory / SUMMARY_FILE
    modified = results.stat().st_mtime
    live = not summary.exists() or modified > summary.stat().st_mtime
    return RunInfo(path=str(directory), name=directory.name, live=live, modified=modified)


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


class RunLog(BaseModel):
    """A run directory, typed: what it computed (`config`), what each problem came to
    (`results`), and the summary of those."""

    location: Path
    live: bool
    """Read as a run that may still be being written (its files left alone)."""
    budget: TokenBudget | None
    """The target of a token-matched run (`--baseline`), None for any other."""
    saved_summary: SavedSummary | None
    """What the run's last `summary.json` says of it (None: not written yet)."""
    results: dict[str, ResultHead]
    """Each problem's latest line, head only, in the order the problems last finished."""

    @classmethod
    def read(cls, path: str | Path, *, live: bool = False) -> RunLog:
        directory = run_directory(path)
        return cls(
            location=directory,
            live=live,
            budget=read_budget(directory),
            saved_summary=read_saved_summary(directory),
            results=ResultsFile.in_run(directory).latest(ResultHead, repair=not live),
        )

    @staticmethod
    def stream(path: str | Path, model: type[Head], *, live: bool = True) -> Iterator[Head]:
        """Every result line written so far (a retried problem's earlier lines too), read
        as `model` one at a time and not kept; nothing if the run has no results yet."""
        return ResultsFile.in_run(Path(path)).lines(model, repair=not live)

    @cached_property
    def config(self) -> RunConfig | None:
        """What the run computed (None: it was written without a config, by a library
        caller's `run_benchmark`). Read when first asked for, so a run whose config an
        older version wrote can still be summarised, re-graded and re-voted."""
        return read_config(self.location)

    @cached_property
    def summary(self) -> Summary:
        """The summary of the results as read now (the run's own, if it has finished;
        one that counts what has been written so far, if it has not), with the wall time
        of the sessions that wrote a summary. The file is read again a line at a time for
        the calls' costs (usage by role and agent), which `results` does not hold."""
        wall = self.saved_summary.wall_seconds if self.saved_summary is not None else 0.0
        ledger = Ledger.read(ResultsFile.in_run(self.location), repair=not self.live)
        return summary_of(ledger, wall, self.budget)

    @property
    def still_writing(self) -> bool:
        """Whether more problems are recorded than the last summary counted: a session
        is writing the run, or was stopped before it wrote its summary."""
        saved = self.saved_summary
        return saved is None or saved.problems != len(self.results)

    def lines(self, model: type[Head]) -> dict[str, Head]:
        """Each problem's latest line read again as `model` (`ResultTurns`: the turns and
        calls' costs; `ResultLine`: whole)."""
        return self.read_lines(self.location, model, live=self.live)

    @staticmethod
    def read_lines(path: str | Path, model: type[Head], *, live: bool = False) -> dict[str, Head]:
        """Each problem's latest line of the run at `path` as `model`, with nothing else
        read (a re-vote's or a study's view of a run)."""
        return ResultsFile.in_run(run_directory(path)).latest(model, repair=not live)

    def messages(self, only: Collection[str] | None = None) -> dict[str, Message]:
        """The run's stored messages by hash: all, or those in `only`."""
        return MessageStore(self.location).read(repair=not self.live, only=only)

    def transcript(self, problem_id: str) -> Transcript:
        """The problem's latest line, whole, and its calls with the messages they sent."""
        return load_transcript(self.location, problem_id, repair=not self.live)
