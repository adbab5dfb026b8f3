"""`solve`: the planner/solver/verifier/critic graph as a protocol (tools when asked)."""

from __future__ import annotations

from council.agents import Critic, Planner, Solver, Verifier
from council.graphs.builder import CouncilGraph
from council.graphs.solve import SolveAgents, solve_graph
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry


def solve_protocol_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    settings = options.settings
    return solve_graph(
        SolveAgents(
            planner=Planner(models.for_role("planner"), settings=settings),
            solver=Solver(models.for_role("solver"), tools=tools, settings=settings),
            verifier=Verifier(models.for_role("verifier"), tools=tools, settings=settings),
            critic=Critic(models.for_role("critic"), settings=settings),
        )
    )
