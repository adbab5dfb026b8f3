"""Fold a graph's closing bookkeeping node into the node before it, when compiled.

Every LangGraph superstep costs CPU (tasks, channel writes, a checkpoint) whatever its
node does: against a fast server, the `finish` node of `single` (START -> solver ->
finish -> END) was about a fifth of a problem's CPU. A *finisher* (`finish_last_answer`,
`finish_verified`, `finish_decision`: pure functions of the state, no model call) reached
only from one node, which leads only to it, and leading only to END, runs inside that
node's step instead: the node's update is folded into the state with the schema's own
reducers, the finisher reads that state, and the two updates are returned as one, steps
in order. What a run produces is unchanged (a test pins it); the graph users see and
extend (`CouncilGraph.build()`, `council graph show`, config files) keeps both nodes.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from council.graphs.nodes import NodeFunction
from council.graphs.state import CouncilState, Reducer, apply_update, reducers_of
from council.tools.base import ToolContext

FINISHERS = frozenset({"finish_last_answer", "finish_verified", "finish_decision"})
"""Built-in nodes that only read the state and write the run's outcome."""


def merge_updates(
    first: Mapping[str, Any], second: Mapping[str, Any], reducers: Mapping[str, Reducer]
) -> dict[str, Any]:
    """Two node updates as one, as if applied one after the other."""
    merged = dict(first)
    apply_update(merged, second, reducers)
    return merged


def folded(
    state: CouncilState, update: Mapping[str, Any], reducers: Mapping[str, Reducer]
) -> CouncilState:
    """The state after `update`, as LangGraph would apply it."""
    values = {key: getattr(state, key) for key in update}
    apply_update(values, update, reducers)
    return state.model_copy(update=values)


def fused(node: NodeFunction, finisher: NodeFunction, schema: type[CouncilState]) -> NodeFunction:
    """`node` (an agent's node: state and runtime), then `finisher` on the state `node`'s
    update leads to, in one step."""
    reducers = reducers_of(schema)

    async def node_then_finish(
        state: CouncilState, runtime: Runtime[ToolContext]
    ) -> dict[str, Any]:
        result = node(state, runtime)
        update = await result if inspect.isawaitable(result) else result
        closing = finisher(folded(state, update, reducers))
        closing_update = await closing if inspect.isawaitable(closing) else closing
        return merge_updates(update, closing_update, reducers)

    return node_then_finish
