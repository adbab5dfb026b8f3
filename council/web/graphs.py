"""Graphs for the web view: what a graph is made of (agents, prompts, conditions) and its
drawing as SVG, with an id on every node so the page can highlight the one running.

Drawn server-side by Graphviz's `dot` (installed by scripts/setup_system.sh), so the page
needs no JavaScript diagram library and nothing is built at install time."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from pydantic import BaseModel

from council.errors import ConfigError
from council.graphs.builder import CouncilGraph
from council.protocols.definition import ProtocolCard
from council.protocols.registry import PROTOCOLS
from council.protocols.run_spec import RunSpec

START_ID, END_ID = "__start__", "__end__"


class AgentView(BaseModel):
    name: str
    role: str
    output: str
    tools: list[str]
    system: str
    task: str
    followup: str | None


class RouteView(BaseModel):
    when: str
    to: list[str]


class BranchView(BaseModel):
    source: str
    routes: list[RouteView]
    otherwise: list[str]


class GraphView(BaseModel):
    name: str
    nodes: list[str]
    agents: list[AgentView]
    builtins: dict[str, str]
    edges: list[tuple[str, str, str | None]]
    branches: list[BranchView]
    svg: str
    card: ProtocolCard | None = None
    """A built-in protocol as a run uses it (roles, decoding, counts, reference,
    deviations); None for a graph file."""


def builtin_graphs() -> list[str]:

    return ["solve", *(name for name in PROTOCOLS if name != "solve")]


def describe(name: str) -> GraphView:
    """A protocol name or a config file, drawn with placeholder models (nothing runs)."""

    run = RunSpec(graph=name)
    graph: CouncilGraph = run.drawing()[0]
    agents = []
    for node, spec in graph.nodes.items():
        if spec.agent is None:
            continue
        prompts = spec.agent.prompts
        agents.append(
            AgentView(
                name=node,
                role=spec.agent.role,
                output=spec.agent.output_type.__name__,
                tools=spec.agent.tools.names(),
                system=prompts.system.text,
                task=prompts.task.text,
                followup=prompts.followup.text if prompts.followup is not None else None,
            )
        )
    return GraphView(
        name=graph.name,
        nodes=list(graph.nodes),
        agents=agents,
        builtins={n: s.builtin for n, s in graph.nodes.items() if s.builtin is not None},
        edges=graph.drawing_edges(),
        branches=[
            BranchView(
                source=branch.source,
                routes=[RouteView(when=r.label, to=list(r.targets)) for r in branch.routes],
                otherwise=list(branch.otherwise),
            )
            for branch in graph.branches.values()
        ],
        svg=svg(graph),
        card=run.card(),
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: CouncilGraph) -> str:
    """`CouncilGraph.to_dot`, plus `id="node-NAME"` on each node for the page's CSS."""
    lines = [
        "digraph council {",
        "  rankdir=TB; bgcolor=transparent;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica",'
        " fontsize=11];",
        '  edge [fontname="Helvetica", fontsize=9, color="#667085"];',
        f'  {_quote(START_ID)} [id="node-{START_ID}", label="START", shape=oval];',
        f'  {_quote(END_ID)} [id="node-{END_ID}", label="END", shape=oval];',
    ]
    for name, spec in graph.nodes.items():
        kind = spec.builtin or (spec.agent.role if spec.agent else "function")
        label = _quote(name)[:-1] + "\\n(" + _quote(kind)[1:-1] + ')"'
        lines.append(f"  {_quote(name)} [id={_quote('node-' + name)}, label={label}];")
    ids = {"__start__": START_ID, "__end__": END_ID}
    for source, target, route in graph.drawing_edges():
        style = "" if route is None else f" [style=dashed, label={_quote(route)}]"
        lines.append(
            f"  {_quote(ids.get(source, source))} -> {_quote(ids.get(target, target))}{style};"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(graph: CouncilGraph) -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise ConfigError("drawing graphs needs Graphviz's `dot`: apt-get install graphviz")
    done = subprocess.run(
        [dot, "-Tsvg"], input=to_dot(graph).encode(), capture_output=True, check=False, timeout=30
    )
    if done.returncode != 0:
        raise ConfigError(f"dot failed: {done.stderr.decode(errors='replace').strip()[:300]}")
    text = done.stdout.decode()
    return text[text.index("<svg") :]


def jsonable(view: GraphView) -> dict[str, Any]:
    return view.model_dump(mode="json")
