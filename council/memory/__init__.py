"""Memory across problems and sessions: a deduplicated, capped SQLite store per namespace,
filled by a curator after verified solves and read back into planner and solver prompts."""

from council.agents.curator import Curator, Lessons
from council.memory.policy import MemoryPolicy, stream_with_memory
from council.memory.store import MemoryEntry, MemoryStore, render_memory

__all__ = [
    "Curator",
    "Lessons",
    "MemoryEntry",
    "MemoryPolicy",
    "MemoryStore",
    "render_memory",
    "stream_with_memory",
]
