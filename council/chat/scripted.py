"""A scripted model from a JSON file, so `council chat` can be driven deterministically
from a terminal in tests (`--scripted FILE`). A testing aid, not a feature.

    {"rules": [{"contains": ["You are the solver", "double 10"], "reply": "ANSWER: 20",
                "delay_seconds": 0}],
     "default": "ANSWER: 0"}

A rule fires when every one of its strings occurs somewhere in the messages sent; the
first rule that fires answers, after its delay. `"beyond_context": true` makes it refuse
the prompt as longer than the model's context, as a server does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from council.errors import ConfigError, ContextLengthError
from council.messages import Message
from council.models.scripted import ScriptedCall, ScriptedModel


class Rule(BaseModel):
    contains: list[str]
    reply: str = ""
    delay_seconds: float = 0.0
    beyond_context: bool = False

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


def scripted_model(script: Script) -> ScriptedModel:
    def respond(call: ScriptedCall) -> str:
        rule = script.rule_for(call.messages)
        if rule is not None and rule.beyond_context:
            raise ContextLengthError(
                "model 'scripted': this model's maximum context length is 512 tokens; the "
                "prompt is longer"
            )
        return rule.reply if rule else script.default

    def delay(messages: Sequence[Message]) -> float:
        rule = script.rule_for(messages)
        return rule.delay_seconds if rule else 0.0

    return ScriptedModel(responder=respond, name="scripted", delay=delay)


def load_script(path: Path) -> ScriptedModel:
    try:
        return scripted_model(Script.model_validate(json.loads(path.read_text())))
    except (OSError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise ConfigError(f"{path}: not a usable model script: {exc}") from exc
