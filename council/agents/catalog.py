"""Built-in agent classes by short name, for config files (`use: verifier`)."""

from __future__ import annotations

import importlib
from typing import Any

from council.agents.answerer import Answerer
from council.agents.base import Agent
from council.agents.critic import Critic, Critique
from council.agents.debater import Debater
from council.agents.grader import CandidateGrader, JudgeGrade
from council.agents.mad import (
    Affirmative,
    Candidates,
    Judge,
    JudgeAnswer,
    JudgeCandidates,
    Moderator,
    ModeratorDecision,
    Negative,
)
from council.agents.moa import Aggregator, Synthesizer
from council.agents.output import AgentOutput
from council.agents.planner import Plan, Planner
from council.agents.program import ProgramAnswer, ProgramOfThought
from council.agents.refine import Assessment, Assessor, Refiner
from council.agents.solver import Solution, Solver, WorkedAnswer
from council.agents.tir import ToolIntegratedReasoner
from council.agents.tool_modules import (
    KnowledgeRetriever,
    ModuleNote,
    ModulePlan,
    ModulePlanner,
    ModuleReport,
    ProgramModule,
    SolutionGenerator,
    SymbolicSolver,
)
from council.agents.verifier import Verdict, Verifier
from council.errors import ConfigError


def builtin_agents() -> dict[str, type[Agent[Any]]]:

    return {
        "planner": Planner,
        "solver": Solver,
        "verifier": Verifier,
        "critic": Critic,
        "answerer": Answerer,
        "debater": Debater,
        "affirmative": Affirmative,
        "negative": Negative,
        "moderator": Moderator,
        "judge_candidates": JudgeCandidates,
        "judge": Judge,
        "tir": ToolIntegratedReasoner,
        "pot": ProgramOfThought,
        "grader": CandidateGrader,
        "synthesizer": Synthesizer,
        "aggregator": Aggregator,
        "assessor": Assessor,
        "refiner": Refiner,
        "module_planner": ModulePlanner,
        "knowledge_retrieval": KnowledgeRetriever,
        "python_generator": ProgramModule,
        "symbolic_solver": SymbolicSolver,
        "solution_generator": SolutionGenerator,
    }


def builtin_outputs() -> dict[str, type[AgentOutput]]:

    return {
        "plan": Plan,
        "solution": Solution,
        "verdict": Verdict,
        "critique": Critique,
        "worked_answer": WorkedAnswer,
        "moderator": ModeratorDecision,
        "candidates": Candidates,
        "judge": JudgeAnswer,
        "program_answer": ProgramAnswer,
        "grade": JudgeGrade,
        "assessment": Assessment,
        "module_plan": ModulePlan,
        "module_note": ModuleNote,
        "module_report": ModuleReport,
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


def _resolve(name: str, known: dict[str, Any], base: type, what: str) -> Any:
    if name in known:
        return known[name]
    if ":" not in name:
        raise ConfigError(
            f"unknown {what} {name!r}; use one of {', '.join(sorted(known))} or 'module:Class'"
        )
    cls = import_object(name, what)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ConfigError(f"{name!r} is not a {base.__name__} subclass")
    return cls


def resolve_agent_class(name: str) -> type[Agent[Any]]:
    return _resolve(name, builtin_agents(), Agent, "agent")


def resolve_output(name: str) -> type[AgentOutput]:
    return _resolve(name, builtin_outputs(), AgentOutput, "output schema")
