"""Council itself as an MCP server (`council mcp`): other agent apps call a council team as a
tool. Two tools: `solve` (a question, a graph, a model) and `bench_summary` (a run
directory). Built on the official SDK's `MCPServer` (FastMCP), over stdio or streamable
HTTP on loopback.

Why a factory of runners rather than one runner: a caller picks the graph and the model
per call, and a runner is cheap to build next to the model calls it makes.
"""

from __future__ import annotations

from typing import Any

from council.bench.run_view import view_run
from council.errors import CouncilError
from council.runner import RunnerFactory

"""Builds a runner for (graph name or config file, model or None for the configured one)."""


def build_server(make_runner: RunnerFactory, *, name: str = "council") -> Any:
    from mcp.server.mcpserver import MCPServer  # optional extra: mcp
    from mcp.server.mcpserver.exceptions import ToolError  # optional extra: mcp

    server = MCPServer(
        name,
        instructions="A team of language-model agents (planner, solver, verifier, critic, "
        "debaters...) that reason together. `solve` answers a question with a council graph; "
        "`bench_summary` reads a `council bench` run.",
    )

    @server.tool()
    async def solve(
        question: str, graph: str = "solve", model: str | None = None
    ) -> dict[str, Any]:
        """Solve a question with a council of agents. `graph`: solve (plan, solve, verify,
        critique), single, self-consistency, debate, mad, or a graph config file. `model`:
        a litellm model string (default: the server's). Returns the run's result as
        `council solve --json` prints it: answer, status, steps, every model call, usage."""
        try:  # a council error is the caller's to read (the SDK hides any other)
            runner = make_runner(graph, model)
            result = await runner.arun(question)
        except CouncilError as exc:
            raise ToolError(str(exc)) from exc
        return result.model_dump(mode="json")

    @server.tool()
    def bench_summary(run_dir: str) -> dict[str, Any]:
        """The summary of a `council bench` run directory: accuracy with its 95% interval,
        errors, truncated replies, tokens and time."""
        try:
            view = view_run(run_dir)
        except CouncilError as exc:
            raise ToolError(str(exc)) from exc
        return {
            **view.summary.model_dump(mode="json"),
            "run": view.info.path,
            "live": view.info.live,
            "truncated_problems": view.truncated_problems,
            "errors_by_problem": dict(view.errors),
        }

    return server
