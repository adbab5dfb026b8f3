"""One way from a name to a runner: `build_runner`. A built-in protocol by name, a graph
config file, or (None) `solve`. `Council`, `council solve`, `council bench` and `council
chat` all come here, so `--graph` means the same everywhere and the round bound is decided
in one place: the protocol's options (`rounds`), else the config file's `max_rounds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import NamedTuple, TypedDict, Unpack

from council.config import CouncilConfig
from council.graphs.builder import CouncilGraph
from council.graphs.config import is_graph_file, load_graph
from council.models.base import ChatModel, ModelWrapper
from council.models.roles import RoleModels
from council.models.settings import ModelSpec
from council.protocols.options import ProtocolOptions
from council.protocols.registry import protocol_spec, refuse_unused
from council.runner import GraphRunner, SessionFactory
from council.tools.base import ToolRegistry

Models = ChatModel | Mapping[str, ChatModel] | RoleModels
GRAPH_FILE_USES = frozenset({"rounds"})
"""A config file sets its own agents; `rounds` replaces its `max_rounds`."""


def options_used_by(graph: str | None) -> frozenset[str]:
    """The protocol options `graph` reads (a protocol's `ProtocolSpec.uses`, or `rounds`
    for a config file); the rest change nothing it does."""
    if graph is not None and is_graph_file(graph):
        return GRAPH_FILE_USES
    return protocol_spec(graph or "solve").uses


def check_options(graph: str | None, given: set[str]) -> None:
    """Refuse, in one line, options the user set that `graph` does not use (a protocol's
    `ProtocolSpec.uses`, or `rounds` only for a config file)."""
    if graph is not None and is_graph_file(graph):
        refuse_unused(f"graph file {graph!r}", GRAPH_FILE_USES, given)
    else:
        protocol_spec(graph or "solve").check_options(given)


def with_protocol_defaults(graph: str | None, options: ProtocolOptions) -> ProtocolOptions:
    """The options a built-in protocol runs (and a bench run records) with: its own
    defaults for what the user left unset. A config file's options are as given."""
    if graph is not None and is_graph_file(graph):
        return options
    return protocol_spec(graph or "solve").with_defaults(options)


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


class RunnerParts(NamedTuple):
    graph: CouncilGraph
    max_rounds: int
    session_factory: SessionFactory | None


class RunnerInputs(TypedDict, total=False):
    """What a runner is built from besides the graph and the config (every key optional):
    `options` the protocol's; `models` (e.g. a scripted model) replaces the config's;
    `model_override` is the CLI's `--model` for config files, which otherwise choose their
    own per-agent models; `tools` replaces the config's tool sets; `session_factory` the
    sandbox sessions; `wrap_model` (e.g. a response cache) wraps every model the graph is
    built with; `corpus` (the CLI's `--corpus`) is the search tool's corpus, for protocols
    that use one and for config files (over their `corpus:`)."""

    options: ProtocolOptions | None
    models: Models | None
    model_override: ModelSpec | None
    tools: ToolRegistry | None
    session_factory: SessionFactory | None
    wrap_model: ModelWrapper | None
    corpus: Path | None


def build_runner(
    graph: str | None = None, config: CouncilConfig | None = None, **inputs: Unpack[RunnerInputs]
) -> GraphRunner:
    """`graph`: a protocol name (`debate`), a config file (`my.yaml`), or None for `solve`;
    `inputs`: see `RunnerInputs`."""
    parts = runner_parts(graph, config, **inputs)
    return GraphRunner(
        parts.graph, max_rounds=parts.max_rounds, session_factory=parts.session_factory
    )


def runner_parts(
    graph: str | None, config: CouncilConfig | None, **inputs: Unpack[RunnerInputs]
) -> RunnerParts:
    """What `build_runner` builds a runner from (also what `Council` is made of)."""
    options = inputs.get("options")
    models = inputs.get("models")
    model_override = inputs.get("model_override")
    tools = inputs.get("tools")
    session_factory = inputs.get("session_factory")
    wrap_model = inputs.get("wrap_model")
    corpus = inputs.get("corpus")
    from council.council import role_models_for, sandbox_factory_for, tools_for

    config = config or CouncilConfig()
    role_models = RoleModels.coerce(models) if models is not None else None
    if corpus is None and options is not None:
        corpus = options.corpus
    if graph is not None and is_graph_file(graph):
        extra = None
        if config.mcp:  # `--mcp` with a config file: every agent gets those tools
            from council.tools.mcp import mcp_registry

            extra = mcp_registry(config.mcp)
        loaded = load_graph(
            graph,
            models=role_models,
            default_model=model_override,
            settings=config.model.settings,
            wrap_model=wrap_model,
            extra_tools=extra,
            corpus=corpus,
        )
        if loaded.config.allow_net and not config.allow_net:  # --allow-net wins
            config = config.model_copy(update={"allow_net": tuple(loaded.config.allow_net)})
        rounds = loaded.config.max_rounds
        if options is not None and "rounds" in options.model_fields_set:
            rounds = options.rounds
        return RunnerParts(
            loaded.graph,
            rounds,
            session_factory or sandbox_factory_for(config, graph_tools(loaded.graph)),
        )
    spec = protocol_spec(graph or "solve")
    if options is not None:
        spec.check_options(options.given())
    if corpus is not None:
        spec.check_options({"corpus"})
    tools = tools if tools is not None else tools_for(config)
    options = options or ProtocolOptions(rounds=config.max_rounds, settings=config.model.settings)
    options = spec.with_defaults(options)
    if corpus is not None:
        options = options.model_copy(update={"corpus": corpus})
    role_models = role_models or role_models_for(config)
    if wrap_model is not None:
        role_models = RoleModels(
            wrap_model(role_models.default),
            {role: wrap_model(m) for role, m in role_models.overrides.items()},
        )
    built = spec.build(role_models, options, tools or None)
    return RunnerParts(
        built,
        spec.rounds(options),
        session_factory or sandbox_factory_for(config, graph_tools(built)),
    )
