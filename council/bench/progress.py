"""What a bench run tells whoever watches it: a label, how many problems of how many are
done, and a one-line tally. The library only reports; how it is shown (the terminal's
progress bar, `council/cli/progress.py`) is the caller's."""

from __future__ import annotations

from typing import Protocol


class ProgressView(Protocol):
    def start(self, label: str, total: int, completed: int, text: str) -> None: ...

    def update(self, completed: int, text: str) -> None: ...

    def stop(self) -> None: ...


class NoProgress:
    """Shows nothing (a library caller, a test)."""

    def start(self, label: str, total: int, completed: int, text: str) -> None:
        return None

    def update(self, completed: int, text: str) -> None:
        return None

    def stop(self) -> None:
        return None
