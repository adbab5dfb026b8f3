"""`WebContext`: everything a web request needs (the threads database, the running turns,
how to build a runner, the run folders), one per app.

Why a module of its own: the routes read it and the app builds it and includes the routes,
so with it in `app.py` the two would import each other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from council.chat.threads import ThreadStore
from council.runner import RunnerFactory
from council.web.streaming import TurnHub


@dataclass
class WebContext:
    make_runner: RunnerFactory
    threads_db: Path
    runs: list[Path] = field(default_factory=list)
    default_graph: str = "solve"
    default_model: str | None = None
    models: list[str] = field(default_factory=list)
    hub: TurnHub = field(default_factory=TurnHub)
    threads: ThreadStore | None = None
    graph_cache: dict[str, Any] = field(default_factory=dict)
