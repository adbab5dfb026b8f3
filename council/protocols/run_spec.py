"""`RunSpec`: the one way to build a runner. A built-in protocol by name or a graph config
file, the protocol options the user set, and the models, tools and sandbox to run on, as
plain data: the CLI, the web app, MCP, bench workers and Ray actors all build their runners
from one, so a protocol runs with the same defaults whichever way it is reached, and a
spec can be written down (a run's record, a worker's recipe) and built again elsewhere.

What cannot be written down (a scripted model, a Python tool, a response cache's wrapper)
is given to `build` beside the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from council.config import CouncilConfig
from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.graphs.config import is_graph_file, load_graph
from council.models.base import ChatModel, ModelWrapper
from council.models.cache import CacheWrapper
from council.models.factory import build_model, resolve_model_name
from council.models.roles import RoleModels
from council.models.scripted import ScriptedModel
from council.models.settings import ModelSpec
from council.protocols.definition import ProtocolCard, ProtocolDefinition, refuse_unused
from council.protocols.options import ProtocolOptions
from council.protocols.registry import protocol_definition
from council.runner import GraphRunner, SessionFactory
from council.tools.base import ToolRegistry
from council.tools.builtin import SANDBOXED_TOOLS, default_tools
from council.tools.mcp import mcp_registry
from council.tools.sandbox import open_sandbox
from council.tools.sandbox.config import SandboxConfig
from council.tools.sandbox.network import NetworkAllow

Models = ChatModel | Mapping[str, ChatModel] | RoleModels
GRAPH_FILE_USES = frozenset({"rounds", "corpus"})
"""A config file sets its own agents; `rounds` replaces its `max_rounds`, `corpus` its
`corpus:`."""


class RunSpec(BaseModel):
    """What a runner is built from. `graph`: a protocol name (`debate`, or an alias) or a
    config file; `options`: only the protocol options the user set (the protocol's
    definition fills in the rest, the same way for every caller); `config`: models, tools,
    MCP servers and sandbox; `model_given`: the user named a model (`--model`), which a
    config file then uses for agents that name none; `cache`: a response cache file."""

    model_config = ConfigDict(frozen=True)

    graph: str = "solve"
    options: ProtocolOptions = Field(default_factory=ProtocolOptions)
    config: CouncilConfig = Field(default_factory=CouncilConfig)
    model_given: bool = False
    cache: Path | None = None

    # -- what it is -----------------------------------------------------------------------
    @property
    def is_file(self) -> bool:
        return is_graph_file(self.graph)

    def definition(self) -> ProtocolDefinition | None:
        """The built-in protocol's definition; None for a config file."""
        return None if self.is_file else protocol_definition(self.graph)

    def uses(self) -> frozenset[str]:
        """The protocol options the graph reads; the rest change nothing it does."""
        definition = self.definition()
        return GRAPH_FILE_USES if definition is None else definition.uses

    @property
    def uses_embedded_model(self) -> bool:
        """The embedded model runs in a server each process would start for itself:
        N workers would load N copies on the same cores, so such a run stays in one
        process."""
        specs = [self.config.model, *self.config.role_models.values()]
        return any(not spec.name or spec.name.startswith("local/") for spec in specs)

    def check(self) -> None:
        """Refuse, in one line, options the user set that the graph does not use."""
        definition = self.definition()
        if definition is None:
            refuse_unused(f"graph file {self.graph!r}", GRAPH_FILE_USES, self.options.given())
        else:
            definition.check_options(self.options.given())

    def resolved_options(self) -> ProtocolOptions:
        """The options a run uses: the protocol's defaults for what the user left unset
        (a config file's options are as given)."""
        definition = self.definition()
        return self.options if definition is None else definition.resolve(self.options)

    def card(self) -> ProtocolCard | None:
        """What a built-in protocol runs with, every default filled in; None for a file."""
        definition = self.definition()
        return None if definition is None else definition.card(self.options)

    def to_json(self) -> str:
        """Only what was set, so a worker reading it back resolves defaults the same way."""
        return self.model_dump_json(exclude_unset=True)

    # -- variations ---------------------------------------------------------------------
    def with_graph(self, graph: str) -> RunSpec:
        return self.model_copy(update={"graph": graph})

    def with_options(self, options: ProtocolOptions) -> RunSpec:
        return self.model_copy(update={"options": options})

    def on_model(self, name: str) -> RunSpec:
        """Every role on model `name` (chat's `/model`, the web picker, MCP's `model=`)."""
        spec = self.config.model.model_copy(update={"name": resolve_model_name(name)})
        config = self.config.model_copy(update={"model": spec, "role_models": {}})
        return self.model_copy(update={"config": config, "model_given": True})

    @classmethod
    def on(cls, graph: str, model: ModelSpec, options: ProtocolOptions | None = None) -> RunSpec:
        """A protocol with every role on one model, decoding with its settings."""
        return cls(
            graph=graph,
            config=CouncilConfig(model=model),
            options=options or ProtocolOptions(settings=model.settings),
            model_given=True,
        )

    # -- building -------------------------------------------------------------------------
    def drawing(self) -> tuple[CouncilGraph, int]:
        """The graph a run builds, and its round bound, on a placeholder model: nothing
        can run, nothing is started (for `graph show`, `graph export` and the web view)."""
        placeholder = RoleModels(ScriptedModel(name="(drawing only)"))
        if self.is_file:
            graph, rounds, _ = self._load_file(placeholder, None)
            return graph, rounds
        return self._build_protocol(placeholder, None, None)

    def build(
        self,
        *,
        models: Models | None = None,
        tools: ToolRegistry | None = None,
        session_factory: SessionFactory | None = None,
        wrap_model: ModelWrapper | None = None,
    ) -> GraphRunner:
        """`models` (e.g. a scripted model) replace the config's; `tools` replace its tool
        sets; `session_factory` the sandbox sessions; `wrap_model` wraps every model (a
        response cache is added from `cache`)."""
        self.check()
        if wrap_model is None and self.cache is not None:
            wrap_model = CacheWrapper(self.cache)
        role_models = RoleModels.coerce(models) if models is not None else None
        config = self.config
        if self.is_file:
            graph, rounds, allow_net = self._load_file(role_models, wrap_model)
            if allow_net and not config.allow_net:  # --allow-net wins over the file's
                config = config.model_copy(update={"allow_net": allow_net})
        else:
            graph, rounds = self._build_protocol(role_models, tools, wrap_model)
        return GraphRunner(
            graph,
            max_rounds=rounds,
            session_factory=session_factory or sandbox_factory(config, graph_tools(graph)),
        )

    def _load_file(
        self, role_models: RoleModels | None, wrap_model: ModelWrapper | None
    ) -> tuple[CouncilGraph, int, tuple[NetworkAllow, ...]]:
        """The file's graph, its round bound (`rounds` wins) and its network allow-list."""
        extra = None
        if self.config.mcp:  # `--mcp` with a config file: every agent gets those tools
            extra = mcp_registry(self.config.mcp)
        loaded = load_graph(
            self.graph,
            models=role_models,
            default_model=self.config.model if self.model_given else None,
            settings=self.config.model.settings,
            wrap_model=wrap_model,
            extra_tools=extra,
            corpus=self.options.corpus,
        )
        rounds = loaded.config.max_rounds
        if "rounds" in self.options.model_fields_set:
            rounds = self.options.rounds
        return loaded.graph, rounds, tuple(loaded.config.allow_net)

    def _build_protocol(
        self,
        role_models: RoleModels | None,
        tools: ToolRegistry | None,
        wrap_model: ModelWrapper | None,
    ) -> tuple[CouncilGraph, int]:
        definition = protocol_definition(self.graph)
        options = definition.resolve(self.options)
        tools = tools if tools is not None else tool_registry(self.config)
        role_models = role_models or role_models_for(self.config)
        if wrap_model is not None:
            role_models = RoleModels(
                wrap_model(role_models.default),
                {role: wrap_model(m) for role, m in role_models.overrides.items()},
            )
        graph = definition.build(role_models, options, tools or None)
        return graph, definition.rounds(options)


