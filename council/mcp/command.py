"""`council mcp`: serve council as an MCP server (stdio, or streamable HTTP with --http).

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from council.command_line import (
    add_model_options,
    add_tool_options,
    run_spec_from_args,
    runner_factory,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mcp", help="serve council as an MCP server (tools: solve, bench_summary)"
    )
    parser.add_argument(
        "--http", action="store_true", help="streamable HTTP at http://HOST:PORT/mcp, not stdio"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--scripted", type=Path, default=None, help=argparse.SUPPRESS)
    add_model_options(parser)
    add_tool_options(parser)
    parser.set_defaults(handler=run_mcp)


def run_mcp(args: argparse.Namespace) -> int:
    from council.mcp.server import build_server  # optional extra: mcp

    server = build_server(runner_factory(run_spec_from_args(args, None), args.scripted))
    if args.http:
        server.run("streamable-http", host=args.host, port=args.port)
    else:
        server.run("stdio")
    return 0
