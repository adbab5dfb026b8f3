"""Entry point for `council` (also `python -m council`): the composition root, above the
front ends (the CLI's commands, `council serve` from the web package, `council mcp` from the
MCP package), which never import one another.

Start-up: `council --help` must stay fast, so this module imports only argparse and light
council modules (errors; tracing, which imports OpenTelemetry only when a run is traced),
and each subcommand module registers its parser and imports langgraph, litellm, docker and
friends inside its handler. Measured 2026-12-03 on 2 cores with a model study running
(load average 8): `council --help` takes 0.4 s of CPU (1.1-1.8 s wall; `/usr/bin/time
python -m council --help`), where importing the graph layer alone takes 2.0 s of CPU
(6.6-8.0 s wall; `/usr/bin/time python -c "import council.protocols.run_spec"`, and
`python -X importtime` for the split). Optional extras (mcp, ray, OpenTelemetry, uvicorn)
are likewise imported where they are used.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from council.errors import CouncilError
from council.tracing import tracing_for, tracing_requested

# Each module exposes `register(subparsers)`, which adds a parser whose `handler` default is
# a callable taking the parsed namespace and returning an exit code.
SUBCOMMAND_MODULES = (
    "council.cli.solve_cmd",
    "council.cli.sandbox_cmd",
    "council.cli.bench_cmd",
    "council.cli.study_cmd",
    "council.cli.search_cmd",
    "council.cli.chat_cmd",
    "council.cli.memory_cmd",
    "council.cli.graph_cmd",
    "council.cli.threads_cmd",
    "council.web.serve_cmd",
    "council.mcp.command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="council",
        description="Language-model agents that reason together (offline by default).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # subcommand not part of this build
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return _run_traced(handler, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a clear message, not a traceback, for user-facing errors
        if isinstance(exc, CouncilError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


def _run_traced(
    handler: Callable[[argparse.Namespace], int | None], args: argparse.Namespace
) -> int:
    """Commands that take `--trace` export spans when it (or COUNCIL_TRACE=1) is on; the
    tracing module imports OpenTelemetry only then."""
    if not hasattr(args, "trace"):
        return int(handler(args) or 0)
    with tracing_for(tracing_requested(args.trace)):
        return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
