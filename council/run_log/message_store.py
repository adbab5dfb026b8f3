"""`messages.jsonl`: every distinct message of a run, keyed by its hash.

A debater's conversation grows by one exchange per round and is re-sent whole each time,
so storing every call's messages inline would grow a run quadratically. Each call in
`results.jsonl` keeps only the sha256 of each message it sent; the message itself is here.
Lines are appended and fsynced before the result line that refers to them, so a result
line never names a message that is not on disk; a torn last line (a crash mid-write) is
dropped on the next open, and the message is written again when its problem re-runs.

The writer remembers the hashes of the last `RECENT_MESSAGES` distinct messages, not every
one (that would grow with the run): a message repeated within that window (a system
prompt, few-shot examples, a conversation re-sent round after round) is stored once; one
that comes back after longer (the same question far apart in a large data set) is stored
again. A repeat costs disk, not correctness: readers key messages by their hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from council.errors import DatasetError
from council.messages import Message
from council.run_log.durable import append_durably
from council.run_log.jsonl import json_lines
from council.run_log.tail import last_lines

MESSAGES_FILE = "messages.jsonl"
RECENT_MESSAGES = 1 << 15
"""Distinct messages whose hashes the writer keeps (about 6 MB of them): many times what
the problems in flight send at once, even 256 problems of a long debate."""


def message_hash(message: Message) -> str:
    """sha256 of the message's canonical JSON (sorted keys, no whitespace)."""
    canonical = json.dumps(
        message.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class StoredMessage(BaseModel):
    sha256: str
    message: Message


class StoredHash(BaseModel):
    """A stored line's hash alone: what the writer needs of lines already on disk."""

    sha256: str


class RecentHashes:
    """The last `limit` distinct hashes seen, the least recently seen forgotten first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hashes: OrderedDict[str, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hashes)

    def seen(self, digest: str) -> bool:
        """Whether the hash was among the recent ones; either way, it is the newest now."""
        if digest in self._hashes:
            self._hashes.move_to_end(digest)
            return True
        self._hashes[digest] = None
        if len(self._hashes) > self.limit:
            self._hashes.popitem(last=False)
        return False


class MessageStore:
    """Append-only, content-addressed. One writer per run (the bench process's event loop
    stages; a thread appends, or the loop itself when one problem is in flight); `add_many`
    from several threads is serialised by a lock."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / MESSAGES_FILE
        self._lock = threading.RLock()
        self._known: RecentHashes | None = None

    def load_known(self) -> RecentHashes:
        """The hashes of the file's last lines (not the whole file: a resumed run's file may
        be large), after repairing a torn last line so appends follow a whole one. Read
        once; the run's writer reads it when it starts, before any problem is in flight,
        so that staging on the event loop never waits for this file."""
        if self._known is not None:
            return self._known
        self._known = RecentHashes(RECENT_MESSAGES)
        if not self.path.exists():
            return self._known
        lines = last_lines(self.path, RECENT_MESSAGES)
        for index, raw in enumerate(lines):
            try:
                stored = StoredHash.model_validate_json(raw)
            except ValidationError as exc:
                if index < len(lines) - 1:
                    raise DatasetError(
                        f"{self.path}: an unreadable message line among the last "
                        f"{len(lines)}; fix or delete it"
                    ) from exc
                print(f"warning: {self.path}: dropping a torn last line", file=sys.stderr)
                with self.path.open("r+b") as handle:
                    handle.truncate(handle.seek(0, os.SEEK_END) - len(raw))
                break
            if not raw.endswith(b"\n"):  # complete JSON, no newline: finish it
                with self.path.open("ab") as handle:
                    handle.write(b"\n")
            self._known.seen(stored.sha256)
        return self._known

    def read(
        self, *, repair: bool = True, only: Collection[str] | None = None
    ) -> dict[str, Message]:
        """Stored messages by hash: every one, or those in `only` (one transcript's: the
        others are read as their hash alone and not kept). A torn last line is cut off the
        file (`repair`), or, for a reader watching a run being written, skipped and the
        file left alone. Read a line at a time, never the file whole."""
        found: dict[str, Message] = {}
        if only is None:
            for _, stored in json_lines(self.path, StoredMessage, repair=repair, what="message"):
                found[stored.sha256] = stored.message
            return found
        for raw, digest in json_lines(self.path, StoredHash, repair=repair, what="message"):
            if digest.sha256 in only:
                found[digest.sha256] = StoredMessage.model_validate_json(raw).message
        return found

    def add(self, messages: Iterable[Message]) -> list[str]:
        """Store the messages not stored yet (fsynced); returns every message's hash."""
        return self.add_many([messages])[0]

    def add_many(self, groups: Iterable[Iterable[Message]]) -> list[list[str]]:
        """`add` for several calls at once, with one fsync (a group commit)."""
        with self._lock:  # re-entered by `stage`: staging and appending as one
            hashed, lines = self.stage(groups)
            append_durably(self.path, lines)
        return hashed

    def stage(self, groups: Iterable[Iterable[Message]]) -> tuple[list[list[str]], bytes]:
        """Each group's message hashes, and the lines to append for the messages not stored
        yet: the CPU half of `add_many`, which the run's writer does on its event loop
        before it appends the lines (`council.run_log.writer`). The messages count as stored
        from here on; if their append then fails, the run stops."""
        hashed: list[list[str]] = []
        new: list[str] = []
        with self._lock:
            known = self.load_known()
            for messages in groups:
                hashes: list[str] = []
                for message in messages:
                    digest = message_hash(message)
                    hashes.append(digest)
                    if not known.seen(digest):
                        new.append(StoredMessage(sha256=digest, message=message).model_dump_json())
                hashed.append(hashes)
        return hashed, "".join(line + "\n" for line in new).encode()
