"""Agents: typed roles with their prompts beside them."""

from council.agents.base import Agent, AgentResult, ToolTrace
from council.agents.critic import Critic, Critique
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError
from council.agents.planner import Plan, Planner
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.solver import Solution, Solver
from council.agents.verifier import Verdict, Verifier
from council.answers import extract_final_answer

__all__ = [
    "Agent",
    "AgentOutput",
    "AgentPrompts",
    "AgentResult",
    "Critic",
    "Critique",
    "OutputParseError",
    "Plan",
    "Planner",
    "PromptTemplate",
    "Solution",
    "Solver",
    "ToolTrace",
    "Verdict",
    "Verifier",
    "extract_final_answer",
]
