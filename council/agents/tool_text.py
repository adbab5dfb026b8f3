"""Tool use for models without native function calling (small local GGUFs).

Such a model calls a tool by writing a fenced block: ```python for code, or ```tool with a
JSON object `{"name": ..., "arguments": {...}}` for any other tool. The agent runs the
blocks and shows the output back, as in tool-integrated reasoning for math models.
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel

from council.agents import texts
from council.tools.base import ToolRegistry

CODE_TOOL = "python"
_CODE_BLOCK = re.compile(r"```(?:python|py)\s*\n(.*?)```", re.DOTALL)
_TOOL_BLOCK = re.compile(r"```tool\s*\n(.*?)```", re.DOTALL)


class TextToolCall(BaseModel):
    tool: str
    arguments: dict[str, object]


def strip_tool_blocks(text: str) -> str:
    return _TOOL_BLOCK.sub("", _CODE_BLOCK.sub("", text))


def find_text_tool_calls(text: str, tools: ToolRegistry) -> list[TextToolCall]:
    """Tool calls written as fenced blocks, in the order they appear."""
    found: list[tuple[int, TextToolCall]] = []
    if CODE_TOOL in tools:
        for match in _CODE_BLOCK.finditer(text):
            found.append(
                (match.start(), TextToolCall(tool=CODE_TOOL, arguments={"code": match.group(1)}))
            )
    for match in _TOOL_BLOCK.finditer(text):
        try:
            payload = json.loads(match.group(1))
        except json.JSONDecodeError as exc:
            payload = {"name": "(unreadable)", "arguments": {"error": str(exc)}}
        if isinstance(payload, dict):
            arguments = payload.get("arguments", {})
            found.append(
                (
                    match.start(),
                    TextToolCall(
                        tool=str(payload.get("name", "")),
                        arguments=arguments if isinstance(arguments, dict) else {},
                    ),
                )
            )
    return [call for _, call in sorted(found, key=lambda item: item[0])]


def describe_tools(tools: ToolRegistry, *, native: bool) -> str:
    """The system-prompt paragraph that tells a model how to use its tools."""
    if not tools:
        return ""
    if native:
        return texts.NATIVE_TOOLS_HELP.render({})
    lines = []
    if CODE_TOOL in tools:
        lines.append(texts.PYTHON_HELP.render({}))
    others = [t for t in tools if t.name != CODE_TOOL]
    if others:
        lines.append(texts.TOOL_BLOCK_HELP.render({}))
        for tool in others:
            params = ", ".join(tool.input_model.model_fields)
            summary = tool.description.splitlines()[0]
            lines.append(f"- {tool.name}({params}): {summary}")
    lines.append(texts.AFTER_TOOLS.render({}))
    return "\n" + "\n".join(lines)
