"""One way from a name to a runner: a built-in protocol, a graph config file, or `solve`.

`council solve`, `council bench` and `council chat` all call this, so `--graph` means the
same thing everywhere.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from council.config import CouncilConfig
from council.graphs.builder import CouncilGraph
from council.graphs.config import is_graph_file, load_graph
from council.models.roles import RoleModels
from council.models.settings import ModelSpec
from council.protocols.options import ProtocolOptions
from council.protocols.registry import canonical_protocol, protocol_runner
from council.runner import GraphRunner
from council.tools.base import ToolRegistry


def builtin_config_path(name: str) -> Path:
    """The shipped config file that expresses a built-in protocol."""
    return Path(str(resources.files("council.protocols") / "configs" / f"{name}.yaml"))


def graph_tools(graph: CouncilGraph) -> ToolRegistry:
    registry = ToolRegistry()
    for node in graph.nodes.values():
        if node.agent is not None:
            for tool in node.agent.tools:
                if tool.name not in registry:
                    registry.register(tool)
    return registry


def select_runner(
    graph: str | None,
    config: CouncilConfig,
    *,
    options: ProtocolOptions | None = None,
    models: RoleModels | None = None,
    model_override: ModelSpec | None = None,
) -> GraphRunner:
    """`graph` is None/'solve' (the four-agent graph), a protocol name, or a config path."""
    from council.council import Council, role_models_for, sandbox_factory_for, tools_for

    if graph is None or (graph == "solve" and options is None):
        return Council(config, models=models)
    if is_graph_file(graph):
        loaded = load_graph(
            graph, models=models, default_model=model_override, settings=config.model.settings
        )
        return GraphRunner(
            loaded.graph,
            max_rounds=loaded.config.max_rounds,
            session_factory=sandbox_factory_for(config, graph_tools(loaded.graph)),
        )
    name = canonical_protocol(graph)
    tools = tools_for(config)
    options = options or ProtocolOptions(rounds=config.max_rounds, settings=config.model.settings)
    return protocol_runner(
        name,
        models or role_models_for(config),
        options,
        tools or None,
        session_factory=sandbox_factory_for(config, tools),
    )
