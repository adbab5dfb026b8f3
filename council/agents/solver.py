"""The solver: follows the plan (and any critique) to a worked solution and an answer."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.parsing import extract_final_answer
from council.agents.prompting import AgentPrompts, PromptTemplate

SOLVER_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="solver.system",
        text=(
            "You are the solver in a team that solves problems together. Reason step by "
            "step, check your arithmetic, and always finish with the final answer.{tool_help}"
        ),
    ),
    task=PromptTemplate(
        name="solver.task",
        text=(
            "Problem:\n{problem}\n\nPlan:\n{plan}\n\n{memory}{blackboard}{feedback}"
            "Solve the problem.\n{format}"
        ),
    ),
)


class Solution(AgentOutput):
    FORMAT: ClassVar[str] = "REASONING: <your step-by-step work>\nANSWER: <the final answer only>"

    reasoning: str = ""
    answer: str = Field(min_length=1)

    @classmethod
    def from_prose(cls, text: str) -> Solution | None:
        answer = extract_final_answer(text)
        return cls(reasoning=text.strip(), answer=answer) if answer else None

    @classmethod
    def fallback(cls, text: str) -> Solution:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        return cls(reasoning=text.strip(), answer=lines[-1] if lines else "(no answer)")

    def summary(self) -> str:
        return f"answer: {self.answer}"


class Solver(Agent[Solution]):
    role = "solver"
    prompts = SOLVER_PROMPTS
    output_type = Solution
