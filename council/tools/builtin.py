"""Named tool sets for `--tools` and config files."""

from __future__ import annotations

from collections.abc import Iterable

from council.errors import ConfigError
from council.tools.base import Tool, ToolRegistry
from council.tools.calculator import calculator
from council.tools.python_tool import python_tool
from council.tools.sympy_tools import check_equal, simplify, solve_equation

TOOL_SETS: dict[str, tuple[Tool, ...]] = {
    "python": (python_tool,),
    "sympy": (solve_equation, simplify, check_equal),
    "calculator": (calculator,),
}
SINGLE_TOOLS = {t.name: t for tools in TOOL_SETS.values() for t in tools}
SANDBOXED_TOOLS = frozenset({"python", "solve_equation", "simplify", "check_equal"})


def default_tools(names: Iterable[str]) -> ToolRegistry:
    """Tools for names such as `python`, `sympy` (a set), or single tool names."""
    registry = ToolRegistry()
    for name in names:
        tools = TOOL_SETS.get(name) or ((SINGLE_TOOLS[name],) if name in SINGLE_TOOLS else None)
        if tools is None:
            known = ", ".join([*TOOL_SETS, *(n for n in SINGLE_TOOLS if n not in TOOL_SETS)])
            raise ConfigError(f"unknown tool {name!r}; known: {known}")
        for one in tools:
            if one.name not in registry:
                registry.register(one)
    return registry
