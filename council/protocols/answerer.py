"""A single chain-of-thought answerer: the agent behind `single` and `self-consistency`."""

from __future__ import annotations

from council.agents.base import Agent
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import Solution

ANSWERER_PROMPTS = AgentPrompts(
    system=PromptTemplate(
        name="answerer.system",
        text="You solve problems carefully. Think step by step, then give the final answer."
        "{tool_help}",
    ),
    task=PromptTemplate(
        name="answerer.task",
        text="Problem:\n{problem}\n\n{memory}Solve it step by step.\n{format}",
    ),
)


class Answerer(Agent[Solution]):
    role = "solver"
    prompts = ANSWERER_PROMPTS
    output_type = Solution
