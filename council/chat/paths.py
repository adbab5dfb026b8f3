"""Default locations under the user's data dir; every one can be overridden explicitly."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    return Path(user_data_dir("council", appauthor=False))


def default_threads_db() -> Path:
    return data_dir() / "threads.sqlite"


def default_memory_db() -> Path:
    return data_dir() / "memory.sqlite"
