"""Programs in model replies and what their runs show back, as Qwen2.5-Math's evaluation
reads them (QwenLM/Qwen2.5-Math, `evaluation/parser.py::extract_program` and
`evaluation/python_executor.py`): the last ```python block is the program; a run shows its
printed output, else the last line of the error, else "Done"."""

from __future__ import annotations

from council.tools.base import ToolContext, ToolOutput
from council.tools.python_tool import python_tool
from council.tools.sandbox.result import ExecutionResult

OUTPUT_FENCE = "```output"


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


def cut_at_output(text: str) -> str:
    """The reply up to a ```output fence the model wrote itself: the scripts stop
    generation there (`stop=["```output"]`) so a model never invents a program's output;
    with a chat API that has no stop sequences the same text is kept by cutting."""
    index = text.find(OUTPUT_FENCE)
    return text if index < 0 else text[:index]


def shown_output(result: ToolOutput) -> str:
    """What the model is shown of a run: stdout, else the error's last line, else "Done"
    (Qwen2.5-Math's executor with `get_answer_from_stdout=True`)."""
    if not isinstance(result, ExecutionResult):
        return result.to_text().strip()
    if result.stdout.strip():
        return result.stdout.strip()
    if result.error:
        lines = [line for line in result.error.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else "Error"
    return "Done"


async def run_program(code: str, context: ToolContext | None) -> ToolOutput:
    """One run of `code` in the run's sandbox session (its globals persist between runs).
    No session is an error naming the fix (`SandboxUnavailableError`), never a host run."""
    return await python_tool.run({"code": code}, context or ToolContext())
