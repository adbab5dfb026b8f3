"""Typed tools: pydantic input and output, registered by name, callable by agents.

A tool is a plain async (or sync) function whose parameters are typed; `@tool` derives the
input model and the JSON schema models see from the signature, so the schema, validation
and docs cannot disagree.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from council.errors import RUN_FAULTS


class ToolError(Exception):
    """Raised for a tool call that cannot run (unknown tool, bad arguments)."""


class ToolOutput(BaseModel):
    """Base for tool results; `to_text` is what the model reads back."""

    def to_text(self) -> str:
        return self.model_dump_json(exclude_none=True)


class TextOutput(ToolOutput):
    text: str

    def to_text(self) -> str:
        return self.text


class ToolContext(BaseModel):
    """What a tool may use besides its arguments: the per-problem sandbox session.

    Passed explicitly on each call so tools hold no hidden global state.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    session: Any = None  # a council.tools.sandbox session, when code tools are enabled
    problem_id: str = "default"


class Tool:
    """A named, typed callable. Build one with `@tool`, or subclass for full control."""

    def __init__(
        self,
        name: str,
        description: str,
        input_model: type[BaseModel],
        func: Callable[..., Any],
        *,
        needs_context: bool = False,
    ) -> None:
        self.name = name
        self.description = description
        self.input_model = input_model
        self._func = func
        self._needs_context = needs_context

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"

    def openai_schema(self) -> dict[str, Any]:
        """The function-calling schema litellm passes as `tools=[...]`."""
        params = self.input_model.model_json_schema()
        params.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": params},
        }

    def parse_arguments(self, arguments: dict[str, Any] | str) -> BaseModel:
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments) if arguments.strip() else {}
            except json.JSONDecodeError as exc:
                raise ToolError(f"tool {self.name!r}: arguments are not JSON: {exc}") from exc
        try:
            return self.input_model.model_validate(arguments)
        except ValidationError as exc:
            raise ToolError(f"tool {self.name!r}: bad arguments: {exc}") from exc

    async def run(
        self, arguments: dict[str, Any] | str, context: ToolContext | None = None
    ) -> ToolOutput:
        """Validate, call, and wrap the result; a tool that raises yields an error text.

        A tool is code the model drives with arguments it made up, so any exception from it
        (a bug, a ValueError on odd input) is an observation the model can react to, not a
        crash of the run. Only `RUN_FAULTS` and cancellation propagate. Bad arguments raise
        `ToolError`, which callers turn into text the same way.
        """
        parsed = self.parse_arguments(arguments)
        kwargs = dict(parsed)
        if self._needs_context:
            kwargs["context"] = context or ToolContext()
        try:
            result = self._func(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except RUN_FAULTS:
            raise
        except Exception as exc:
            return TextOutput(text=f"error: tool {self.name!r} failed: {_describe(exc)}")
        if isinstance(result, ToolOutput):
            return result
        if isinstance(result, BaseModel):
            return TextOutput(text=result.model_dump_json())
        return TextOutput(text=str(result))


def _describe(exc: Exception, limit: int = 500) -> str:
    """`ValueError: bad input`, flattened to one line and bounded for the model's prompt."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _input_model_for(func: Callable[..., Any], name: str) -> tuple[type[BaseModel], bool]:
    hints = get_type_hints(func)
    fields: dict[str, Any] = {}
    needs_context = False
    for param in inspect.signature(func).parameters.values():
        if param.name == "context":
            needs_context = True
            continue
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, default)
    model_name = "".join(part.capitalize() for part in name.split("_")) + "Input"
    return create_model(model_name, **fields), needs_context


def tool(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
) -> Any:
    """Turn a typed function into a `Tool`. The docstring's first paragraph describes it."""

    def wrap(f: Callable[..., Any]) -> Tool:
        tool_name = name or f.__name__
        doc = description or inspect.getdoc(f) or tool_name
        input_model, needs_context = _input_model_for(f, tool_name)
        return Tool(tool_name, doc.strip(), input_model, f, needs_context=needs_context)

    if func is not None:
        return wrap(func)
    return wrap


class ToolRegistry:
    """Tools by name. Each agent gets the subset it is configured with."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            self.register(t)

    def register(self, t: Tool) -> Tool:
        if t.name in self._tools:
            raise ToolError(f"a tool named {t.name!r} is already registered")
        self._tools[t.name] = t
        return t

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            known = ", ".join(sorted(self._tools)) or "none"
            raise ToolError(f"unknown tool {name!r}; known tools: {known}") from None

    def names(self) -> list[str]:
        return sorted(self._tools)

    def subset(self, names: Iterable[str]) -> ToolRegistry:
        return ToolRegistry(self.get(n) for n in names)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools


async def run_tool_calls(
    registry: ToolRegistry,
    calls: Iterable[tuple[str, dict[str, Any] | str]],
    context: ToolContext,
) -> list[ToolOutput]:
    """Run several calls in order (they may share sandbox state, so not concurrently)."""
    results: list[ToolOutput] = []
    for tool_name, arguments in calls:
        try:
            results.append(await registry.get(tool_name).run(arguments, context))
        except ToolError as exc:
            results.append(TextOutput(text=f"error: {exc}"))
    return results
