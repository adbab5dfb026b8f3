"""What a verified solve teaches: the curator's lessons, verified code, or a fallback.

A model writes a one-line strategy and, if there was one, a pitfall; code that ran cleanly
in the sandbox is kept verbatim. If the model's reply is unusable, a deterministic note is
built from the accepted plan and answer, so a verified solve always teaches something. The
curator's calls are returned with the lessons, so they are metered like every other call.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from council.agents.curator import Curator
from council.calls import CallRecord
from council.graphs.run import RunResult
from council.memory.store import EntryKind


class Lesson(BaseModel):
    kind: EntryKind
    text: str


class Curation(BaseModel):
    lessons: list[Lesson]
    calls: list[CallRecord] = Field(default_factory=list)


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


async def curate(curator: Curator | None, problem: str, result: RunResult) -> Curation:
    lessons: list[Lesson] = []
    calls: list[CallRecord] = []
    if curator is not None:
        transcript = "\n".join(
            f"- {s.role}: {s.content[:200]}" for s in result.steps if s.kind != "note"
        )
        outcome = await curator.run(
            {"problem": problem, "answer": result.answer or "", "transcript": transcript}
        )
        calls = outcome.calls
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
    return Curation(lessons=lessons, calls=calls)
