"""The candidate judge of `best-of-n --scorer verifier`: an LLM in the place of a learned
reward model. Like an outcome reward model (Qwen2.5-Math-RM; Cobbe et al. 2021's
verifiers) it sees the problem and one candidate's full solution, never the other
candidates, and gives the probability that the solution's final answer is correct."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.prompting import AgentPrompts, PromptTemplate

GRADER_SYSTEM = (
    "You grade solutions to math problems. Check the solution's reasoning and arithmetic "
    "step by step; judge only whether its final answer is correct."
)
GRADER_TASK = (
    "Problem:\n{problem}\n\nSolution:\n{candidate}\n\nHow likely is it that this solution's "
    "final answer is correct?\n{format}"
)
GRADER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="grader.system", text=GRADER_SYSTEM),
    task=PromptTemplate(name="grader.task", text=GRADER_TASK),
)


class JudgeGrade(AgentOutput):
    """A score from 0 to 1 for one candidate; it neither answers nor accepts."""

    FORMAT: ClassVar[str] = "SCORE: a number from 0 to 1\nREASON: one sentence"

    score: float = Field(ge=0.0, le=1.0)
    reason: str = ""

    @classmethod
    def _normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        value = data.get("score")
        if isinstance(value, str):
            match = re.search(r"\d+(?:\.\d+)?", value)
            if match:
                number = float(match.group())
                data["score"] = number / 100 if "%" in value or number > 1 else number
        return data

    @classmethod
    def fallback(cls, text: str) -> JudgeGrade:
        return cls(score=0.0, reason="the grade could not be read")

    def summary(self) -> str:
        return f"score {self.score:.2f} {self.reason}".strip()


class CandidateGrader(Agent[JudgeGrade]):
    role = "verifier"
    prompts = GRADER_PROMPTS
    output_type = JudgeGrade
