"""The one interface agents use to talk to a model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from council.messages import Message, ToolCall
from council.models.settings import Decoding, ModelSettings
from council.usage import Usage


class CallInfo(BaseModel):
    """Where a model call happens in a run. Caches key on it (so k samples stay k draws)
    and usage meters attribute by it (problem, round, agent)."""

    agent: str = ""
    role: str = ""
    round: int = 0
    sample: int = 0
    problem_id: str = ""


class Completion(BaseModel):
    """A model's reply: text, any native tool calls, and what it cost."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    model: str = ""
    finish_reason: str | None = None
    decoding: Decoding | None = None


@runtime_checkable
class ChatModel(Protocol):
    """Anything that completes a conversation. `name` identifies it in usage records."""

    name: str

    @property
    def supports_native_tools(self) -> bool: ...

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: ModelSettings | None = None,
        call: CallInfo | None = None,
    ) -> Completion: ...


ModelWrapper = Callable[[ChatModel], ChatModel]
"""Wraps a model at build time, e.g. in a response cache."""
