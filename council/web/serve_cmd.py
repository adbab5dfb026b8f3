"""`council serve`: the web UI (chat, runs, graphs) on http://127.0.0.1:8765.

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
    parser = subparsers.add_parser("serve", help="web UI: chat, bench runs and graphs")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--token",
        default=None,
        help="require this token on every request (one is generated when binding off loopback)",
    )
    parser.add_argument(
        "--runs",
        action="append",
        type=Path,
        default=[],
        help="a run directory or a folder of them to list in Runs (repeatable)",
    )
    parser.add_argument("--db", type=Path, default=None, help="threads database (SQLite)")
    parser.add_argument("--graph", default="solve", help="the graph new threads start with")
    parser.add_argument(
        "--models", default="", help="comma-separated model names offered in the model picker"
    )
    parser.add_argument("--scripted", type=Path, default=None, help=argparse.SUPPRESS)
    add_model_options(parser)
    add_tool_options(parser)
    parser.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn  # optional extra: web

    from council.chat.paths import default_threads_db
    from council.web.app import create_app  # optional extra: web (fastapi)
    from council.web.auth import token_for
    from council.web.context import WebContext

    token = token_for(args.host, args.token)
    make_runner = runner_factory(run_spec_from_args(args, args.graph), args.scripted)
    make_runner(args.graph, None)  # a bad --graph or --model fails now, in one line
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    context = WebContext(
        make_runner=make_runner,
        threads_db=args.db or default_threads_db(),
        runs=list(args.runs),
        default_graph=args.graph,
        default_model=args.model,
        models=models,
    )
    app = create_app(context, token=token)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"council serve: {url}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
