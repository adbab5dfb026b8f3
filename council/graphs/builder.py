"""`CouncilGraph`: assemble agents into a LangGraph graph with a few checked calls.

The builder records nodes, edges and branches, checks the shape (every node reachable,
every node can finish, every cycle bounded by rounds) and then emits an ordinary
`StateGraph`, so anything LangGraph can do to a graph can still be done to ours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langgraph.graph import END, START, StateGraph

from council.agents.base import Agent
from council.errors import ConfigError, GraphShapeError
from council.graphs.cascade import CASCADE_NODES
from council.graphs.checkpoint import with_council_types
from council.graphs.conditions import Condition, resolve_condition
from council.graphs.fusion import FINISHERS, fused
from council.graphs.nodes import BUILTIN_NODES, ROUND_STARTERS, NodeFunction, agent_node
from council.graphs.selection import SELECTION_NODES
from council.graphs.state import CouncilState, StepKind
from council.graphs.variables import DYNAMIC_PREFIXES, is_prompt_variable
from council.tools.base import ToolContext
from council.tracing import traced_node, tracing_active

START_NAMES = frozenset({"START", START})
END_NAMES = frozenset({"END", END})
BOUND_MARKER = "round < max_rounds"

Targets = str | Sequence[str]


def bounded(condition: Condition) -> Condition:
    """Mark a Python condition as one that turns false once rounds run out."""
    condition.council_bounded = True  # type: ignore[attr-defined]
    return condition


@dataclass(frozen=True)
class NodeSpec:
    """A node as it was added: enough to write the graph back out as a config file."""

    name: str
    function: NodeFunction
    starts_round: bool = False
    agent: Agent[Any] | None = None
    builtin: str | None = None
    kind: StepKind = "answer"
    sample: int = 0
    conversation: str | None = None


@dataclass(frozen=True)
class Route:
    label: str
    condition: Condition
    targets: tuple[str, ...]
    bounded: bool


@dataclass
class Branch:
    source: str
    routes: list[Route]
    otherwise: tuple[str, ...]


@dataclass
class CouncilGraph:
    """A graph of agents. Build with `add_*`, then `compile()` (or `build()` to extend)."""

    name: str = "council"
    state_schema: type[CouncilState] = CouncilState
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    edges: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    branches: dict[str, Branch] = field(default_factory=dict)

    # -- building -------------------------------------------------------------------------
    def add_agent(
        self,
        name: str,
        agent: Agent[Any],
        *,
        kind: StepKind = "answer",
        starts_round: bool = False,
        sample: int = 0,
        conversation: str | None = None,
    ) -> CouncilGraph:
        """`conversation`: a name under which the agent keeps its own earlier exchanges
        (see `agent_node`); nodes sharing a name continue one conversation."""
        function = agent_node(
            name,
            agent,
            kind=kind,
            starts_round=starts_round,
            sample=sample,
            conversation=conversation,
        )
        return self._add(
            NodeSpec(
                name,
                function,
                starts_round=starts_round,
                agent=agent,
                kind=kind,
                sample=sample,
                conversation=conversation,
            )
        )

    def add_node(
        self, name: str, function: NodeFunction | str, *, starts_round: bool = False
    ) -> CouncilGraph:
        """A plain function of the state, or the name of a built-in node (`vote`, ...)."""
        if isinstance(function, str):
            builtins = {**BUILTIN_NODES, **SELECTION_NODES, **CASCADE_NODES}
            if function not in builtins:
                known = ", ".join(sorted(builtins))
                raise ConfigError(f"unknown built-in node {function!r}; known: {known}")
            spec = NodeSpec(
                name,
                builtins[function],
                starts_round=starts_round or function in ROUND_STARTERS,
                builtin=function,
            )
            return self._add(spec)
        return self._add(NodeSpec(name, function, starts_round=starts_round))

    def _add(self, spec: NodeSpec) -> CouncilGraph:
        if spec.name in self.nodes:
            raise ConfigError(f"node {spec.name!r} is defined twice")
        if spec.name in START_NAMES | END_NAMES:
            raise ConfigError(f"{spec.name!r} is reserved; name the node something else")
        self.nodes[spec.name] = spec
        return self

    def add_edge(self, source: Targets, target: Targets) -> CouncilGraph:
        """`a → b`; a list of sources waits for all of them; a list of targets fans out."""
        sources = tuple(_as_names(source))
        for one_target in _as_names(target):
            self.edges.append((sources, one_target))
        return self

    def add_branch(
        self,
        source: str,
        routes: Sequence[tuple[str | Condition, Targets]],
        otherwise: Targets,
    ) -> CouncilGraph:
        """After `source`, go to the first route whose condition holds, else `otherwise`."""
        if source in self.branches:
            raise ConfigError(f"node {source!r} already has a branch; put all routes in one")
        resolved = []
        for condition, targets in routes:
            label = condition if isinstance(condition, str) else condition.__name__
            is_bounded = (
                BOUND_MARKER in label
                if isinstance(condition, str)
                else bool(getattr(condition, "council_bounded", False))
            )
            resolved.append(
                Route(label, resolve_condition(condition), tuple(_as_names(targets)), is_bounded)
            )
        self.branches[source] = Branch(source, resolved, tuple(_as_names(otherwise)))
        return self

    # -- checking -------------------------------------------------------------------------
    def successors(self, *, include_bounded: bool = True) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {name: set() for name in [START, *self.nodes, END]}
        for sources, target in self.edges:
            for source in sources:
                graph[_canonical(source)].add(_canonical(target))
        for branch in self.branches.values():
            for route in branch.routes:
                if include_bounded or not route.bounded:
                    graph[branch.source].update(_canonical(t) for t in route.targets)
            graph[branch.source].update(_canonical(t) for t in branch.otherwise)
        return graph

    def validate(self) -> None:
        """Raise `ConfigError` naming the problem and the fix."""
        known = set(self.nodes) | {START, END}
        referenced = [(s, t) for sources, t in self.edges for s in sources]
        referenced += [
            (b.source, t)
            for b in self.branches.values()
            for t in [*(t for r in b.routes for t in r.targets), *b.otherwise]
        ]
        for source, target in referenced:
            for name in (source, target):
                if _canonical(name) not in known:
                    raise GraphShapeError(
                        f"edge {source} → {target} names unknown node {name!r}; "
                        f"defined nodes: {', '.join(sorted(self.nodes)) or 'none'}",
                        [source],
                    )
        for name in self.branches:
            if _canonical(name) not in self.nodes:
                raise ConfigError(f"branch from unknown node {name!r}")
        graph = self.successors()
        if not graph[START]:
            raise ConfigError("nothing starts the graph: add an edge from START to a node")
        reachable = _reach(graph, START)
        unreachable = sorted(set(self.nodes) - reachable)
        if unreachable:
            raise GraphShapeError(
                f"node(s) {', '.join(unreachable)} can never run: no path from START reaches "
                "them; add an edge to them or remove them",
                unreachable,
            )
        reverse: dict[str, set[str]] = {name: set() for name in graph}
        for source, targets in graph.items():
            for target in targets:
                reverse[target].add(source)
        can_finish = _reach(reverse, END)
        stuck = sorted(set(self.nodes) - can_finish)
        if stuck:
            raise GraphShapeError(
                f"node(s) {', '.join(stuck)} have no path to END: the run could never finish; "
                "add an edge or branch from them towards END",
                stuck,
            )
        self._check_cycles_bounded()
        self._check_prompt_variables()

    def _check_prompt_variables(self) -> None:
        """Every template field is a prompt variable, and `{reply.X}` names an agent here:
        a typo fails when the graph is built, not mid-run."""

        agents = {name for name, spec in self.nodes.items() if spec.agent is not None}
        for name, spec in self.nodes.items():
            if spec.agent is None:
                continue
            own = spec.agent.own_variables | {"format"}
            for field_name in sorted(spec.agent.prompts.fields - own):
                if not is_prompt_variable(field_name):
                    raise GraphShapeError(
                        f"agent {name!r}'s prompts use {{{field_name}}}, which is not a prompt "
                        "variable (see council.graphs.variables.PROMPT_VARIABLES)",
                        [name],
                    )
                if field_name.startswith(DYNAMIC_PREFIXES):
                    other = field_name.split(".", 1)[1]
                    if other not in agents:
                        raise GraphShapeError(
                            f"agent {name!r}'s prompts use {{{field_name}}}, but this graph has "
                            f"no agent {other!r}; agents: {', '.join(sorted(agents))}",
                            [name],
                        )

    def _check_cycles_bounded(self) -> None:
        unbounded = self.successors(include_bounded=False)
        cycle = _find_cycle(unbounded)
        if cycle:
            path = " → ".join([*cycle, cycle[0]])
            raise GraphShapeError(
                f"cycle {path} has no bound: add a branch on it whose route back is guarded "
                f"by '{BOUND_MARKER}' (and a node that starts a round), so the loop ends",
                cycle,
            )
        for component in _cycles_components(self.successors()):
            if not any(self.nodes[n].starts_round for n in component if n in self.nodes):
                names = ", ".join(sorted(component))
                raise GraphShapeError(
                    f"the loop through {names} never starts a new round, so "
                    f"'{BOUND_MARKER}' stays true forever: mark one agent starts_round, or "
                    "add a 'next_round' node to the loop",
                    sorted(n for n in component if n in self.nodes),
                )

    # -- output ---------------------------------------------------------------------------
    def build(
        self, *, fold_finishers: bool = False, keep: Sequence[str] = ()
    ) -> StateGraph[Any, ToolContext, Any, Any]:
        """The uncompiled LangGraph `StateGraph`, for users who want to extend it: every
        node of this graph is a node of it. `compile()` folds closing finishers into the
        agent before them (`council.graphs.fusion`), one superstep fewer per run."""

        self.validate()
        folds = self.finisher_folds(keep) if fold_finishers else {}
        folded_away = set(folds.values())
        graph = StateGraph(self.state_schema, context_schema=ToolContext)
        traced = tracing_active()  # spans per node only when traces are being taken
        functions: dict[str, NodeFunction] = {}
        for spec in self.nodes.values():
            function = spec.function
            if traced:
                kind = "agent" if spec.agent is not None else (spec.builtin or "function")
                function = traced_node(spec.name, kind, function)
            functions[spec.name] = function
        for name, function in functions.items():
            if name in folded_away:
                continue
            if name in folds:
                function = fused(function, functions[folds[name]], self.state_schema)
            graph.add_node(name, function)
        for sources, target in self._grouped_edges():
            start = [_canonical(s) for s in sources]
            if len(start) == 1 and start[0] in folded_away:
                continue  # the finisher's edge to END: its agent now leads there
            end = _canonical(target)
            if len(start) == 1 and folds.get(start[0]) == end:
                end = END  # the folded finisher led to END
            graph.add_edge(start[0] if len(start) == 1 else start, end)
        for branch in self.branches.values():
            graph.add_conditional_edges(branch.source, _router(branch), _destinations(branch))
        return graph

    def compile(self, **kwargs: Any) -> Any:
        """LangGraph's `compile`; a checkpointer given here learns council's types."""
        if kwargs.get("checkpointer") is not None:
            kwargs["checkpointer"] = with_council_types(kwargs["checkpointer"], self.state_schema)
        # a node an interrupt names ("*": every node) stays a node of its own, or there is
        # nothing to stop at
        named = [kwargs.get("interrupt_before"), kwargs.get("interrupt_after")]
        keep = list(self.nodes) if "*" in named else [n for ns in named if ns for n in ns]
        return self.build(fold_finishers=True, keep=keep).compile(name=self.name, **kwargs)

    def finisher_folds(self, keep: Sequence[str] = ()) -> dict[str, str]:
        """{agent: finisher} where a built-in finisher is reached only from that agent,
        the agent leads only to it (no branch), and it leads only to END; none of `keep`."""
        successors = self.successors()
        predecessors: dict[str, set[str]] = {name: set() for name in successors}
        for source, targets in successors.items():
            for target in targets:
                predecessors[target].add(source)
        folds = {}
        for name, spec in self.nodes.items():
            if spec.builtin not in FINISHERS or successors[name] != {END} or name in keep:
                continue
            if name in self.branches or len(predecessors[name]) != 1:
                continue
            (source,) = predecessors[name]
            before = self.nodes.get(source)
            if before is None or before.agent is None or source in self.branches:
                continue
            if successors[source] == {name}:
                folds[source] = name
        return folds

    def _grouped_edges(self) -> list[tuple[tuple[str, ...], str]]:
        return list(dict.fromkeys(self.edges))

    def drawing_edges(self) -> list[tuple[str, str, str | None]]:
        """(source, target, label) for every edge and branch route; label None is plain."""
        edges: list[tuple[str, str, str | None]] = []
        for sources, target in self._grouped_edges():
            edges.extend((_canonical(s), _canonical(target), None) for s in sources)
        for branch in self.branches.values():
            for route in branch.routes:
                edges.extend((branch.source, _canonical(t), route.label) for t in route.targets)
            edges.extend((branch.source, _canonical(t), "otherwise") for t in branch.otherwise)
        return edges

    def _node_kind(self, spec: NodeSpec) -> str:
        return spec.builtin or (spec.agent.role if spec.agent else "function")

    def to_mermaid(self) -> str:
        ids = {START: "__start__", END: "__end__"}
        lines = ["flowchart TD", "    __start__([START])"]
        for name, spec in self.nodes.items():
            lines.append(f'    {name}["{name}<br/><small>{self._node_kind(spec)}</small>"]')
        lines.append("    __end__([END])")
        for source, target, label in self.drawing_edges():
            arrow = "-->" if label is None else f'-. "{label}" .->'
            lines.append(f"    {ids.get(source, source)} {arrow} {ids.get(target, target)}")
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        show = {START: "START", END: "END"}
        lines = [
            f'digraph "{self.name}" {{',
            "  rankdir=TB;",
            "  node [shape=box, style=rounded];",
            '  "START" [shape=oval]; "END" [shape=oval];',
        ]
        for name, spec in self.nodes.items():
            lines.append(f'  "{name}" [label="{name}\\n({self._node_kind(spec)})"];')
        for source, target, label in self.drawing_edges():
            style = "" if label is None else f' [style=dashed, label="{label}"]'
            lines.append(f'  "{show.get(source, source)}" -> "{show.get(target, target)}"{style};')
        lines.append("}")
        return "\n".join(lines) + "\n"


def _as_names(targets: Targets) -> list[str]:
    return [targets] if isinstance(targets, str) else list(targets)


def _canonical(name: str) -> str:
    if name in START_NAMES:
        return START
    if name in END_NAMES:
        return END
    return name


def _router(branch: Branch) -> Callable[[CouncilState], str | list[str]]:
    def route(state: CouncilState) -> str | list[str]:
        for candidate in branch.routes:
            if candidate.condition(state):
                return _one_or_many(candidate.targets)
        return _one_or_many(branch.otherwise)

    route.__name__ = f"route_after_{branch.source}"
    return route


def _one_or_many(targets: tuple[str, ...]) -> str | list[str]:
    names = [_canonical(t) for t in targets]
    return names[0] if len(names) == 1 else names


def _destinations(branch: Branch) -> list[str]:
    names = [t for route in branch.routes for t in route.targets] + list(branch.otherwise)
    return list(dict.fromkeys(_canonical(n) for n in names))


def _reach(graph: dict[str, set[str]], origin: str) -> set[str]:
    seen = {origin}
    frontier = [origin]
    while frontier:
        for nxt in graph.get(frontier.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _cycles_components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components that contain a cycle."""
    components = []
    for node in graph:
        forward = _reach(graph, node)
        reverse_graph: dict[str, set[str]] = {n: set() for n in graph}
        for source, targets in graph.items():
            for target in targets:
                reverse_graph[target].add(source)
        component = forward & _reach(reverse_graph, node)
        if (len(component) > 1 or node in graph[node]) and component not in components:
            components.append(component)
    return components
