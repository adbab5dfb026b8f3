"""The graph layer: CouncilGraph (building), its state, built-in nodes and conditions,
config files, and running a compiled graph."""
