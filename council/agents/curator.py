"""The curator: after a verified solve, a model writes a one-line strategy and, if there
was one, a pitfall (`council.memory.curation` decides when, and what else is kept)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.models.settings import ModelSettings

CURATOR_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="curator.system",
        text="You keep a team's notebook of reusable problem-solving knowledge. Write short, "
        "general lessons that would help on a similar but different problem.",
    ),
    task=PromptTemplate(
        name="curator.task",
        text="Problem:\n{problem}\n\nVerified answer: {answer}\n\nHow it was solved:\n"
        "{transcript}\n\n{format}",
    ),
)


class Lessons(AgentOutput):
    FORMAT: ClassVar[str] = (
        "STRATEGY: one sentence on the general method that worked\n"
        "PITFALL: one sentence on a mistake to avoid, or none"
    )

    strategy: str = Field(min_length=8)
    pitfall: str = ""

    @classmethod
    def fallback(cls, text: str) -> Lessons:
        return cls(strategy="(unusable)")

    def summary(self) -> str:
        return f"strategy: {self.strategy}" + (f"; pitfall: {self.pitfall}" if self.pitfall else "")


class Curator(Agent[Lessons]):
    role = "curator"
    prompts = CURATOR_PROMPTS
    output_type = Lessons


CURATOR_SETTINGS = ModelSettings(temperature=0.2, max_tokens=120)
"""Memory's declared decoding: a lesson is two short lines, so its cap bounds what
curating costs per run."""
