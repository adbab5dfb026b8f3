"""Named prompt templates.

Templates use `{name}` fields; rendering fails loudly on a missing field instead of sending
a prompt with a hole in it. Their text hashes into run manifests so results can be tied to
the exact prompts that produced them.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

_FORMATTER = string.Formatter()


class PromptTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    text: str

    @cached_property
    def _pieces(self) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
        """The template parsed once: (literal text, field, format spec, conversion)."""
        return tuple(_FORMATTER.parse(self.text))

    @cached_property
    def fields(self) -> frozenset[str]:
        return frozenset(field for _, field, _, _ in self._pieces if field)

    def render(self, variables: Mapping[str, object]) -> str:
        missing = self.fields - set(variables)
        if missing:
            raise KeyError(f"prompt {self.name!r} needs {', '.join(sorted(missing))}")
        out: list[str] = []  # `{reply.judge}` names one variable, not an attribute lookup
        for literal, field, spec, conversion in self._pieces:
            out.append(literal)
            if field is not None:
                value = _FORMATTER.convert_field(variables[field], conversion)
                out.append(format(value, spec or ""))
        return "".join(out)

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
