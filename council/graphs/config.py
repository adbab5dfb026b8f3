"""Graph config files (YAML or JSON): agents, tools, edges, branches, limits, models.

A config is validated twice before anything runs: by pydantic (shape and types) and by
`CouncilGraph.validate` (reachability, termination, bounded cycles). Every error names the
file and, where the YAML says it, the line, plus what to change.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from council.agents.base import Agent
from council.agents.catalog import import_object, resolve_agent_class, resolve_output
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.errors import ConfigError, GraphShapeError
from council.graphs.builder import CouncilGraph
from council.graphs.conditions import resolve_condition
from council.graphs.state import CouncilState, SolveState, StepKind
from council.graphs.variables import PROMPT_VARIABLES, is_prompt_variable
from council.models.base import ChatModel, ModelWrapper
from council.models.factory import build_model, resolve_model_name
from council.models.roles import RoleModels
from council.models.settings import ModelSettings, ModelSpec
from council.tools.base import Tool, ToolRegistry
from council.tools.builtin import default_tools
from council.tools.mcp import MCPTools
from council.tools.sandbox.network import NetworkAllow
from council.tools.search import Bm25Index, NoCorpus, search_tool

Targets = str | list[str]
STATES: dict[str, type[CouncilState]] = {"council": CouncilState, "solve": SolveState}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AgentConfig(_Strict):
    use: str | None = Field(default=None, description="a built-in agent, e.g. verifier")
    role: str | None = None
    system: str | None = None
    task: str | None = None
    followup: str | None = Field(
        default=None, description="the task in later turns of an agent with a conversation"
    )
    conversation: str | None = Field(
        default=None, description="keep this agent's earlier exchanges under this name"
    )
    output: str | None = Field(default=None, description="plan, solution, verdict, ...")
    model: str | None = None
    api_base: str | None = None
    tools: list[str] = Field(default_factory=list)
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = Field(default=None, description="unset: no cap is sent")
    stop: list[str] | None = Field(default=None, description="sequences that end a reply")
    seed: int | None = None
    max_executions: int | None = Field(
        default=None, ge=1, description="code runs per answer (`use: tir` only)"
    )
    kind: StepKind = "answer"
    starts_round: bool = False
    sample: int = 0

    @model_validator(mode="after")
    def _needs_prompts_or_use(self) -> AgentConfig:
        if self.use is None and (self.system is None or self.task is None):
            raise ValueError("give `use: <built-in agent>` or both `system` and `task` prompts")
        return self


class RouteConfig(_Strict):
    when: str
    to: Targets


class BranchConfig(_Strict):
    source: str = Field(alias="from")
    routes: list[RouteConfig]
    otherwise: Targets


class EdgeConfig(_Strict):
    source: Targets = Field(alias="from")
    to: Targets

    @model_validator(mode="before")
    @classmethod
    def _pair_shorthand(cls, value: Any) -> Any:
        if isinstance(value, list | tuple) and len(value) == 2:
            return {"from": value[0], "to": value[1]}
        return value


class GraphConfig(_Strict):
    name: str
    description: str = ""
    state: Literal["council", "solve"] = "council"
    max_rounds: int = Field(default=3, ge=1)
    model: str | None = None
    api_base: str | None = None
    models: dict[str, str] = Field(default_factory=dict, description="by agent or role")
    corpus: str | None = Field(
        default=None,
        description="documents for the `search` tool: a .jsonl file or a folder of .txt/.md "
        "(relative to this file); --corpus overrides it",
    )
    agents: dict[str, AgentConfig]
    nodes: dict[str, str] = Field(default_factory=dict, description="built-in nodes")
    edges: list[EdgeConfig]
    branches: list[BranchConfig] = Field(default_factory=list)
    mcp: dict[str, str] = Field(
        default_factory=dict,
        description="MCP servers by name: a command (stdio) or an http(s) URL; an agent "
        "lists a server's name in its `tools` to get all of that server's tools",
    )
    allow_net: list[NetworkAllow] = Field(
        default_factory=list,
        description="what the graph's sandboxed code may reach (HOST[:PORT]); --allow-net "
        "overrides it; empty: no network",
    )


class LoadedGraph(BaseModel):
    """A validated config and the graph built from it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    config: GraphConfig
    graph: CouncilGraph
    path: Path | None = None


