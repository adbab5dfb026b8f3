"""An optional response cache (SQLite) around any `ChatModel`.

The key includes where the call happens (problem, agent, round, sample), not only what was
sent: two self-consistency samples with the same prompt are two draws, and a cache that
collapsed them into one would silently turn voting into a single answer.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from council.messages import Message
from council.models.base import CallInfo, ChatModel, Completion
from council.models.settings import ModelSettings


def cache_key(
    model: str,
    messages: Sequence[Message],
    tools: Sequence[dict[str, Any]] | None,
    settings: ModelSettings | None,
    call: CallInfo | None,
) -> str:
    payload = {
        "model": model,
        "messages": [m.model_dump(mode="json") for m in messages],
        "tools": list(tools or []),
        "settings": settings.model_dump(mode="json") if settings else None,
        "call": call.model_dump(mode="json") if call else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class CachedModel:
    """Wraps a model; replays a stored completion for an identical call in the same place."""

    def __init__(self, inner: ChatModel, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, body TEXT)")
        self._lock = threading.Lock()
        self.hits = 0

    @property
    def supports_native_tools(self) -> bool:
        return self.inner.supports_native_tools

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: ModelSettings | None = None,
        call: CallInfo | None = None,
    ) -> Completion:
        key = cache_key(self.name, messages, tools, settings, call)
        with self._lock:
            row = self._db.execute("SELECT body FROM responses WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.hits += 1
            return Completion.model_validate_json(row[0])
        completion = await self.inner.complete(messages, tools=tools, settings=settings, call=call)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?)",
                (key, completion.model_dump_json()),
            )
            self._db.commit()
        return completion


class CacheWrapper:
    """Wraps each distinct model once in a `CachedModel` on one cache file; given to
    `RunSpec.build(wrap_model=...)` (or `RunSpec(cache=...)`) so the cache wraps whatever
    models a graph builds (a config file's per-agent models included), not only the ones
    passed in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wrapped: dict[int, ChatModel] = {}

    def __call__(self, model: ChatModel) -> ChatModel:
        if isinstance(model, CachedModel):
            return model
        if id(model) not in self._wrapped:
            self._wrapped[id(model)] = CachedModel(model, self.path)
        return self._wrapped[id(model)]
