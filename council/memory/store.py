"""Memory that persists across problems and sessions: a small SQLite store per namespace.

Entries are deduplicated (same normalised text, or nearly the same words, merges into one
and counts the repeat), capped (the least useful go first: fewest helps, then oldest), and
retrieved by full-text relevance (SQLite FTS5, bm25), so nothing needs a network or an
embedding model.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

EntryKind = Literal["strategy", "code", "pitfall"]
SIMILAR = 0.8
_WORD = re.compile(r"[a-z0-9]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    source_problem TEXT NOT NULL,
    source_run TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    seen INTEGER NOT NULL DEFAULT 1,
    retrieved INTEGER NOT NULL DEFAULT 0,
    helped INTEGER NOT NULL DEFAULT 0,
    UNIQUE (namespace, kind, fingerprint)
);
CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(text, content='entries',
    content_rowid='id');
CREATE TRIGGER IF NOT EXISTS entries_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS entries_ad AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""


class MemoryEntry(BaseModel):
    id: int = 0
    namespace: str
    kind: EntryKind
    text: str
    source_problem: str = Field(description="the problem it was learned from (shortened)")
    source_run: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    seen: int = 1
    retrieved: int = 0
    helped: int = 0


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(sorted(_words(text))).encode()).hexdigest()[:20]


def similarity(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


class MemoryStore:
    """One namespace of one SQLite file. Explicit path: nothing global."""

    def __init__(self, path: Path, namespace: str = "default", max_entries: int = 200) -> None:
        self.path = Path(path)
        self.namespace = namespace
        self.max_entries = max_entries
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _rows(self, query: str, params: Iterable[object] = ()) -> list[MemoryEntry]:
        return [
            MemoryEntry.model_validate(dict(row))  # the fingerprint column is ignored
            for row in self._db.execute(query, tuple(params))
        ]

    def add(self, kind: EntryKind, text: str, *, source_problem: str, source_run: str = "") -> int:
        """Insert, or merge into a near-duplicate; returns the entry id."""
        text = text.strip()
        now = time.time()
        duplicate = self._duplicate_of(kind, text)
        if duplicate is not None:
            self._db.execute(
                "UPDATE entries SET seen = seen + 1, updated_at = ? WHERE id = ?", (now, duplicate)
            )
            self._db.commit()
            return duplicate
        cursor = self._db.execute(
            "INSERT INTO entries (namespace, kind, text, fingerprint, source_problem, source_run,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.namespace,
                kind,
                text,
                fingerprint(text),
                source_problem[:300],
                source_run,
                now,
                now,
            ),
        )
        self._db.commit()
        self._enforce_cap()
        return int(cursor.lastrowid or 0)

    def _duplicate_of(self, kind: EntryKind, text: str) -> int | None:
        """The same words (the stored fingerprint, looked up by index), else nearly so."""
        same = self._db.execute(
            "SELECT id FROM entries WHERE namespace = ? AND kind = ? AND fingerprint = ?",
            (self.namespace, kind, fingerprint(text)),
        ).fetchone()
        if same is not None:
            return int(same[0])
        rows = self._db.execute(
            "SELECT id, text FROM entries WHERE namespace = ? AND kind = ? ORDER BY id",
            (self.namespace, kind),
        )
        return next((int(r[0]) for r in rows if similarity(r[1], text) >= SIMILAR), None)

    def _enforce_cap(self) -> None:
        count = self._db.execute(
            "SELECT COUNT(*) FROM entries WHERE namespace = ?", (self.namespace,)
        ).fetchone()[0]
        excess = count - self.max_entries
        if excess > 0:
            self._db.execute(
                "DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE namespace = ? "
                "ORDER BY helped ASC, seen ASC, updated_at ASC LIMIT ?)",
                (self.namespace, excess),
            )
            self._db.commit()

    def search(self, query: str, limit: int = 3) -> list[MemoryEntry]:
        """The most relevant entries for a problem (bm25 over the entry text)."""
        terms = sorted(_words(query))
        if not terms:
            return []
        match = " OR ".join(f'"{term}"' for term in terms)
        return self._rows(
            "SELECT entries.* FROM entries_fts JOIN entries ON entries.id = entries_fts.rowid "
            "WHERE entries_fts MATCH ? AND entries.namespace = ? "
            "ORDER BY bm25(entries_fts) LIMIT ?",
            (match, self.namespace, limit),
        )

    def mark(self, ids: Iterable[int], column: Literal["retrieved", "helped"]) -> None:
        for entry_id in ids:
            self._db.execute(
                f"UPDATE entries SET {column} = {column} + 1 WHERE id = ?", (entry_id,)
            )
        self._db.commit()

    def entries(self) -> list[MemoryEntry]:
        return self._rows(
            "SELECT * FROM entries WHERE namespace = ? ORDER BY id", (self.namespace,)
        )

    def get(self, entry_id: int) -> MemoryEntry | None:
        rows = self._rows(
            "SELECT * FROM entries WHERE namespace = ? AND id = ?", (self.namespace, entry_id)
        )
        return rows[0] if rows else None

    def clear(self) -> int:
        cursor = self._db.execute("DELETE FROM entries WHERE namespace = ?", (self.namespace,))
        self._db.commit()
        return cursor.rowcount


def render_memory(entries: list[MemoryEntry]) -> str:
    """The `memory` text planners and solvers see."""
    return "\n".join(f"- ({e.kind}) {e.text}" for e in entries)
