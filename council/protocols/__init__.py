"""Built-in protocols, each a `CouncilGraph`: single, self-consistency, debate, mad, solve,
tir, pot, best-of-n, moa, refine, tool-planner, cascade."""

from council.protocols.options import ProtocolOptions
from council.protocols.registry import (
    PROTOCOLS,
    ProtocolSpec,
    canonical_protocol,
    protocol_graph,
    protocol_spec,
)
from council.protocols.select import build_runner

__all__ = [
    "PROTOCOLS",
    "ProtocolOptions",
    "ProtocolSpec",
    "build_runner",
    "canonical_protocol",
    "protocol_graph",
    "protocol_spec",
]
