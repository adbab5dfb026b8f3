"""Built-in agent classes by short name, for config files (`use: verifier`)."""

from __future__ import annotations

import importlib
from typing import Any

from council.agents.base import Agent
from council.agents.critic import Critic, Critique
from council.agents.output import AgentOutput
from council.agents.planner import Plan, Planner
from council.agents.solver import Solution, Solver
from council.agents.verifier import Verdict, Verifier
from council.errors import ConfigError


def builtin_agents() -> dict[str, type[Agent[Any]]]:
    from council.protocols.answerer import Answerer
    from council.protocols.debate import Debater
    from council.protocols.mad import Affirmative, Judge, Negative

    return {
        "planner": Planner,
        "solver": Solver,
        "verifier": Verifier,
        "critic": Critic,
        "answerer": Answerer,
        "debater": Debater,
        "affirmative": Affirmative,
        "negative": Negative,
        "judge": Judge,
    }


def builtin_outputs() -> dict[str, type[AgentOutput]]:
    from council.protocols.mad import JudgeDecision

    return {
        "plan": Plan,
        "solution": Solution,
        "verdict": Verdict,
        "critique": Critique,
        "judge": JudgeDecision,
    }


def import_object(path: str, what: str) -> Any:
    """`package.module:Name` → the object, with an error that says what to fix."""
    module_name, _, attribute = path.partition(":")
    if not attribute:
        raise ConfigError(f"{what} {path!r} is not a known name nor 'module:Name'")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot import {what} {path!r}: {exc}") from exc


def resolve_agent_class(name: str) -> type[Agent[Any]]:
    known = builtin_agents()
    if name in known:
        return known[name]
    if ":" not in name:
        raise ConfigError(
            f"unknown agent {name!r}; use one of {', '.join(sorted(known))} or 'module:Class'"
        )
    cls = import_object(name, "agent")
    if not (isinstance(cls, type) and issubclass(cls, Agent)):
        raise ConfigError(f"{name!r} is not an Agent subclass")
    return cls


def resolve_output(name: str) -> type[AgentOutput]:
    known = builtin_outputs()
    if name in known:
        return known[name]
    if ":" not in name:
        raise ConfigError(
            f"unknown output schema {name!r}; use one of {', '.join(sorted(known))} "
            "or 'module:Class' (an AgentOutput subclass)"
        )
    cls = import_object(name, "output schema")
    if not (isinstance(cls, type) and issubclass(cls, AgentOutput)):
        raise ConfigError(f"{name!r} is not an AgentOutput subclass")
    return cls
