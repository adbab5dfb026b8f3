"""`council threads`: the chat threads that can be resumed with `council chat --thread`.

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("threads", help="list chat threads")
    parser.add_argument("--db", type=Path, default=None, help="threads database (SQLite)")
    parser.set_defaults(handler=list_threads)


def list_threads(args: argparse.Namespace) -> int:
    return asyncio.run(_list(args))


async def _list(args: argparse.Namespace) -> int:
    from council.chat.paths import default_threads_db
    from council.chat.threads import ThreadStore

    async with ThreadStore(args.db or default_threads_db()) as store:
        summaries = await store.summaries()
    if not summaries:
        print("no threads yet: start one with `council chat`")
    for s in summaries:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.updated_at))
        print(f"{s.thread_id}  {s.turns:3d} turns  {when}  {s.last_question[:60]}")
    return 0
