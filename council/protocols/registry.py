"""Protocols by name, and the one function that turns a name into a runnable graph."""

from __future__ import annotations

from collections.abc import Callable

from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.debate import debate_graph
from council.protocols.mad import mad_graph
from council.protocols.options import ProtocolOptions
from council.protocols.self_consistency import self_consistency_graph
from council.protocols.single import single_graph
from council.protocols.solve import solve_protocol_graph
from council.runner import GraphRunner, SessionFactory
from council.tools.base import ToolRegistry

GraphFactory = Callable[[RoleModels, ProtocolOptions, ToolRegistry | None], CouncilGraph]

PROTOCOLS: dict[str, GraphFactory] = {
    "single": single_graph,
    "self-consistency": self_consistency_graph,
    "debate": debate_graph,
    "mad": mad_graph,
    "solve": solve_protocol_graph,
}
ALIASES = {"sc": "self-consistency", "self_consistency": "self-consistency", "cot": "single"}
PROTOCOL_ROLES: dict[str, tuple[str, ...]] = {
    "single": ("solver",),
    "self-consistency": ("solver",),
    "debate": ("debater",),
    "mad": ("affirmative", "negative", "judge"),
    "solve": ("planner", "solver", "verifier", "critic"),
}


def canonical_protocol(name: str) -> str:
    key = ALIASES.get(name, name)
    if key not in PROTOCOLS:
        raise ConfigError(
            f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOLS)} "
            "or give a graph config file (.yaml / .json)"
        )
    return key


def rounds_for(name: str, options: ProtocolOptions) -> int:
    """Single-shot protocols have one round; the others are bounded by `options.rounds`."""
    return 1 if canonical_protocol(name) in ("single", "self-consistency") else options.rounds


def protocol_graph(
    name: str,
    models: RoleModels,
    options: ProtocolOptions | None = None,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    return PROTOCOLS[canonical_protocol(name)](models, options or ProtocolOptions(), tools)


def protocol_runner(
    name: str,
    models: RoleModels,
    options: ProtocolOptions | None = None,
    tools: ToolRegistry | None = None,
    session_factory: SessionFactory | None = None,
) -> GraphRunner:
    options = options or ProtocolOptions()
    return GraphRunner(
        protocol_graph(name, models, options, tools),
        max_rounds=rounds_for(name, options),
        session_factory=session_factory,
    )
