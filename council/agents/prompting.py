"""Named prompt templates.

Templates use `{name}` fields; rendering fails loudly on a missing field instead of sending
a prompt with a hole in it. Their text hashes into run manifests so results can be tied to
the exact prompts that produced them.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _FlatFormatter(string.Formatter):
    """`{reply.judge}` names one variable called `reply.judge`, not an attribute lookup."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs[field_name], field_name


_FORMATTER = _FlatFormatter()


class PromptTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    text: str

    @cached_property
    def fields(self) -> frozenset[str]:
        return frozenset(field for _, field, _, _ in string.Formatter().parse(self.text) if field)

    def render(self, variables: Mapping[str, object]) -> str:
        missing = self.fields - set(variables)
        if missing:
            raise KeyError(f"prompt {self.name!r} needs {', '.join(sorted(missing))}")
        return _FORMATTER.vformat(self.text, (), {k: variables[k] for k in self.fields})

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


class AgentPrompts(BaseModel):
    """The templates one agent uses: its system prompt (empty: no system message), its
    task, the follow-up task for agents that continue their own conversation in later
    rounds (a debater answering the others), and the re-ask."""

    model_config = ConfigDict(frozen=True)

    system: PromptTemplate
    task: PromptTemplate
    followup: PromptTemplate | None = None
    repair: PromptTemplate = Field(
        default_factory=lambda: PromptTemplate(
            name="repair",
            text=(
                "Your reply could not be read: {error}\n"
                "Answer again, exactly in this format:\n{format}"
            ),
        )
    )

    @cached_property
    def fields(self) -> frozenset[str]:
        """Every variable the system, task and follow-up templates use."""
        return frozenset().union(*(t.fields for t in self.templates() if t is not self.repair))

    def templates(self) -> list[PromptTemplate]:
        return [self.system, self.task, *([self.followup] if self.followup else []), self.repair]

    def hashes(self) -> dict[str, str]:
        return {t.name: t.sha256 for t in self.templates()}
