"""The curator: after a verified solve, distil what is worth remembering.

A model writes a one-line strategy and, if there was one, a pitfall; code that ran cleanly
in the sandbox is kept verbatim. If the model's reply is unusable, a deterministic note is
built from the accepted plan and answer, so a verified solve always teaches something.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.graphs.run import RunResult
from council.memory.store import EntryKind

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
    default_max_tokens = 120


class Lesson(BaseModel):
    kind: EntryKind
    text: str


def verified_code(result: RunResult) -> list[str]:
    """Python the solver ran that produced output without an error."""
    snippets = []
    for step in result.steps:
        tool = step.tool
        if tool is not None and tool.tool == "python" and "[error]" not in tool.output:
            code = str(tool.arguments.get("code", "")).strip()
            if code and len(code) < 1500:
                snippets.append(code)
    return snippets


def fallback_lessons(problem: str, result: RunResult) -> list[Lesson]:
    plan = next((s.content for s in result.steps if s.kind == "plan"), "")
    text = f"For a problem like '{problem[:120]}', " + (
        f"the plan '{plan[:200]}' led to the verified answer {result.answer}."
        if plan
        else f"the verified answer was {result.answer}."
    )
    return [Lesson(kind="strategy", text=text)]


async def curate(curator: Curator | None, problem: str, result: RunResult) -> list[Lesson]:
    lessons: list[Lesson] = []
    if curator is not None:
        transcript = "\n".join(
            f"- {s.role}: {s.content[:200]}" for s in result.steps if s.kind != "note"
        )
        outcome = await curator.run(
            {"problem": problem, "answer": result.answer or "", "transcript": transcript}
        )
        if outcome.parse != "fallback":
            lessons.append(Lesson(kind="strategy", text=outcome.output.strategy))
            pitfall = outcome.output.pitfall.strip()
            if pitfall and pitfall.lower() not in ("none", "n/a", "-"):
                lessons.append(Lesson(kind="pitfall", text=pitfall))
    if not lessons:
        lessons = fallback_lessons(problem, result)
    lessons += [
        Lesson(kind="code", text=f"Verified code:\n{code}") for code in verified_code(result)
    ]
    return lessons
