"""A run's append-only file survives being replaced or removed under a running writer (a
`git checkout` of a committed run directory): the next append goes to the file the path
names, not to the unlinked one the writer held open."""

from __future__ import annotations

import os
from pathlib import Path

from council.run_log.durable import DurableFile


def test_appends_follow_the_path_when_the_file_is_replaced_or_removed(tmp_path: Path) -> None:
    path = tmp_path / "run" / "results.jsonl"
    with DurableFile(path) as file:
        file.append(b"1\n")
        file.append(b"2\n")
        restored = tmp_path / "restored"
        restored.write_bytes(b"1\n")  # an older committed copy, as `git checkout` writes it
        os.replace(restored, path)
        file.append(b"3\n")
        assert path.read_bytes() == b"1\n3\n"
        path.unlink()
        file.append(b"4\n")
        assert path.read_bytes() == b"4\n"


def test_a_file_left_alone_keeps_its_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with DurableFile(path) as file:
        file.append(b"1\n")
        held = file._descriptor
        file.append(b"2\n")
        assert file._descriptor == held and path.read_bytes() == b"1\n2\n"
