"""A scripted model from a JSON file, so `council chat` can be driven deterministically
from a terminal in tests (`--scripted FILE`). A testing aid, not a feature.

    {"rules": [{"contains": ["You are the solver", "double 10"], "reply": "ANSWER: 20",
                "delay_seconds": 0}],
     "default": "ANSWER: 0"}

A rule fires when every one of its strings occurs somewhere in the messages sent; the
first rule that fires answers, after its delay.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from council.messages import Message
from council.models.base import CallInfo, Completion
from council.models.scripted import ScriptedModel
from council.models.settings import ModelSettings


class Rule(BaseModel):
    contains: list[str]
    reply: str
    delay_seconds: float = 0.0

    @field_validator("contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    def fires(self, text: str) -> bool:
        return all(part in text for part in self.contains)


class Script(BaseModel):
    rules: list[Rule] = Field(default_factory=list)
    default: str = "ANSWER: 0"

    def rule_for(self, messages: Sequence[Message]) -> Rule | None:
        text = "\n".join(m.content for m in messages)
        return next((rule for rule in self.rules if rule.fires(text)), None)


class FileScriptedModel(ScriptedModel):
    def __init__(self, script: Script) -> None:
        self.script = script

        def respond(messages: Sequence[Message]) -> str:
            rule = script.rule_for(messages)
            return rule.reply if rule else script.default

        super().__init__(responder=respond, name="scripted")

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: ModelSettings | None = None,
        call: CallInfo | None = None,
    ) -> Completion:
        rule = self.script.rule_for(messages)
        if rule is not None and rule.delay_seconds:
            await asyncio.sleep(rule.delay_seconds)
        return await super().complete(messages, tools=tools, settings=settings, call=call)


def load_script(path: Path) -> FileScriptedModel:
    return FileScriptedModel(Script.model_validate(json.loads(path.read_text())))
