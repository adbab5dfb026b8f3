"""How the long-lived commands (chat, serve, mcp) build a runner per request: the
command's `RunSpec` with the request's graph and, when one is named, its model for every
role. Shared so `/model NAME` in the REPL, the web UI's model picker and `solve(model=...)`
over MCP mean the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from council.models.scripted import ScriptedModel
    from council.protocols.run_spec import RunSpec
    from council.runner import GraphRunner, RunnerFactory


def load_scripted(path: Path | None) -> ScriptedModel | None:
    """`--scripted FILE` (a testing aid): every role answers from the JSON script."""
    if path is None:
        return None
    from council.chat.scripted import load_script

    return load_script(path)


def runner_factory(spec: RunSpec, scripted: Path | ScriptedModel | None = None) -> RunnerFactory:
    """Runners for (graph, model) requests, each built from `spec` the one way."""
    from council.models.factory import resolve_model_name
    from council.models.roles import RoleModels

    model_script = load_scripted(scripted) if isinstance(scripted, Path) else scripted

    def make_runner(graph: str, model: str | None) -> GraphRunner:
        run = spec.with_graph(graph)
        if model and resolve_model_name(model) != spec.config.model.name:
            run = run.on_model(model)
        elif model:
            run = run.model_copy(update={"model_given": True})
        models = RoleModels(model_script) if model_script is not None else None
        return run.build(models=models)

    return make_runner
