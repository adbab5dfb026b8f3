"""The run's single writer: finished problems land in `messages.jsonl` and `results.jsonl`
in the order they arrive, fsynced, whichever executor ran them.

Messages are written before the result lines naming them, so a line never refers to a
message that is not on disk. A batch is hashed and serialised on the event loop, then
appended and fsynced in a thread, one batch at a time, so the loop never waits for the
disk (a Ray cluster's shared run directory may be slow) while other problems are in
flight; what arrives while a batch is being written goes into the next one, so under load
one fsync covers many problems instead of each paying its own.

A run of one problem at a time commits on the loop instead (`inline`): there is nothing
else for the loop to serve while the disk syncs, and the hop to a thread and back costs
two wake-ups, about 0.3 ms of CPU a problem against the instant stub (a quarter of what
the bench runner adds to a problem, measured by switching its pieces off in turn). With
16 in flight the same change cost 0.12-0.2 ms a problem, so it is not done there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from council.calls import CallRecord
from council.run_log.durable import DurableFile
from council.run_log.message_store import MessageStore
from council.run_log.records import RecordedCall
from council.run_log.results import RESULTS_FILE, ResultLine, ResultsFile, encode_lines

ResultCallback = Callable[[ResultLine], None]


class FinishedProblem(Protocol):
    """A finished problem as the writer takes it (`council.bench.problem.ProblemOutcome`):
    its line without calls, and its calls whole (their messages go to `messages.jsonl`)."""

    @property
    def line(self) -> ResultLine: ...

    @property
    def calls(self) -> Sequence[CallRecord]: ...


@dataclass(frozen=True)
class StagedBatch:
    """Finished problems made ready to append: their result lines, and the bytes of the
    new message lines and of the result lines."""

    lines: list[ResultLine]
    message_bytes: bytes
    result_bytes: bytes


class RunRecorder:
    """Writes finished problems: messages first, then the lines naming them."""

    def __init__(self, run_dir: Path) -> None:
        self.results = ResultsFile(run_dir / RESULTS_FILE)
        self.messages = MessageStore(run_dir)
        self.messages.load_known()  # a resumed run's stored tail, read now, not mid-run
        self._message_file = DurableFile(self.messages.path)
        self._results_file = DurableFile(self.results.path)

    def stage(self, outcomes: Sequence[FinishedProblem]) -> StagedBatch:
        """Hash the messages and serialise the lines (CPU work, for the event loop)."""
        hashes, message_bytes = self.messages.stage(c.messages for o in outcomes for c in o.calls)
        hashes_of = iter(hashes)
        lines = [
            o.line.model_copy(
                update={"calls": [RecordedCall.of(c, next(hashes_of)) for c in o.calls]}
            )
            for o in outcomes
        ]
        return StagedBatch(lines, message_bytes, encode_lines(lines))

    def commit(self, batch: StagedBatch) -> None:
        """Append and fsync the messages, then the lines naming them (system calls only,
        for a thread: they release the GIL)."""
        self._message_file.append(batch.message_bytes)
        self._results_file.append(batch.result_bytes)

    def close(self) -> None:
        self._message_file.close()
        self._results_file.close()


class WriteQueue:
    """Serialises writes in arrival order; `close` waits for everything put so far, even
    when the run is failing or being cancelled (a finished problem's write must land).

    `on_result` is told each line once it is on disk; `on_written`, after each batch (also
    a failed one), so a driver holding problems back until the writer catches up
    (`pending`) knows when to go on. `inline`: commit on the event loop, for a run with
    one problem in flight (see the module's docstring)."""

    def __init__(
        self,
        recorder: RunRecorder,
        on_result: ResultCallback | None = None,
        on_written: Callable[[], None] | None = None,
        *,
        inline: bool = False,
    ) -> None:
        self.recorder = recorder
        self.inline = inline
        self.on_result = on_result
        self.on_written = on_written
        self._waiting: list[FinishedProblem] = []
        self._writing = 0
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Outcomes put and not yet on disk."""
        return len(self._waiting) + self._writing

    def put(self, outcome: FinishedProblem) -> None:
        self._waiting.append(outcome)
        if self._task is None or self._task.done():
            if self._task is not None and self._task.exception() is not None:
                raise self._task.exception()  # type: ignore[misc]
            self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            self._writing = len(batch)
            try:
                staged = self.recorder.stage(batch)
                if self.inline:
                    self.recorder.commit(staged)
                else:
                    await asyncio.to_thread(self.recorder.commit, staged)
                if self.on_result is not None:
                    for line in staged.lines:
                        self.on_result(line)
            finally:
                self._writing = 0
                if self.on_written is not None:
                    self.on_written()

    async def close(self) -> None:
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
        if self._task is not None:
            self._task.result()  # a failed write (disk full) is raised, not swallowed
