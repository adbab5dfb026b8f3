"""`messages.jsonl`: every distinct message of a run, stored once, keyed by its hash.

A debater's conversation grows by one exchange per round and is re-sent whole each time,
so storing every call's messages inline would grow a run quadratically. Each call in
`results.jsonl` keeps only the sha256 of each message it sent; the message itself is here,
once. Lines are appended and fsynced before the result line that refers to them, so a
result line never names a message that is not on disk; a torn last line (a crash mid-write)
is dropped on the next open, and the message is written again when its problem re-runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from council.errors import DatasetError
from council.messages import Message

MESSAGES_FILE = "messages.jsonl"


def message_hash(message: Message) -> str:
    """sha256 of the message's canonical JSON (sorted keys, no whitespace)."""
    canonical = json.dumps(
        message.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class StoredMessage(BaseModel):
    sha256: str
    message: Message


class MessageStore:
    """Append-only, content-addressed. One writer per run (the bench process); appends
    from its worker threads are serialised by a lock."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / MESSAGES_FILE
        self._lock = threading.Lock()
        self._known: set[str] | None = None

    def _load_known(self) -> set[str]:
        if self._known is None:
            self._known = set(self.read())
        return self._known

    def read(self, *, repair: bool = True) -> dict[str, Message]:
        """Every stored message by hash; a torn last line is cut off the file (`repair`),
        or, for a reader watching a run being written, skipped and the file left alone."""
        if not self.path.exists():
            return {}
        raw_lines = self.path.read_bytes().splitlines(keepends=True)
        found: dict[str, Message] = {}
        good_end = 0
        for index, raw in enumerate(raw_lines):
            try:
                stored = StoredMessage.model_validate_json(raw)
            except ValidationError as exc:
                if not repair and index == len(raw_lines) - 1:
                    break  # still being written
                if index < len(raw_lines) - 1:
                    raise DatasetError(
                        f"{self.path}:{index + 1}: unreadable message line; fix or delete it"
                    ) from exc
                print(f"warning: {self.path}: dropping a torn last line", file=sys.stderr)
                with self.path.open("r+b") as handle:
                    handle.truncate(good_end)
                break
            if repair and not raw.endswith(b"\n"):  # complete JSON, no newline: finish it
                with self.path.open("ab") as handle:
                    handle.write(b"\n")
            found[stored.sha256] = stored.message
            good_end += len(raw)
        return found

    def add(self, messages: Iterable[Message]) -> list[str]:
        """Store the messages not stored yet (fsynced); returns every message's hash."""
        return self.add_many([messages])[0]

    def add_many(self, groups: Iterable[Iterable[Message]]) -> list[list[str]]:
        """`add` for several calls at once, with one fsync (a group commit): under load the
        writer drains what arrived meanwhile, and one fsync per call would be its limit."""
        hashed: list[list[str]] = []
        new: list[StoredMessage] = []
        with self._lock:
            known = self._load_known()
            for messages in groups:
                hashes: list[str] = []
                for message in messages:
                    digest = message_hash(message)
                    hashes.append(digest)
                    if digest not in known:
                        known.add(digest)
                        new.append(StoredMessage(sha256=digest, message=message))
                hashed.append(hashes)
            if new:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.writelines(item.model_dump_json() + "\n" for item in new)
                    handle.flush()
                    os.fsync(handle.fileno())
        return hashed
