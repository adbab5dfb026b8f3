"""Appending to a run's files so that what was appended survives a crash of the machine,
not only of the process: bytes prepared beforehand, one `write`, then `fsync`.

The bytes are built by the caller (on the event loop), so the thread that appends does
only system calls, which release the GIL: a writer thread that also serialised JSON took
turns with the event loop for the GIL, at about half a millisecond of CPU per `single`
problem (`benchmarks/call_cpu.py`). A run's writer keeps its files open (`DurableFile`)
rather than opening them for every batch, and reopens one whose path now names another file:
a `git checkout` or `git stash` of a committed run directory while a study runs replaces
the file, and appends to the kept descriptor went to the unlinked old one, silently lost
(10 of a Qwen study's 30 lines, 2026-12-03). A `stat` per append (microseconds beside the
`fsync`) finds that.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType


class DurableFile:
    """An append-only file, opened at the first append (with its folder) and kept open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None

    def append(self, data: bytes) -> None:
        """Append `data` and fsync it."""
        if not data:
            return
        if self._descriptor is not None and not self._still_the_path():
            self.close()
        if self._descriptor is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        view = memoryview(data)
        while view:
            view = view[os.write(self._descriptor, view) :]
        os.fsync(self._descriptor)

    def _still_the_path(self) -> bool:
        """Whether the open file is still the one the path names (not replaced or removed)."""
        assert self._descriptor is not None
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return False
        held = os.fstat(self._descriptor)
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> DurableFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def append_durably(path: Path, data: bytes) -> None:
    """Append `data` to `path` (created with its folder if missing) and fsync it."""
    with DurableFile(path) as file:
        file.append(data)
