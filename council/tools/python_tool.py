"""The `python` tool: run code in the problem's sandbox session, keeping its state."""

from __future__ import annotations

from council.errors import SandboxUnavailableError
from council.tools.base import ToolContext, tool
from council.tools.sandbox.result import ExecutionResult

NO_SESSION = (
    "the python tool needs a sandbox session and none is open: enable code tools with "
    "--tools python (Docker sandbox), or check `council sandbox doctor`"
)


def require_session(context: ToolContext) -> object:
    if context.session is None:
        raise SandboxUnavailableError(NO_SESSION)
    return context.session


@tool(name="python")
async def python_tool(code: str, context: ToolContext) -> ExecutionResult:
    """Run Python code in a sandbox that keeps variables between calls. Use print() to see
    values; the last expression's value is shown too. sympy and numpy are installed."""
    session = require_session(context)
    return await session.run(code)  # type: ignore[attr-defined]
