"""The last lines of an append-only file, read from its end: what a resumed run needs of a
large file it appends to, without reading the file through."""

from __future__ import annotations

import os
from pathlib import Path

BLOCK = 1 << 16


def last_lines(path: Path, count: int) -> list[bytes]:
    """Up to `count` last lines, oldest first, each with its newline (the very last has
    none if it was torn by a crash mid-write). Blank lines are skipped."""
    if count < 1:
        return []
    chunks: list[bytes] = []
    newlines = 0
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        while position > 0 and newlines <= count:  # one more: the first may be partial
            step = min(BLOCK, position)
            position -= step
            handle.seek(position)
            chunk = handle.read(step)
            chunks.append(chunk)
            newlines += chunk.count(b"\n")
    pieces = b"".join(reversed(chunks)).split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    if position > 0:
        lines = lines[1:]  # it began before what was read
    return [line for line in lines if line.strip()][-count:]
