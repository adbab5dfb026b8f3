"""The terminal's progress bar for `council bench` (a `council.bench.progress.ProgressView`)."""

from __future__ import annotations

from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn


class RichProgress:
    def __init__(self, console: Any) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"),
            console=console,
            transient=False,
        )
        self._task: Any = None

    def start(self, label: str, total: int, completed: int, text: str) -> None:
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, completed=completed, tally=text)

    def update(self, completed: int, text: str) -> None:
        self._progress.update(self._task, completed=completed, tally=text)

    def stop(self) -> None:
        self._progress.stop()
