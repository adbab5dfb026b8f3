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
from council.protocols.definition import ProtocolDefinition, RoleDecoding, role
from council.protocols.options import ProtocolOptions
from council.tools.base import ToolRegistry


def _capped(max_tokens: int) -> RoleDecoding:
    return RoleDecoding(
        temperature=0.2,
        max_tokens=max_tokens,
        source="council's choice: a low temperature, caps that bound a round's cost",
    )


def solve_graph(
    definition: ProtocolDefinition,
    models: RoleModels,
    options: ProtocolOptions,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    graph = CouncilGraph("solve", state_schema=SolveState)
    graph.add_agent(
        "plan",
        Planner(models.for_role("planner"), settings=definition.settings("planner", options)),
        kind="plan",
    )
    graph.add_agent(
        "solve",
        Solver(
            models.for_role("solver"), tools=tools, settings=definition.settings("solver", options)
        ),
        kind="solution",
        starts_round=True,
    )
    graph.add_agent(
        "verify",
        Verifier(
            models.for_role("verifier"),
            tools=tools,
            settings=definition.settings("verifier", options),
        ),
        kind="verdict",
    )
    graph.add_agent(
        "critique",
        Critic(models.for_role("critic"), settings=definition.settings("critic", options)),
        kind="critique",
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


SOLVE = ProtocolDefinition(
    name="solve",
    summary="plan, solve, verify; on rejection a critique and another attempt",
    roles={
        "planner": role(Planner, _capped(256)),
        "solver": role(Solver, _capped(512)),
        "verifier": role(Verifier, _capped(160)),
        "critic": role(Critic, _capped(192)),
    },
    uses=frozenset({"rounds"}),
    defaults={"rounds": 3},
    shape=solve_graph,
    reference=None,
    deviations=("council's own protocol: no paper or script",),
    answer_rule="the first attempt the verifier accepts (status accepted); when none is "
    "accepted, a vote over every attempt's answer (status exhausted)",
)
