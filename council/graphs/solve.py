"""The solve graph: plan → solve → verify → (accept → finish | reject → critique → solve).

Written with `CouncilGraph` like every other protocol. Bounded by `max_rounds` solve
attempts; when none is accepted, the answer most attempts agreed on is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from council.agents.critic import Critic
from council.agents.planner import Planner
from council.agents.solver import Solver
from council.agents.verifier import Verifier
from council.graphs.builder import CouncilGraph
from council.graphs.state import SolveState


@dataclass(frozen=True)
class SolveAgents:
    planner: Planner
    solver: Solver
    verifier: Verifier
    critic: Critic


def solve_graph(agents: SolveAgents) -> CouncilGraph:
    graph = CouncilGraph("solve", state_schema=SolveState)
    graph.add_agent("plan", agents.planner, kind="plan")
    graph.add_agent("solve", agents.solver, kind="solution", starts_round=True)
    graph.add_agent("verify", agents.verifier, kind="verdict")
    graph.add_agent("critique", agents.critic, kind="critique")
    graph.add_node("finish", "finish_verified")
    graph.add_edge("START", "plan")
    graph.add_edge("plan", "solve")
    graph.add_edge("solve", "verify")
    graph.add_branch(
        "verify",
        [("verdict.accepted", "finish"), ("round < max_rounds", "critique")],
        otherwise="finish",
    )
    graph.add_edge("critique", "solve")
    graph.add_edge("finish", "END")
    return graph


def build_solve_graph(agents: SolveAgents, **compile_kwargs: Any) -> Any:
    """Compile the solve graph; the result is an ordinary LangGraph compiled graph."""
    return solve_graph(agents).compile(**compile_kwargs)
