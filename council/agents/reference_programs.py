"""Programs in model replies and what their runs show back, as Qwen2.5-Math's evaluation
reads and runs them (QwenLM/Qwen2.5-Math at a45202b: `evaluation/trajectory.py`,
`evaluation/python_executor.py`, `evaluation/math_eval.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from council.tools.base import ToolContext, ToolOutput
from council.tools.python_tool import python_tool, require_session
from council.tools.sandbox.result import ExecutionResult
from council.tools.sandbox.run_options import INTERACTIVE, RunOptions

OUTPUT_FENCE = "```output"
INVALID_TRAJECTORY = "raise ValueError('Invalid trajectory')"
"""What `extract_program` runs when the text's fences do not parse (trajectory.py:75)."""
TIMEOUT_REPORT = "timeout_decorator.timeout_decorator.TimeoutError: 'Timed Out'"
"""What the reference shows for a run past its time limit: its timeout decorator fires
inside the run and the last line of that traceback is the report (python_executor.py:109,
115, 137); rendered from the reference, tests/fixtures/references/tir.timeout.json."""
ERROR_WORDS = ("error", "exception", "no algorithms", "cannot", "nan", "...")
"""An output with any of these (lowercased) marks its program failed (trajectory.py:64)."""

Role = Literal["rationale", "program", "output"]


def last_program(text: str) -> str | None:
    """The last ```python block's code (line by line, as `extract_program` reads it); None
    when the text has no such block."""
    program: str | None = None
    inside = False
    for line in text.split("\n"):
        if line.startswith("```python") or line.endswith("```python"):
            program, inside = "", True
        elif line.startswith("```"):
            inside = False
        elif inside and program is not None:
            program += line + "\n"
    return program


class ProgramStep(BaseModel):
    """One piece of a reasoning trajectory: prose, a program, or a program's output."""

    role: Role
    content: str


class InvalidTrajectoryError(ValueError):
    """Fences out of order (a ```python inside a program or an output)."""


def trajectory(text: str) -> list[ProgramStep]:
    """The text as rationale/program/output steps, line by line: a line that is exactly
    ```python opens a program, a line that is exactly ``` closes it, and what follows up
    to the next ``` line is its output (trajectory.py:13-48)."""
    steps: list[ProgramStep] = []
    role: Role = "rationale"
    content = ""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line == "```python":
            if role != "rationale":
                raise InvalidTrajectoryError("a program starts inside a program or output")
            if content:
                steps.append(ProgramStep(role=role, content=content))
                content = ""
            role = "program"
        elif role == "program" and line == "```":
            if not content:
                raise InvalidTrajectoryError("an empty program")
            steps.append(ProgramStep(role=role, content=content))
            content, role = "", "output"
        elif role == "output" and line.startswith(OUTPUT_FENCE):
            if content:
                raise InvalidTrajectoryError("text between a program and its output")
        elif role == "output" and line == "```":
            steps.append(ProgramStep(role=role, content=content))
            content, role = "", "rationale"
        else:
            content += line + ("\n" if index < len(lines) - 1 else "")
    if content:
        steps.append(ProgramStep(role=role, content=content))
    return steps


def ran_cleanly(output: str) -> bool:
    lowered = output.lower()
    return not any(word in lowered for word in ERROR_WORDS)


def cumulative_program(text: str) -> str:
    """The program the reference runs for a turn (`extract_program`, trajectory.py:69-106):
    every earlier block whose output looks clean, with their `print(` lines dropped, then
    the last block; the import lines of failed blocks go first. The reference runs it in
    fresh globals, so this is how state carries from block to block."""
    try:
        steps = trajectory(text)
    except InvalidTrajectoryError:
        return INVALID_TRAJECTORY
    programs: list[str] = []
    imports: list[str] = []
    for index, step in enumerate(steps):
        if step.role != "program":
            continue
        if index == len(steps) - 1 or ran_cleanly(steps[index + 1].content.strip()):
            programs.append(step.content)
        else:
            imports += [
                line
                for line in step.content.split("\n")
                if line.startswith("import") or line.startswith("from")
            ]
    programs = programs or [""]
    if imports:
        programs[0] = "\n".join(imports) + "\n" + programs[0]
    earlier = [
        "\n".join(line for line in p.split("\n") if not line.strip().startswith("print("))
        for p in programs[:-1]
    ]
    return "\n".join([*earlier, programs[-1]])


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
    """The reply up to the first stop sequence in it: what a server that honours `stop`
    returns, so a model never shows an output it invented even where a server ignores
    `stop`."""
    cut = len(text)
    for stop in stops:
        index = text.find(stop)
        if 0 <= index < cut:
            cut = index
    return text[:cut]


def cut_at_output(text: str) -> str:
    """The reply up to a ```output fence the model wrote itself (see `cut_at_stop`)."""
    return cut_at_stop(text, (OUTPUT_FENCE,))


def middle_truncated(text: str, limit: int) -> str:
    """Longer than `limit`: the first and last `limit // 2` characters around "..."
    (python_executor.py:143-148)."""
    half = limit // 2
    return text[:half] + "..." + text[-half:] if len(text) > limit else text


def executor_output(result: ToolOutput, limit: int) -> str:
    """What the reference shows of a run (python_executor.py:132-137 and 194-198,
    math_eval.py:317-318): the result (printed text, or the last line's value) stripped,
    else the report: "Done", or the last line of the error; each cut to `limit` characters
    around "..."."""
    if not isinstance(result, ExecutionResult):
        return middle_truncated(result.to_text().strip(), limit)
    if result.timed_out:
        report = TIMEOUT_REPORT
    elif result.error is not None:
        parts = result.error.split("\n")
        report = parts[-2] if len(parts) >= 2 else parts[0]
    else:
        report = "Done"
    if result.error is not None:
        shown = ""
    elif result.value is not None:  # the last line's value (auto mode)
        shown = result.value
    else:
        shown = result.stdout
    shown, report = shown.strip(), report.strip()
    return middle_truncated(shown, limit) or middle_truncated(report, limit)


async def run_program(
    code: str,
    context: ToolContext | None,
    timeout: float | None = None,
    options: RunOptions = INTERACTIVE,
) -> ToolOutput:
    """One run of `code` in the run's sandbox session (the interactive defaults go through
    the python tool). No session is an error naming the fix (`SandboxUnavailableError`),
    never a host run."""
    if timeout is None and options == INTERACTIVE:
        return await python_tool.run({"code": code}, context or ToolContext())
    session = require_session(context or ToolContext())
    result: ExecutionResult = await session.run(  # type: ignore[attr-defined]
        code, timeout, options
    )
    return result
