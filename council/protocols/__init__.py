"""Built-in protocols, each a `CouncilGraph`: single, self-consistency, debate, mad, solve."""

from council.protocols.options import ProtocolOptions
from council.protocols.registry import (
    PROTOCOL_ROLES,
    PROTOCOLS,
    canonical_protocol,
    protocol_graph,
    protocol_runner,
)

__all__ = [
    "PROTOCOLS",
    "PROTOCOL_ROLES",
    "ProtocolOptions",
    "canonical_protocol",
    "protocol_graph",
    "protocol_runner",
]
