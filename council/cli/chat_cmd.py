"""`council chat`: solve problems over several turns, in a thread that persists.

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from council.command_line import (
    add_model_options,
    add_tool_options,
    load_scripted,
    run_spec_from_args,
    runner_factory,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("chat", help="interactive multi-turn problem solving")
    parser.add_argument("--thread", default=None, help="resume this thread (see council threads)")
    parser.add_argument("--db", type=Path, default=None, help="threads database (SQLite)")
    parser.add_argument(
        "--graph",
        default=None,
        help="solve (default; a resumed thread keeps its graph), single, "
        "self-consistency, debate, mad, tir, pot, best-of-n, moa, refine, tool-planner, "
        "cascade, or a config file",
    )
    parser.add_argument("--no-memory", action="store_true", help="read and write no memory")
    parser.add_argument("--memory-namespace", default="chat")
    parser.add_argument("--memory-db", type=Path, default=None)
    parser.add_argument("--scripted", type=Path, default=None, help=argparse.SUPPRESS)
    add_model_options(parser)
    add_tool_options(parser)
    parser.set_defaults(handler=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    return asyncio.run(_chat(args))


async def _chat(args: argparse.Namespace) -> int:
    from rich.console import Console

    from council.chat.paths import default_memory_db, default_threads_db
    from council.chat.session import ChatSession
    from council.chat.threads import ThreadStore, new_thread_id
    from council.cli.chat_repl import ChatRepl
    from council.memory import MemoryPolicy, MemoryStore
    from council.models.base import ChatModel
    from council.models.factory import build_model

    spec = run_spec_from_args(args, None)
    config = spec.config
    scripted = load_scripted(args.scripted)
    make_runner = runner_factory(spec, scripted)

    memory = None
    if not args.no_memory:
        store = MemoryStore(args.memory_db or default_memory_db(), args.memory_namespace)
        curator_model: ChatModel = scripted if scripted is not None else build_model(config.model)
        memory = MemoryPolicy.with_model(store, curator_model, source_run="chat")
    console = Console(highlight=False)
    async with ThreadStore(args.db or default_threads_db()) as threads:
        thread_id = args.thread or new_thread_id()
        graph, model = args.graph, args.model
        earlier = (await threads.load(thread_id)).turns
        if earlier and graph is None:  # a resumed thread carries on as it left off
            graph, model = earlier[-1].graph, model or earlier[-1].model
        graph = graph or "solve"
        session = ChatSession(
            threads,
            make_runner(graph, model),
            thread_id=thread_id,
            memory=memory,
            graph_name=graph,
            model_name=model,
        )
        await ChatRepl(session, make_runner, console).run()
    return 0
