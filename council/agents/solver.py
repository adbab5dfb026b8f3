"""The solver: follows the plan (and any critique) to a worked solution and an answer."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.answers import ExtractionMethod, extract_answer, last_boxed

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
    def _normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        """`ANSWER:` holds the answer alone: its first line, a boxed answer unwrapped."""
        answer = data.get("answer")
        if isinstance(answer, str):
            answer = last_boxed(answer) or answer
            lines = [line for line in answer.strip().splitlines() if line.strip()]
            data["answer"] = lines[0].strip().rstrip(".").strip() if lines else ""
        elif isinstance(answer, int | float):
            data["answer"] = str(answer)
        return data

    @classmethod
    def from_prose(cls, text: str) -> Solution | None:
        answer = extract_answer(text).value
        return cls(reasoning=text.strip(), answer=answer) if answer else None

    def final_answer(self) -> str | None:
        return self.answer.strip() or None

    @classmethod
    def fallback(cls, text: str) -> Solution:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        return cls(reasoning=text.strip(), answer=lines[-1] if lines else "(no answer)")

    def summary(self) -> str:
        return f"answer: {self.answer}"


class WorkedAnswer(AgentOutput):
    """A free-text solution, as the papers' scripts take it: the whole reply is the
    reasoning and the answer is read from it (`extract_answer`: last `\\boxed{}`, else the
    last answer marker, else the last number), with how it was read. No format is imposed
    beyond what the prompt itself asks for."""

    FORMAT: ClassVar[str] = ""

    reasoning: str = ""
    answer: str | None = None
    extraction: ExtractionMethod = "none"

    @classmethod
    def parse(cls, text: str, *, allow_prose: bool = True) -> WorkedAnswer:
        found = extract_answer(text)
        if found.value is None:
            raise OutputParseError("no answer could be read from the reply")
        return cls(reasoning=text.strip(), answer=found.value, extraction=found.method)

    @classmethod
    def fallback(cls, text: str) -> WorkedAnswer:
        return cls(reasoning=text.strip(), answer=None, extraction="none")

    def final_answer(self) -> str | None:
        return self.answer

    def summary(self) -> str:
        return f"answer: {self.answer}" if self.answer is not None else "no answer"


class Solver(Agent[Solution]):
    role = "solver"
    prompts = SOLVER_PROMPTS
    output_type = Solution
