"""The planner: breaks a problem into a few concrete steps before anyone solves it."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.parsing import numbered_items
from council.agents.prompting import AgentPrompts, PromptTemplate

PLANNER_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="planner.system",
        text=(
            "You are the planner in a team that solves problems together. You do not solve "
            "the problem; you write a short plan that a solver will follow."
        ),
    ),
    task=PromptTemplate(
        name="planner.task",
        text=(
            "Problem:\n{problem}\n\n{memory}{blackboard}"
            "Write a plan of 2 to 5 short steps.\n{format}"
        ),
    ),
)


class Plan(AgentOutput):
    FORMAT: ClassVar[str] = "STEPS:\n1. <first step>\n2. <second step>\n..."

    steps: list[str] = Field(min_length=1, max_length=12)

    @field_validator("steps", mode="before")
    @classmethod
    def _split_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return numbered_items(value) or [line for line in value.splitlines() if line.strip()]
        return value

    @classmethod
    def from_prose(cls, text: str) -> Plan | None:
        items = numbered_items(text)
        return cls(steps=items[:12]) if items else None

    @classmethod
    def fallback(cls, text: str) -> Plan:
        return cls(steps=["Work through the problem step by step and state the final answer."])

    def summary(self) -> str:
        return " | ".join(f"{i}. {step}" for i, step in enumerate(self.steps, 1))


class Planner(Agent[Plan]):
    role = "planner"
    prompts = PLANNER_PROMPTS
    output_type = Plan
