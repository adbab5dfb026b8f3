"""The critic: turns a rejected solution and its verdict into concrete fixes."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.parsing import numbered_items
from council.agents.prompting import AgentPrompts, PromptTemplate

CRITIC_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="critic.system",
        text=(
            "You are the critic in a team that solves problems together. A solution was "
            "rejected. Say precisely what is wrong and how to fix it; do not solve it yourself."
        ),
    ),
    task=PromptTemplate(
        name="critic.task",
        text=(
            "Problem:\n{problem}\n\nRejected solution:\n{solution}\n\nVerifier said: "
            "{verdict}\n\n{blackboard}What must change?\n{format}"
        ),
    ),
)


class Critique(AgentOutput):
    FORMAT: ClassVar[str] = "ISSUES:\n- <what is wrong>\nFIX: <what the solver should do instead>"

    issues: list[str] = Field(default_factory=list)
    fix: str = Field(min_length=1)

    @field_validator("issues", mode="before")
    @classmethod
    def _split_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return numbered_items(value) or [value.strip()]
        return value

    @classmethod
    def from_prose(cls, text: str) -> Critique | None:
        stripped = text.strip()
        return cls(issues=numbered_items(stripped), fix=stripped) if stripped else None

    @classmethod
    def fallback(cls, text: str) -> Critique:
        return cls(fix="Re-check every step of the solution and recompute the answer.")

    def summary(self) -> str:
        issues = "; ".join(self.issues[:3])
        return f"{issues} → fix: {self.fix}" if issues else f"fix: {self.fix}"


class Critic(Agent[Critique]):
    role = "critic"
    prompts = CRITIC_PROMPTS
    output_type = Critique