# -- reading ------------------------------------------------------------------------------
def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map each YAML path (keys and list indexes) to its 1-based line."""
    index: dict[tuple[Any, ...], int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return index

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        index[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, key.value)
                index[child] = key.start_mark.line + 1
                walk(value, child)
                index[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                walk(item, (*path, position))

    if root is not None:
        walk(root, ())
    return index


class _Source:
    """Where a config came from, to prefix errors with `file:line:`."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = _line_index(text)

    def where(self, *path: Any) -> str:
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.name}:{line}"
        return self.name

    def error(self, message: str, *path: Any) -> ConfigError:
        return ConfigError(f"{self.where(*path)}: {message}")


def parse_config_text(text: str, name: str = "<config>") -> tuple[GraphConfig, _Source]:
    source = _Source(name, text)
    try:
        data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{name}{line}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: a graph config is a mapping with name, agents and edges")
    try:
        return GraphConfig.model_validate(data), source
    except ValidationError as exc:
        error = exc.errors()[0]
        location = tuple(part for part in error["loc"] if not str(part).startswith("function"))
        field = ".".join(str(part) for part in location) or "config"
        hint = _hint_for(error)
        raise source.error(f"{field}: {error['msg']}{hint}", *location) from exc


def _hint_for(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return " (remove it, or check its spelling)"
    if error["type"] == "missing":
        return " (add it)"
    return ""


# -- building -----------------------------------------------------------------------------
def _check_template(
    template: str, agent: str, which: str, source: _Source, own: frozenset[str] = frozenset()
) -> None:
    fields = PromptTemplate(name=f"{agent}.{which}", text=template).fields
    unknown = {f for f in fields if not is_prompt_variable(f) and f != "format" and f not in own}
    if unknown:
        raise source.error(
            f"agent {agent!r} {which} prompt uses {{{', '.join(sorted(unknown))}}}, which is not "
            f"a prompt variable; known: {', '.join(sorted(PROMPT_VARIABLES))}",
            "agents",
            agent,
            which,
        )


def _tools_for(
    names: list[str],
    agent: str,
    source: _Source,
    servers: dict[str, ToolRegistry] | None = None,
    extra: ToolRegistry | None = None,
    search: Tool | None = None,
) -> ToolRegistry:
    """An agent's tools: built-in sets, `module:tool` imports, the tools of an MCP server
    named in the file's `mcp:` block, `extra` (the command line's `--mcp`) for all, and
    `search`, the graph's corpus search (`corpus:` / --corpus; without a corpus it finds
    nothing and says how to give one)."""
    registry = ToolRegistry()
    for position, name in enumerate(names):
        try:
            if name == "search":
                registry.register(search or search_tool(NoCorpus()))
            elif servers is not None and name in servers:
                for tool in servers[name]:
                    if tool.name not in registry:
                        registry.register(tool)
            elif ":" in name:
                found = import_object(name, "tool")
                if not isinstance(found, Tool):
                    raise ConfigError(f"{name!r} is not a Tool (decorate it with @tool)")
                registry.register(found)
            else:
                for tool in default_tools([name]):
                    registry.register(tool)
        except ConfigError as exc:
            raise source.error(
                f"agent {agent!r}: {exc}", "agents", agent, "tools", position
            ) from exc
    for tool in extra or ():
        if tool.name not in registry:
            registry.register(tool)
    return registry


def _mcp_servers(config: GraphConfig, source: _Source) -> dict[str, ToolRegistry]:
    """Connect to the servers the file names (only those some agent uses)."""
    used = {name for spec in config.agents.values() for name in spec.tools}
    servers: dict[str, ToolRegistry] = {}
    for name, target in config.mcp.items():
        if name not in used:
            continue
        try:
            servers[name] = MCPTools(target).registry()
        except ConfigError as exc:
            raise source.error(str(exc), "mcp", name) from exc
    return servers


def _agent(
    name: str,
    spec: AgentConfig,
    model: ChatModel,
    settings: ModelSettings,
    source: _Source,
    servers: dict[str, ToolRegistry] | None = None,
    extra_tools: ToolRegistry | None = None,
    search: Tool | None = None,
) -> Agent[Any]:
    try:
        cls = resolve_agent_class(spec.use) if spec.use else Agent
        output = resolve_output(spec.output) if spec.output else None
    except ConfigError as exc:
        raise source.error(str(exc), "agents", name, "use" if spec.use else "output") from exc
    base_prompts: AgentPrompts | None = getattr(cls, "prompts", None)
    for which in ("system", "task", "followup"):
        text = getattr(spec, which)
        if text is not None:
            _check_template(text, name, which, source, cls.own_variables)
    prompts = None
    if spec.system is not None or spec.task is not None or spec.followup is not None:
        assert base_prompts is not None or (spec.system and spec.task)

        def template(which: str) -> PromptTemplate | None:
            text = getattr(spec, which)
            if text is not None:
                return PromptTemplate(name=f"{name}.{which}", text=text)
            return getattr(base_prompts, which) if base_prompts is not None else None

        system, task = template("system"), template("task")
        assert system is not None and task is not None
        prompts = AgentPrompts(system=system, task=task, followup=template("followup"))
    if cls is Agent and output is None:
        output = resolve_output("solution")
    extra: dict[str, Any] = {}
    if spec.max_executions is not None:
        if "max_executions" not in inspect.signature(cls.__init__).parameters:
            raise source.error(
                f"agent {name!r}: max_executions is for `use: tir` agents only",
                "agents",
                name,
                "max_executions",
            )
        extra["max_executions"] = spec.max_executions
    return cls(
        model,
        role=spec.role or (None if spec.use else name),
        prompts=prompts,
        output_type=output,
        tools=_tools_for(spec.tools, name, source, servers, extra_tools, search),
        settings=agent_settings(spec, settings),
        **extra,
    )


def agent_settings(spec: AgentConfig, settings: ModelSettings) -> ModelSettings:
    """What the user set (`--temperature`, `--seed`, ...) wins over the file; the file's
    values are the defaults. The user's seed is a base: each agent gets it plus its
    `sample`, so samples are distinct draws in config graphs as in Python ones."""
    stop = tuple(spec.stop) if spec.stop is not None else None
    changes: dict[str, object] = {
        key: value
        for key, value in (
            ("temperature", spec.temperature),
            ("top_p", spec.top_p),
            ("max_tokens", spec.max_tokens),
            ("stop", stop),
        )
        if value is not None and key not in settings.model_fields_set
    }
    if "seed" in settings.model_fields_set and settings.seed is not None:
        changes["seed"] = settings.seed + spec.sample
    elif spec.seed is not None:
        changes["seed"] = spec.seed  # a seed the file gives one agent is that agent's
    return settings.model_copy(update=changes)


def build_graph(
    config: GraphConfig,
    source: _Source,
    *,
    models: RoleModels | None = None,
    default_model: ModelSpec | None = None,
    settings: ModelSettings | None = None,
    wrap_model: ModelWrapper | None = None,
    extra_tools: ToolRegistry | None = None,
    corpus: Path | None = None,
) -> CouncilGraph:
    """Turn a validated config into a checked `CouncilGraph`.

    `extra_tools` (the command line's `--mcp`) go to every agent.

    `models` (e.g. scripted models in tests) wins over everything; otherwise an agent's
    own `model`, then `models[agent]`, then `models[role]`, then `default_model` (the CLI's
    --model), then the file's `model`, then the embedded default. `wrap_model` (e.g. a
    response cache) wraps every model the graph ends up with.
    """

    built: dict[tuple[str, str | None], ChatModel] = {}
    base = default_model or ModelSpec(
        name=resolve_model_name(config.model), api_base=config.api_base
    )

    def model_for(agent_name: str, spec: AgentConfig) -> ChatModel:
        role = spec.role or spec.use or agent_name
        if models is not None:
            model = models.for_role(role)
            return wrap_model(model) if wrap_model else model
        explicit = spec.model or config.models.get(agent_name) or config.models.get(role)
        name = resolve_model_name(explicit) if explicit else base.name
        api_base = spec.api_base or (config.api_base if explicit else base.api_base)
        key = (name, api_base)
        if key not in built:
            model = build_model(base.model_copy(update={"name": name, "api_base": api_base}))
            built[key] = wrap_model(model) if wrap_model else model
        return built[key]

    graph = CouncilGraph(config.name, state_schema=STATES[config.state])
    settings = settings or base.settings
    servers = _mcp_servers(config, source)
    search = _search_tool(config, source, corpus)
    for name, spec in config.agents.items():
        agent = _agent(
            name, spec, model_for(name, spec), settings, source, servers, extra_tools, search
        )
        graph.add_agent(
            name,
            agent,
            kind=spec.kind,
            starts_round=spec.starts_round,
            sample=spec.sample,
            conversation=spec.conversation,
        )
    for name, builtin in config.nodes.items():
        if name in config.agents:
            raise source.error(f"{name!r} is both an agent and a node; rename one", "nodes", name)
        try:
            graph.add_node(name, builtin)
        except ConfigError as exc:
            raise source.error(str(exc), "nodes", name) from exc
    for position, edge in enumerate(config.edges):
        graph.add_edge(edge.source, edge.to)
        _check_names(graph, [*_names(edge.source), *_names(edge.to)], source, "edges", position)
    for position, branch in enumerate(config.branches):
        _check_names(graph, [branch.source], source, "branches", position, "from")
        routes = []
        for route_position, route in enumerate(branch.routes):
            try:
                resolve_condition(route.when)
            except ConfigError as exc:
                raise source.error(
                    str(exc), "branches", position, "routes", route_position, "when"
                ) from exc
            _check_names(
                graph,
                _names(route.to),
                source,
                "branches",
                position,
                "routes",
                route_position,
                "to",
            )
            routes.append((route.when, route.to))
        _check_names(graph, _names(branch.otherwise), source, "branches", position, "otherwise")
        graph.add_branch(branch.source, routes, otherwise=branch.otherwise)
    try:
        graph.validate()
    except GraphShapeError as exc:
        node = exc.nodes[0] if exc.nodes else None
        where = ("agents", node) if node in config.agents else ("nodes", node) if node else ()
        raise source.error(str(exc), *where) from exc
    return graph


def _search_tool(config: GraphConfig, source: _Source, corpus: Path | None) -> Tool | None:
    """The `search` tool over `corpus` (--corpus), else the file's `corpus:` (relative to
    the file), else None."""
    if corpus is None and config.corpus is None:
        return None

    if corpus is None:
        assert config.corpus is not None
        corpus = Path(config.corpus)
        if not corpus.is_absolute() and source.name != "<config>":
            corpus = Path(source.name).parent / corpus
    try:
        return search_tool(Bm25Index.from_path(corpus))
    except ConfigError as exc:
        raise source.error(str(exc), "corpus") from exc


def _names(targets: Targets) -> list[str]:
    return [targets] if isinstance(targets, str) else list(targets)


def _check_names(graph: CouncilGraph, names: list[str], source: _Source, *path: Any) -> None:
    known = {*graph.nodes, "START", "END", "__start__", "__end__"}
    for name in names:
        if name not in known:
            defined = ", ".join(sorted(graph.nodes)) or "none"
            raise source.error(
                f"unknown agent or node {name!r}; defined: {defined} (and START, END)", *path
            )


def load_graph(
    path: str | Path,
    *,
    models: RoleModels | None = None,
    default_model: ModelSpec | None = None,
    settings: ModelSettings | None = None,
    wrap_model: ModelWrapper | None = None,
    extra_tools: ToolRegistry | None = None,
    corpus: Path | None = None,
) -> LoadedGraph:
    """Read, validate and build a graph config file. `corpus` (--corpus) wins over the
    file's `corpus:`."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"graph config {str(file)!r} not found")
    config, source = parse_config_text(file.read_text(), str(file))
    graph = build_graph(
        config,
        source,
        models=models,
        default_model=default_model,
        settings=settings,
        wrap_model=wrap_model,
        extra_tools=extra_tools,
        corpus=corpus,
    )
    return LoadedGraph(config=config, graph=graph, path=file)


def is_graph_file(name: str) -> bool:
    return name.endswith((".yaml", ".yml", ".json"))
