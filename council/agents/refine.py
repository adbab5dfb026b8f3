"""The verifier and refiner of generate → verify → refine (MALT, Motwani et al. 2024,
"MALT: Improving Reasoning with Multi-Agent LLM Training"; PlanGEN's verification agent,
2025): the verifier critiques the latest solution and scores it from 0 to 1, the refiner
rewrites the solution using that critique. The generator is the plain chain-of-thought
answerer (`council.agents.answerer`), so round 1 is exactly `single`.

MALT trains each role; here each role is a prompted model. The prompts are council's own:
neither paper published code, and MALT's paper prints no prompt templates (only that its
prompts are zero-shot CoT, and a refiner system prompt inside one worked example), so there
is no reference text to follow.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from council.agents.answerer import COT_INSTRUCTION
from council.agents.base import Agent
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import WorkedAnswer
from council.agents.verifier import Verdict

ASSESSOR_SYSTEM = (
    "You are the verifier of a math solution. Recompute every step independently, find "
    "each error in the reasoning or arithmetic, and judge whether the final answer is correct."
)
ASSESSOR_TASK = (
    "Problem:\n{problem}\n\nSolution:\n{solution}\n\nCritique the solution, then judge it.\n"
    "{format}"
)
REFINER_TASK = (
    "Problem:\n{problem}\n\nPrevious solution:\n{solution}\n\nA verifier's critique of it:\n"
    "{reply.verifier}\n\nWrite an improved solution: fix every error the critique found and "
    "keep what is right. " + COT_INSTRUCTION.replace("{}", "{{}}")
)
ASSESSOR_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="refine.verifier.system", text=ASSESSOR_SYSTEM),
    task=PromptTemplate(name="refine.verifier.task", text=ASSESSOR_TASK),
)
REFINER_PROMPTS = AgentPrompts(
    system=PromptTemplate(name="refine.refiner.system", text=""),
    task=PromptTemplate(name="refine.refiner.task", text=REFINER_TASK),
)


class Assessment(Verdict):
    """A verdict with a 0-1 score and the critique the refiner reads. It is a `Verdict`, so
    `verdict.accepted` routes on it; the score ranks the rounds' solutions."""

    FORMAT: ClassVar[str] = (
        "CRITIQUE: the errors you found, or none\nVERDICT: correct or incorrect\n"
        "SCORE: a number from 0 to 1, how likely the final answer is correct"
    )

    score: float = Field(ge=0.0, le=1.0)
    critique: str = ""

    @classmethod
    def _normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        data = super()._normalise(data)
        value = data.get("score")
        if isinstance(value, str):
            match = re.search(r"\d+(?:\.\d+)?", value)
            if match:
                number = float(match.group())
                data["score"] = number / 100 if "%" in value or number > 1 else number
        return data

    @classmethod
    def from_prose(cls, text: str) -> Assessment | None:
        """No score, no assessment: prose is re-asked, never guessed into a score."""
        return None

    @classmethod
    def fallback(cls, text: str) -> Assessment:
        return cls(verdict=False, score=0.0, reason="the assessment could not be read")

    def summary(self) -> str:
        word = "correct" if self.verdict else "incorrect"
        return f"{word} (score {self.score:.2f}) {self.critique}".strip()


class Assessor(Agent[Assessment]):
    role = "verifier"
    prompts = ASSESSOR_PROMPTS
    output_type = Assessment


class Refiner(Agent[WorkedAnswer]):
    """Rewrites the latest solution using the verifier's critique; a free-text answer read
    like the generator's (`WorkedAnswer`), never re-asked."""

    role = "refiner"
    prompts = REFINER_PROMPTS
    output_type = WorkedAnswer
    repair = False
