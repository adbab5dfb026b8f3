"""`define_agent`: a new role from a name, two prompt templates, a model and a schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from council.agents.base import Agent
from council.agents.output import AgentOutput
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import Solution
from council.models.base import ChatModel
from council.models.settings import ModelSettings
from council.tools.base import Tool, ToolRegistry


def define_agent(
    role: str,
    *,
    system: str,
    task: str,
    model: ChatModel,
    output: type[AgentOutput] = Solution,
    tools: Iterable[Tool] = (),
    settings: ModelSettings | None = None,
    max_tool_turns: int = 4,
) -> Agent[Any]:
    """Templates may use any prompt variable (`council.graphs.variables.PROMPT_VARIABLES`),
    e.g. `{problem}`, `{feedback}`, `{others}`, and `{format}` for the schema's format."""
    prompts = AgentPrompts(
        system=PromptTemplate(name=f"{role}.system", text=system),
        task=PromptTemplate(name=f"{role}.task", text=task),
    )
    return Agent(
        model,
        role=role,
        prompts=prompts,
        output_type=output,
        tools=ToolRegistry(tools),
        settings=settings,
        max_tool_turns=max_tool_turns,
    )
