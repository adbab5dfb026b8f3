"""One way for the long-lived commands (chat, serve, mcp) to build a runner per request:
a graph name or file, and a model name (or None for the configured one).

Shared so `/model NAME` in the REPL, the web UI's model picker and `solve(model=...)` over
MCP mean the same thing: that model for every role."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from council.config import CouncilConfig
    from council.models.scripted import ScriptedModel
    from council.runner import RunnerFactory


def load_scripted(path: Path | None) -> ScriptedModel | None:
    """`--scripted FILE` (a testing aid): every role answers from the JSON script."""
    if path is None:
        return None
    from council.chat.scripted import load_script

    return load_script(path)


def runner_factory(
    config: CouncilConfig,
    configured_model: str | None,
    scripted: Path | ScriptedModel | None = None,
    *,
    corpus: Path | None = None,
) -> RunnerFactory:
    """`corpus`: the search tool's corpus (`--corpus`), for protocols that use one."""
    from council.models.factory import resolve_model_name
    from council.models.roles import RoleModels
    from council.protocols.select import build_runner
    from council.runner import GraphRunner

    model_script = load_scripted(scripted) if isinstance(scripted, Path) else scripted

    def make_runner(graph: str, model: str | None) -> GraphRunner:
        run_config = config
        if model and model != configured_model:  # one model for every role
            spec = config.model.model_copy(update={"name": resolve_model_name(model)})
            run_config = config.model_copy(update={"model": spec, "role_models": {}})
        models = RoleModels(model_script) if model_script is not None else None
        return build_runner(
            None if graph == "solve" else graph,
            run_config,
            models=models,
            model_override=run_config.model if model else None,
            corpus=corpus,
        )

    return make_runner
