"""The verifier: checks a solution and returns a typed verdict the graph routes on."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.prompting import AgentPrompts, PromptTemplate

VERIFIER_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="verifier.system",
        text=(
            "You are the verifier in a team that solves problems together. Check the "
            "solution independently: recompute each step. Be strict: accept only if every "
            "step and the final answer are right.{tool_help}"
        ),
    ),
    task=PromptTemplate(
        name="verifier.task",
        text=(
            "Problem:\n{problem}\n\nProposed solution:\n{solution}\n\nProposed answer: "
            "{answer}\n\n{blackboard}Is the answer correct?\n{format}"
        ),
    ),
)

_REJECTS = re.compile(
    r"\s*\**\s*(?:not\b|incorrect|in-correct|no\b|false|reject|wrong|invalid|fail|"
    r"un(?:correct|verified))",
    re.IGNORECASE,
)
_ACCEPTS = re.compile(r"\s*\**\s*(?:correct|yes|true|accept|right|valid|pass)\b", re.IGNORECASE)


class Verdict(AgentOutput):
    FORMAT: ClassVar[str] = (
        "VERDICT: correct or incorrect\nCONFIDENCE: a number from 0 to 1\n"
        "FAILING_STEP: the number of the first wrong step, or none\nREASON: one sentence"
    )

    verdict: bool = Field(description="True when the solution is correct")
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    failing_step: int | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        return self.verdict

    def accepts(self) -> bool | None:
        return self.verdict

    @classmethod
    def _normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        if "verdict" not in data and "correct" in data:
            data["verdict"] = data.pop("correct")
        verdict = data.get("verdict")
        if isinstance(verdict, str):  # the verdict's first words decide; "not correct" rejects
            if _REJECTS.match(verdict):
                data["verdict"] = False
            elif _ACCEPTS.match(verdict):
                data["verdict"] = True
        confidence = data.get("confidence")
        if isinstance(confidence, str):
            match = re.search(r"\d+(?:\.\d+)?", confidence)
            if match:
                value = float(match.group())
                data["confidence"] = value / 100 if value > 1 else value
            else:
                data.pop("confidence")
        step = data.get("failing_step")
        if isinstance(step, str):
            match = re.search(r"\d+", step)
            data["failing_step"] = int(match.group()) if match else None
        return data

    @classmethod
    def from_prose(cls, text: str) -> Verdict | None:
        """Prose never accepts: only an explicit `VERDICT: correct` (or JSON) does. Prose
        that says the answer is wrong is read as the rejection it is."""
        if re.search(
            r"\b(incorrect|wrong|not (?:correct|right|valid)|invalid|mistake)\b", text, re.I
        ):
            return cls(verdict=False, confidence=0.3, reason=text.strip()[:200])
        return None

    @classmethod
    def fallback(cls, text: str) -> Verdict:
        # An unreadable check is no evidence of correctness: reject with zero confidence,
        # and let the round bound stop the loop.
        return cls(verdict=False, confidence=0.0, reason="verifier reply could not be read")

    def summary(self) -> str:
        word = "correct" if self.verdict else "incorrect"
        step = f", fails at step {self.failing_step}" if self.failing_step else ""
        return f"{word} (confidence {self.confidence:.2f}{step}) {self.reason}".strip()


class Verifier(Agent[Verdict]):
    role = "verifier"
    prompts = VERIFIER_PROMPTS
    output_type = Verdict