def role_models_for(config: CouncilConfig) -> RoleModels:
    """The default model and per-role overrides, one model object per distinct spec, so
    roles sharing a model share its client."""
    built: dict[ModelSpec, ChatModel] = {}

    def model(spec: ModelSpec) -> ChatModel:
        if spec not in built:
            built[spec] = build_model(spec)
        return built[spec]

    return RoleModels(
        model(config.model), {role: model(spec) for role, spec in config.role_models.items()}
    )


def tool_registry(config: CouncilConfig) -> ToolRegistry:
    """The named tool sets, then the tools of every MCP server given (`--mcp`)."""
    if not config.tools and not config.mcp:
        return ToolRegistry()

    registry = default_tools(config.tools)
    if config.mcp:
        for tool in mcp_registry(config.mcp):
            if tool.name in registry:
                raise ConfigError(f"an MCP tool is named {tool.name!r}, like a built-in tool")
            registry.register(tool)
    return registry


def graph_tools(graph: CouncilGraph) -> ToolRegistry:
    registry = ToolRegistry()
    for node in graph.nodes.values():
        if node.agent is not None:
            for tool in node.agent.tools:
                if tool.name not in registry:
                    registry.register(tool)
    return registry


def sandbox_factory(config: CouncilConfig, tools: ToolRegistry) -> SessionFactory | None:
    """A per-run sandbox session when any enabled tool runs code; None otherwise."""
    if not tools:
        return None

    if not any(name in SANDBOXED_TOOLS for name in tools.names()):
        return None
    kind = config.sandbox
    sandbox = sandbox_config(config)
    return lambda: open_sandbox(kind, sandbox)


def sandbox_config(config: CouncilConfig) -> SandboxConfig:
    """The sandbox settings a run's code tools get: the defaults and its allow-list."""
    return SandboxConfig(allow_net=config.allow_net)
