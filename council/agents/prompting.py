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
        return self.text.format_map({k: variables[k] for k in self.fields})

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


class AgentPrompts(BaseModel):
    """The templates one agent uses: its system prompt, its task, and the re-ask."""

    model_config = ConfigDict(frozen=True)

    system: PromptTemplate
    task: PromptTemplate
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
        """Every variable the system and task templates use."""
        return self.system.fields | self.task.fields

    def hashes(self) -> dict[str, str]:
        return {t.name: t.sha256 for t in (self.system, self.task, self.repair)}
