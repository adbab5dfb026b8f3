"""`council sandbox ps`: the sandbox containers that run now, and whose they are."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from council.tools.sandbox.config import (
    IDLE_TIMEOUT_LABEL,
    OWNER_LABEL,
    SANDBOX_LABEL,
    SESSION_LABEL,
)
from council.tools.sandbox.docker_sandbox import ACTIVITY_FILE, SESSION_PREFIX


class SandboxInfo(BaseModel):
    session: str | None
    container_id: str
    age_seconds: float
    idle_seconds: float | None
    owner: str


def _started_at(container: Any) -> float:
    started = container.attrs.get("State", {}).get("StartedAt", "")
    # Docker gives nanoseconds ("2025-05-20T10:00:00.123456789Z"); keep microseconds
    head, _, fraction = started.rstrip("Z").partition(".")
    stamp = f"{head}.{fraction[:6] or '0'}+00:00"
    return datetime.fromisoformat(stamp).timestamp()


def _last_call(container: Any) -> float | None:
    """The supervisor's record of its last call, read with `cat` inside the container."""
    with contextlib.suppress(Exception):
        done = container.exec_run(["cat", ACTIVITY_FILE])
        if done.exit_code == 0:
            return float(done.output.decode().strip())
    return None


def _owner(labels: dict[str, str]) -> str:
    if OWNER_LABEL in labels:
        return f"pid {labels[OWNER_LABEL]}"
    timeout = labels.get(IDLE_TIMEOUT_LABEL)
    return f"none (ends after {timeout} s idle)" if timeout else "none"


def list_sandboxes(client: Any) -> list[SandboxInfo]:
    """Running sandbox containers, oldest first."""
    now = time.time()
    infos = []
    for container in client.containers.list(filters={"label": SANDBOX_LABEL}):
        labels = container.labels
        last_call = _last_call(container)
        session = labels.get(SESSION_LABEL)
        infos.append(
            SandboxInfo(
                session=session.removeprefix(SESSION_PREFIX) if session else None,
                container_id=container.short_id,
                age_seconds=max(0.0, now - _started_at(container)),
                idle_seconds=None if last_call is None else max(0.0, now - last_call),
                owner=_owner(labels),
            )
        )
    return sorted(infos, key=lambda info: -info.age_seconds)
