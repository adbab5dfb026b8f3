"""The built-in protocols by name. Each is one `ProtocolDefinition`, kept in its own module
with its graph; this module only collects them and resolves names and aliases."""

from __future__ import annotations

from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.models.roles import RoleModels
from council.protocols.best_of_n import BEST_OF_N
from council.protocols.cascade import CASCADE
from council.protocols.debate import DEBATE
from council.protocols.definition import ProtocolDefinition
from council.protocols.mad import MAD
from council.protocols.moa import MOA
from council.protocols.options import ProtocolOptions
from council.protocols.pot import POT
from council.protocols.refine import REFINE
from council.protocols.self_consistency import SELF_CONSISTENCY
from council.protocols.single import SINGLE
from council.protocols.solve import SOLVE
from council.protocols.tir import TIR
from council.protocols.tool_planner import TOOL_PLANNER
from council.tools.base import ToolRegistry

PROTOCOLS: dict[str, ProtocolDefinition] = {
    definition.name: definition
    for definition in (
        SINGLE,
        SELF_CONSISTENCY,
        DEBATE,
        MAD,
        SOLVE,
        TIR,
        POT,
        BEST_OF_N,
        MOA,
        REFINE,
        TOOL_PLANNER,
        CASCADE,
    )
}
ALIASES = {alias: d.name for d in PROTOCOLS.values() for alias in d.aliases}


def protocol_definition(name: str) -> ProtocolDefinition:
    key = ALIASES.get(name, name)
    if key not in PROTOCOLS:
        raise ConfigError(
            f"unknown protocol {name!r}; choose one of {', '.join(PROTOCOLS)} "
            "or give a graph config file (.yaml / .json)"
        )
    return PROTOCOLS[key]


def canonical_protocol(name: str) -> str:
    return protocol_definition(name).name


def protocol_graph(
    name: str,
    models: RoleModels,
    options: ProtocolOptions | None = None,
    tools: ToolRegistry | None = None,
) -> CouncilGraph:
    """The graph a run of `name` with `options` builds (the protocol's defaults for what
    `options` leaves unset), so a drawing shows the numbers a run uses."""
    return protocol_definition(name).build(models, options, tools)
