"""The `search` tool: BM25 retrieval over a local document corpus, offline.

A corpus is a JSONL file (one document per line, with a `text` field and optionally `title`
and `id`) or a folder of `.txt` / `.md` files (each file one document, titled by its name).
It is indexed once, in memory, with SQLite's FTS5 full-text index (Porter stemming, ranked
by FTS5's built-in `bm25()`), the same maintained engine `council.memory` uses, so nothing
is downloaded and no network is needed.

Any other source plugs in through `SearchBackend` (a typed Protocol): an object with a
`name` and `async search(query, k) -> list[SearchHit]`. council ships no backend that
calls the internet; with a network, write one (e.g. a class whose `search` calls your web
search API with httpx and returns `SearchHit`s) and pass it where a corpus would go:
`search_tool(MyBackend())`, or `tool_planner_graph(models, options, search=MyBackend())`.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ValidationError

from council.errors import ConfigError
from council.tools.base import TextOutput, Tool, tool

DEFAULT_HITS = 3
SNIPPET_CHARS = 800
TEXT_SUFFIXES = (".txt", ".md")
_TOKEN = re.compile(r"\w+", re.UNICODE)


class Document(BaseModel):
    id: str
    title: str = ""
    text: str
    source: str = ""


class SearchHit(BaseModel):
    """One retrieved document; `score` is higher for a better match."""

    id: str
    title: str = ""
    text: str
    source: str = ""
    score: float = 0.0


@runtime_checkable
class SearchBackend(Protocol):
    """Where `search` looks: the local BM25 index, or your own (e.g. web) backend."""

    name: str

    async def search(self, query: str, k: int) -> list[SearchHit]: ...


def load_corpus(path: str | Path) -> list[Document]:
    """Documents from a JSONL file or a folder of .txt/.md files; errors name the file and
    the line."""
    where = Path(path)
    if where.is_dir():
        files = sorted(p for p in where.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file())
        if not files:
            raise ConfigError(f"corpus folder {str(where)!r} has no .txt or .md files")
        return [
            Document(id=str(f.relative_to(where)), title=f.stem, text=f.read_text(), source=str(f))
            for f in files
        ]
    if not where.is_file():
        raise ConfigError(f"corpus {str(where)!r} not found (a .jsonl file or a folder)")
    documents = []
    for number, line in enumerate(where.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            documents.append(
                Document(
                    id=str(row.get("id", number)),
                    title=str(row.get("title", "")),
                    text=row["text"],
                    source=f"{where}:{number}",
                )
            )
        except (json.JSONDecodeError, KeyError, AttributeError, ValidationError) as exc:
            raise ConfigError(
                f"{where}:{number}: a corpus line is a JSON object with a text field ({exc})"
            ) from None
    if not documents:
        raise ConfigError(f"corpus {str(where)!r} has no documents")
    return documents


def fts_query(query: str) -> str:
    """Any of the query's words, each quoted, so model-written text is never FTS syntax."""
    words = dict.fromkeys(word.lower() for word in _TOKEN.findall(query))
    return " OR ".join(f'"{word}"' for word in words)


class Bm25Index:
    """An in-memory FTS5 index of one corpus, ranked by bm25 (title and text columns)."""

    name = "bm25"

    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = list(documents)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize='porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO docs(rowid, title, text) VALUES (?, ?, ?)",
            [(i, d.title, d.text) for i, d in enumerate(self.documents)],
        )
        self._db.commit()

    @classmethod
    def from_path(cls, path: str | Path) -> Bm25Index:
        return cls(load_corpus(path))

    def search_sync(self, query: str, k: int = DEFAULT_HITS) -> list[SearchHit]:
        match = fts_query(query)
        if not match:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                (match, k),
            ).fetchall()
        hits = []
        for rowid, rank in rows:
            document = self.documents[rowid]
            hits.append(SearchHit(**document.model_dump(), score=-float(rank)))
        return hits

    async def search(self, query: str, k: int) -> list[SearchHit]:
        return await asyncio.to_thread(self.search_sync, query, k)


class NoCorpus:
    """The backend when no corpus was given: finds nothing, and says how to give one."""

    name = "none"
    NOTE = "no corpus was given (--corpus PATH, or `corpus:` in the graph file)"

    async def search(self, query: str, k: int) -> list[SearchHit]:
        return []


def show_hits(hits: Sequence[SearchHit], backend: SearchBackend) -> str:
    """What a model reads back: numbered documents, each cut to `SNIPPET_CHARS`."""
    if not hits:
        return (
            f"no documents found: {NoCorpus.NOTE}"
            if isinstance(backend, NoCorpus)
            else ("no documents found")
        )
    shown = []
    for number, hit in enumerate(hits, 1):
        text = hit.text.strip()
        if len(text) > SNIPPET_CHARS:
            text = text[:SNIPPET_CHARS] + "…"
        title = f" {hit.title}" if hit.title else ""
        shown.append(f"[{number}]{title}\n{text}")
    return "\n\n".join(shown)


class SearchTool(Tool):
    """The `search` tool over one backend (no global index: each tool holds its own). It
    keeps its `backend`, so a module that searches by itself rather than through the model
    (tool-planner's knowledge retrieval, which takes as many results as its reference) asks
    the backend directly."""

    def __init__(self, backend: SearchBackend, k: int = DEFAULT_HITS) -> None:
        async def search(query: str) -> TextOutput:
            """Search the document collection for passages relevant to a query (definitions,
            formulas, facts); returns the best matches, best first."""
            return TextOutput(text=show_hits(await backend.search(query, k), backend))

        made: Tool = tool(name="search")(search)
        super().__init__(made.name, made.description, made.input_model, search)
        self.backend = backend
        self.k = k


def search_tool(backend: SearchBackend, k: int = DEFAULT_HITS) -> SearchTool:
    """The `search` tool over one backend."""
    return SearchTool(backend, k)


def corpus_backend(corpus: str | Path | None) -> SearchBackend:
    """The BM25 index of `corpus`, or `NoCorpus` when none is given."""
    return Bm25Index.from_path(corpus) if corpus is not None else NoCorpus()
