"""Tools agents can call. Code runs only in a sandbox (`council.tools.sandbox`)."""

from council.tools.base import (
    TextOutput,
    Tool,
    ToolContext,
    ToolError,
    ToolOutput,
    ToolRegistry,
    tool,
)

__all__ = ["TextOutput", "Tool", "ToolContext", "ToolError", "ToolOutput", "ToolRegistry", "tool"]
