"""The one interface agents use to talk to a model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from council.messages import Message, ToolCall
from council.models.settings import ModelSettings
from council.usage import Usage


class Completion(BaseModel):
    """A model's reply: text, any native tool calls, and what it cost."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    model: str = ""
    finish_reason: str | None = None


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
    ) -> Completion: ...
