"""council: language-model agents that reason together.

Heavy modules (langgraph, litellm) load on first use of the names that need them, so that
importing `council` (and `council --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # configuration and results
    "CouncilConfig": "council.config",
    "RunResult": "council.graphs.run",
    # models
    "ModelSpec": "council.models.settings",
    "ModelSettings": "council.models.settings",
    "ChatModel": "council.models.base",
    "Completion": "council.models.base",
    "ScriptedModel": "council.models.scripted",
    "ScriptedReply": "council.models.scripted",
    "build_model": "council.models.factory",
    # messages and usage
    "Message": "council.messages",
    "ToolCall": "council.messages",
    "Usage": "council.usage",
    "UsageReport": "council.usage",
    # agents
    "Agent": "council.agents.base",
    "AgentOutput": "council.agents.output",
    "AgentPrompts": "council.agents.prompting",
    "PromptTemplate": "council.agents.prompting",
    "Planner": "council.agents.planner",
    "Plan": "council.agents.planner",
    "Solver": "council.agents.solver",
    "Solution": "council.agents.solver",
    "Verifier": "council.agents.verifier",
    "Verdict": "council.agents.verifier",
    "Critic": "council.agents.critic",
    "Critique": "council.agents.critic",
    # graphs and protocols
    "CouncilGraph": "council.graphs.builder",
    "bounded": "council.graphs.builder",
    "GraphRunner": "council.runner",
    "load_graph": "council.graphs.config",
    "ProtocolOptions": "council.protocols.options",
    "RunSpec": "council.protocols.run_spec",
    "ProtocolDefinition": "council.protocols.definition",
    "ProtocolCard": "council.protocols.definition",
    "ScriptedCall": "council.models.scripted",
    "CallRecord": "council.calls",
    "VoteTable": "council.voting",
    "RoleModels": "council.models.roles",
    "CallInfo": "council.models.base",
    "define_agent": "council.agents.define",
    "SolveState": "council.graphs.state",
    "CouncilState": "council.graphs.state",
    "Step": "council.graphs.state",
    # chat and memory
    "ChatSession": "council.chat.session",
    "ThreadStore": "council.chat.threads",
    "MemoryStore": "council.memory.store",
    "MemoryPolicy": "council.memory.session",
    # benchmarks
    "Problem": "council.bench.datasets",
    "DatasetSpec": "council.bench.datasets",
    "load_problems": "council.bench.datasets",
    "Grader": "council.bench.grading",
    "run_benchmark": "council.bench.runner",
    "Summary": "council.bench.summary",
    "paired": "council.bench.report",
    # tools
    "Tool": "council.tools.base",
    "ToolContext": "council.tools.base",
    "ToolOutput": "council.tools.base",
    "ToolRegistry": "council.tools.base",
    "tool": "council.tools.base",
    # errors
    "CouncilError": "council.errors",
    "ConfigError": "council.errors",
    "ModelError": "council.errors",
    "UnknownModelError": "council.errors",
    "MissingCredentialsError": "council.errors",
    "ModelUnreachableError": "council.errors",
    "SandboxUnavailableError": "council.errors",
    "DatasetError": "council.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'council' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:  # let type checkers and IDEs see the real names
    from council.agents.base import Agent
    from council.agents.critic import Critic, Critique
    from council.agents.define import define_agent
    from council.agents.output import AgentOutput
    from council.agents.planner import Plan, Planner
    from council.agents.prompting import AgentPrompts, PromptTemplate
    from council.agents.solver import Solution, Solver
    from council.agents.verifier import Verdict, Verifier
    from council.bench.datasets import DatasetSpec, Problem, load_problems
    from council.bench.grading import Grader
    from council.bench.report import paired
    from council.bench.runner import run_benchmark
    from council.bench.summary import Summary
    from council.calls import CallRecord
    from council.chat.session import ChatSession
    from council.chat.threads import ThreadStore
    from council.config import CouncilConfig
    from council.errors import (
        ConfigError,
        CouncilError,
        DatasetError,
        MissingCredentialsError,
        ModelError,
        ModelUnreachableError,
        SandboxUnavailableError,
        UnknownModelError,
    )
    from council.graphs.builder import CouncilGraph, bounded
    from council.graphs.config import load_graph
    from council.graphs.run import RunResult
    from council.graphs.state import CouncilState, SolveState, Step
    from council.memory.session import MemoryPolicy
    from council.memory.store import MemoryStore
    from council.messages import Message, ToolCall
    from council.models.base import CallInfo, ChatModel, Completion
    from council.models.factory import build_model
    from council.models.roles import RoleModels
    from council.models.scripted import ScriptedCall, ScriptedModel, ScriptedReply
    from council.models.settings import ModelSettings, ModelSpec
    from council.protocols.definition import ProtocolCard, ProtocolDefinition
    from council.protocols.options import ProtocolOptions
    from council.protocols.run_spec import RunSpec
    from council.runner import GraphRunner
    from council.tools.base import Tool, ToolContext, ToolOutput, ToolRegistry, tool
    from council.usage import Usage, UsageReport
    from council.voting import VoteTable
