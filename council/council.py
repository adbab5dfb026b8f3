"""`Council`: the solve graph wired to models and tools from a `CouncilConfig`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from council.config import CouncilConfig
from council.errors import ConfigError
from council.models.base import ChatModel
from council.models.factory import build_model
from council.models.roles import RoleModels
from council.models.settings import ModelSpec
from council.runner import GraphRunner, SessionFactory
from council.tools.base import ToolRegistry

if TYPE_CHECKING:
    from council.tools.sandbox.config import SandboxConfig


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


def tools_for(config: CouncilConfig) -> ToolRegistry:
    """The named tool sets, then the tools of every MCP server given (`--mcp`)."""
    if not config.tools and not config.mcp:
        return ToolRegistry()
    from council.tools.builtin import default_tools

    registry = default_tools(config.tools)
    if config.mcp:
        from council.tools.mcp import mcp_registry

        for tool in mcp_registry(config.mcp):
            if tool.name in registry:
                raise ConfigError(f"an MCP tool is named {tool.name!r}, like a built-in tool")
            registry.register(tool)
    return registry


def sandbox_factory_for(config: CouncilConfig, tools: ToolRegistry) -> SessionFactory | None:
    """A per-run sandbox session when any enabled tool runs code; None otherwise."""
    if not tools:
        return None
    from council.tools.builtin import SANDBOXED_TOOLS

    if not any(name in SANDBOXED_TOOLS for name in tools.names()):
        return None
    from council.tools.sandbox import open_sandbox

    kind = config.sandbox
    sandbox = sandbox_config_for(config)
    return lambda: open_sandbox(kind, sandbox)


def sandbox_config_for(config: CouncilConfig) -> SandboxConfig:
    """The sandbox settings a run's code tools get: the defaults and its allow-list."""
    from council.tools.sandbox import SandboxConfig

    return SandboxConfig(allow_net=config.allow_net)


class Council(GraphRunner):
    """The `solve` protocol (plan, solve, verify, critique) from a `CouncilConfig`.

    Models may be given directly (a single `ChatModel` for every role, or a mapping by role)
    instead of `config.model`; that is how tests drive the graph with a scripted model.
    Built by `build_runner`, like every runner.
    """

    def __init__(
        self,
        config: CouncilConfig | None = None,
        *,
        models: ChatModel | Mapping[str, ChatModel] | RoleModels | None = None,
        tools: ToolRegistry | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        from council.protocols.select import runner_parts

        self.config = config or CouncilConfig()
        parts = runner_parts(
            "solve", self.config, models=models, tools=tools, session_factory=session_factory
        )
        super().__init__(
            parts.graph, max_rounds=parts.max_rounds, session_factory=parts.session_factory
        )
