"""A built graph written back out as a graph config file: `council graph export NAME`.

The file is derived from the graph a run builds, node by node (each agent's class, its
prompts where they are not the class's own, its decoding, its place in rounds and
conversations), so loading it builds the same graph and sends the same requests. What
cannot be written down (a Python tool, a Python node, a scorer object) is refused by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from council.agents.base import Agent
from council.agents.catalog import builtin_agents
from council.errors import ConfigError
from council.graphs.builder import END_NAMES, START_NAMES, CouncilGraph, NodeSpec
from council.graphs.config import AgentConfig, BranchConfig, EdgeConfig, GraphConfig, RouteConfig
from council.graphs.state import SolveState
from council.tools.builtin import SINGLE_TOOLS


def graph_config(
    graph: CouncilGraph, *, max_rounds: int, description: str = "", corpus: Path | None = None
) -> GraphConfig:
    """The config file that builds `graph` again (with `max_rounds` as its round bound)."""
    classes = {cls: name for name, cls in builtin_agents().items()}
    agents: dict[str, AgentConfig] = {}
    nodes: dict[str, str] = {}
    for name, node in graph.nodes.items():
        if node.agent is not None:
            agents[name] = _agent_config(name, node, node.agent, classes)
        elif node.builtin is not None:
            nodes[name] = node.builtin
        else:
            raise ConfigError(
                f"node {name!r} of {graph.name!r} is a Python function; only built-in nodes "
                "can be written to a config file"
            )
    edges = [
        EdgeConfig.model_validate({"from": _one_or_list(sources), "to": _plain(target)})
        for sources, target in _merged_edges(graph)
    ]
    branches = [
        BranchConfig.model_validate(
            {
                "from": branch.source,
                "routes": [
                    RouteConfig(when=route.label, to=_one_or_list(route.targets))
                    for route in branch.routes
                ],
                "otherwise": _one_or_list(branch.otherwise),
            }
        )
        for branch in graph.branches.values()
    ]
    return GraphConfig(
        name=graph.name,
        description=description,
        state="solve" if issubclass(graph.state_schema, SolveState) else "council",
        max_rounds=max_rounds,
        corpus=str(corpus) if corpus is not None else None,
        agents=agents,
        nodes=nodes,
        edges=edges,
        branches=branches,
    )


def dump_yaml(config: GraphConfig) -> str:
    """The config as YAML, keys in the model's order, only what differs from defaults."""
    data = config.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    head: dict[str, Any] = {k: data.pop(k) for k in ("name", "description") if k in data}
    data = {**head, "max_rounds": config.max_rounds, **data}  # always stated
    data["edges"] = [[e["from"], e["to"]] for e in data["edges"]]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _agent_config(
    name: str, node: NodeSpec, agent: Agent[Any], classes: dict[type, str]
) -> AgentConfig:
    cls = type(agent)
    if cls not in classes:
        raise ConfigError(
            f"agent {name!r} is a {cls.__name__}, not a built-in agent; a config file can "
            "only name built-in agents (or give `system` and `task` prompts)"
        )
    own = cls.prompts
    prompts = agent.prompts
    settings = agent.settings
    max_executions = getattr(agent, "max_executions", None)
    values: dict[str, Any] = {
        "use": classes[cls],
        "role": agent.role if agent.role != cls.role else None,
        "system": prompts.system.text if prompts.system != own.system else None,
        "task": prompts.task.text if prompts.task != own.task else None,
        "followup": (
            prompts.followup.text
            if prompts.followup is not None and prompts.followup != own.followup
            else None
        ),
        "conversation": node.conversation,
        "tools": _tool_names(name, agent),
        "kind": node.kind,
        "starts_round": node.starts_round,
        "sample": node.sample,
        "max_executions": max_executions,
    }
    if settings is not None:
        values.update(
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_tokens=settings.max_tokens,
            stop=list(settings.stop) if settings.stop is not None else None,
            seed=settings.seed,
        )
    return AgentConfig(**{k: v for k, v in values.items() if v is not None})


def _tool_names(name: str, agent: Agent[Any]) -> list[str]:
    own = {tool.name for tool in agent.default_tools()}
    names = []
    for tool in agent.tools:
        if tool.name == "search" or SINGLE_TOOLS.get(tool.name) is tool:
            names.append(tool.name)
        else:
            raise ConfigError(
                f"agent {name!r} has the tool {tool.name!r}, which is not built in; a config "
                "file names tools as `module:tool` (export the graph without it)"
            )
    # a class's own tools are implied, except `search`, whose corpus is the graph's
    return [] if set(names) == own and "search" not in own else names


def _merged_edges(graph: CouncilGraph) -> list[tuple[tuple[str, ...], str | list[str]]]:
    """Edges with one source set fanning out to several targets written as one edge, in
    the order they were added."""
    merged: dict[tuple[str, ...], list[str]] = {}
    for sources, target in graph.edges:
        merged.setdefault(sources, []).append(target)
    return [
        (sources, targets[0] if len(targets) == 1 else targets)
        for sources, targets in merged.items()
    ]


def _plain(target: str | list[str]) -> str | list[str]:
    if isinstance(target, list):
        return [_name(t) for t in target]
    return _name(target)


def _name(node: str) -> str:
    if node in START_NAMES:
        return "START"
    if node in END_NAMES:
        return "END"
    return node


def _one_or_list(names: tuple[str, ...] | list[str]) -> str | list[str]:
    plain = [_name(n) for n in names]
    return plain[0] if len(plain) == 1 else plain
