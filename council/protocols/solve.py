"""`solve`: plan → solve → verify → (accept → finish | reject → critique → solve), bounded
by `rounds` solve attempts. council's own protocol (no paper): a planner writes numbered
steps, the solver follows them (with tools when enabled), a verifier must give an explicit
`VERDICT: correct` to accept, and on rejection a critic says what to fix. When no attempt is
accepted, a vote over all attempts' answers decides (status `exhausted`).
"""

from __future__ import annotations

from council.agents import Critic, Planner, Solver, Verifier
from council.graphs.builder import CouncilGraph
from council.graphs.state import SolveState
from council.models.roles import RoleModels
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry

TEMPERATURE = 0.2


def solve_graph(
    models: RoleModels, options: ProtocolOptions, tools: ToolRegistry | None = None
) -> CouncilGraph:
    settings = options.decoding(TEMPERATURE)
    graph = CouncilGraph("solve", state_schema=SolveState)
    graph.add_agent("plan", Planner(models.for_role("planner"), settings=settings), kind="plan")
    graph.add_agent(
        "solve",
        Solver(models.for_role("solver"), tools=tools, settings=settings),
        kind="solution",
        starts_round=True,
    )
    graph.add_agent(
        "verify",
        Verifier(models.for_role("verifier"), tools=tools, settings=settings),
        kind="verdict",
    )
    graph.add_agent(
        "critique", Critic(models.for_role("critic"), settings=settings), kind="critique"
    )
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
