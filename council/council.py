"""`Council`: the solve graph wired to models and tools from a `CouncilConfig`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from council.agents import Critic, Planner, Solver, Verifier
from council.config import ROLES, CouncilConfig
from council.graphs.run import RunResult, run_config, stream_run
from council.graphs.solve import SolveAgents, build_solve_graph
from council.graphs.state import SolveState, Step
from council.messages import Message
from council.models.base import ChatModel
from council.models.factory import build_model
from council.models.settings import ModelSpec
from council.tools.base import ToolContext, ToolRegistry

SessionFactory = Callable[[], AbstractAsyncContextManager[Any]]


def build_role_models(config: CouncilConfig) -> dict[str, ChatModel]:
    """One model object per distinct spec, so roles sharing a model share its client."""
    built: dict[ModelSpec, ChatModel] = {}
    models: dict[str, ChatModel] = {}
    for role in ROLES:
        spec = config.model_for(role)
        if spec not in built:
            built[spec] = build_model(spec)
        models[role] = built[spec]
    return models


class Council:
    """Plan, solve, verify, critique: four agents and a bounded loop.

    Models may be given directly (a single `ChatModel` for every role, or a mapping by role)
    to bypass `config.model`; that is how tests drive the graph with a scripted model.
    """

    def __init__(
        self,
        config: CouncilConfig | None = None,
        *,
        models: ChatModel | Mapping[str, ChatModel] | None = None,
        tools: ToolRegistry | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self.config = config or CouncilConfig()
        if models is None:
            role_models = build_role_models(self.config)
        elif isinstance(models, Mapping):
            role_models = {role: models[role] for role in ROLES}
        else:
            role_models = dict.fromkeys(ROLES, models)
        self.models = role_models
        self.tools = tools if tools is not None else self._default_tools()
        self._session_factory = session_factory
        if self.tools and session_factory is None and self._needs_sandbox():
            self._session_factory = self._sandbox_session_factory()
        settings = {role: self.config.model_for(role).settings for role in ROLES}
        self.agents = SolveAgents(
            planner=Planner(role_models["planner"], settings=settings["planner"]),
            solver=Solver(role_models["solver"], tools=self.tools, settings=settings["solver"]),
            verifier=Verifier(
                role_models["verifier"], tools=self.tools, settings=settings["verifier"]
            ),
            critic=Critic(role_models["critic"], settings=settings["critic"]),
        )
        self.graph = build_solve_graph(self.agents)

    def _default_tools(self) -> ToolRegistry:
        if not self.config.tools:
            return ToolRegistry()
        from council.tools.builtin import default_tools

        return default_tools(self.config.tools)

    def _needs_sandbox(self) -> bool:
        from council.tools.builtin import SANDBOXED_TOOLS

        return any(name in SANDBOXED_TOOLS for name in self.tools.names())

    def _sandbox_session_factory(self) -> SessionFactory:
        from council.tools.sandbox import SandboxConfig, open_sandbox

        kind = self.config.sandbox
        return lambda: open_sandbox(kind, SandboxConfig())

    async def astream(
        self,
        problem: str,
        *,
        history: Sequence[Message] = (),
        memory: str = "",
        max_rounds: int | None = None,
    ) -> AsyncIterator[Step | RunResult]:
        """Yield every agent step as it happens, then the `RunResult`."""
        initial = SolveState(
            problem=problem,
            max_rounds=max_rounds or self.config.max_rounds,
            history=list(history),
            memory=memory,
        )
        session_cm: AbstractAsyncContextManager[Any] = (
            self._session_factory() if self._session_factory else nullcontext(None)
        )
        async with session_cm as session:
            config = run_config(ToolContext(session=session))
            async for item in stream_run(self.graph, initial, config):
                yield item

    async def arun(self, problem: str, **kwargs: Any) -> RunResult:
        result: RunResult | None = None
        async for item in self.astream(problem, **kwargs):
            if isinstance(item, RunResult):
                result = item
        assert result is not None
        return result

    def run(self, problem: str, **kwargs: Any) -> RunResult:
        return asyncio.run(self.arun(problem, **kwargs))
