"""Built-in protocols, each one `ProtocolDefinition` (its roles, templates, decoding,
counts, reference and deviations) with its graph: single, self-consistency, debate, mad,
solve, tir, pot, best-of-n, moa, refine, tool-planner, cascade."""

from council.protocols.definition import ProtocolCard, ProtocolDefinition
from council.protocols.options import ProtocolOptions
from council.protocols.registry import (
    PROTOCOLS,
    canonical_protocol,
    protocol_definition,
    protocol_graph,
)
from council.protocols.run_spec import RunSpec

__all__ = [
    "PROTOCOLS",
    "ProtocolCard",
    "ProtocolDefinition",
    "ProtocolOptions",
    "RunSpec",
    "canonical_protocol",
    "protocol_definition",
    "protocol_graph",
]
