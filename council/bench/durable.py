"""Appending to a run's files so that what was appended survives a crash of the machine,
not only of the process: one `write` of bytes prepared beforehand, then `fsync`.

The bytes are built by the caller (on the event loop), so the writer's thread does only
system calls, which release the GIL: a thread that also serialised JSON would take turns
with the event loop for the GIL, and measured that way, cost a `single` problem about half
a millisecond of CPU more (`benchmarks/call_cpu.py`).
"""

from __future__ import annotations

import os
from pathlib import Path


def append_durably(path: Path, data: bytes) -> None:
    """Append `data` to `path` (created with its folder if missing) and fsync it."""
    if not data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
