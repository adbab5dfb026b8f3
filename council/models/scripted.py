"""A deterministic model for tests, examples and overhead benchmarks.

It returns queued replies in order, or computes them from the conversation with a function,
so a test can assert exactly what each agent saw and said.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from council.messages import Message, ToolCall
from council.models.base import CallInfo, Completion
from council.models.settings import Decoding, ModelSettings
from council.usage import Usage


class ScriptedReply(BaseModel):
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    """None: `tool_calls` when there are tool calls, else `stop`; `length` fakes truncation."""


class ScriptedCall(BaseModel):
    """What a responder is shown: the conversation and which agent asks, so a script can
    answer by agent, never by matching prompt wording."""

    messages: list[Message]
    agent: str = ""
    role: str = ""
    round: int = 0
    sample: int = 0

    @property
    def last(self) -> str:
        """The newest message's text (usually the task or the latest user turn)."""
        return self.messages[-1].content if self.messages else ""


Responder = Callable[[ScriptedCall], "str | ScriptedReply"]


class ScriptExhaustedError(AssertionError):
    """The scripted model was called more often than the test planned."""


class ScriptedModel:
    """Replies from a script; records every conversation it was shown in `calls`."""

    def __init__(
        self,
        replies: Iterable[str | ScriptedReply] = (),
        *,
        responder: Responder | None = None,
        name: str = "scripted",
        native_tools: bool = False,
        delay: Callable[[Sequence[Message]], float] | None = None,
    ) -> None:
        """`delay` gives seconds to wait before a reply, e.g. to test cancelling a slow turn."""
        self.name = name
        self._delay = delay
        self._replies: deque[str | ScriptedReply] = deque(replies)
        self._responder = responder
        self._native_tools = native_tools
        self.calls: list[list[Message]] = []
        self.call_infos: list[CallInfo | None] = []
        self.settings: list[ModelSettings | None] = []
        """The decoding each call asked for, beside `calls`."""

    @property
    def supports_native_tools(self) -> bool:
        return self._native_tools

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: ModelSettings | None = None,
        call: CallInfo | None = None,
    ) -> Completion:
        self.calls.append(list(messages))
        self.call_infos.append(call)
        self.settings.append(settings)
        if self._delay is not None and (seconds := self._delay(messages)) > 0:
            await asyncio.sleep(seconds)
        if self._replies:
            reply = self._replies.popleft()
        elif self._responder is not None:
            info = call or CallInfo()
            reply = self._responder(
                ScriptedCall(
                    messages=list(messages),
                    agent=info.agent,
                    role=info.role,
                    round=info.round,
                    sample=info.sample,
                )
            )
        else:
            raise ScriptExhaustedError(
                f"ScriptedModel {self.name!r} has no reply left for call {len(self.calls)}"
            )
        if isinstance(reply, str):
            reply = ScriptedReply(text=reply)
        prompt_tokens = sum(len(m.content.split()) for m in messages)
        return Completion(
            text=reply.text,
            tool_calls=reply.tool_calls,
            usage=Usage(
                prompt_tokens=prompt_tokens,
                completion_tokens=len(reply.text.split()),
                calls=1,
            ),
            model=self.name,
            finish_reason=reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
            decoding=Decoding.of(settings or ModelSettings()),
        )
