"""`council memory list|show|clear|export`: what council remembers, per namespace.

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from council.errors import ConfigError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("memory", help="list, show, clear or export memory")
    parser.add_argument("--db", type=Path, default=None, help="memory database (SQLite)")
    parser.add_argument("--namespace", default="chat")
    commands = parser.add_subparsers(dest="memory_command", metavar="SUBCOMMAND", required=True)
    commands.add_parser("list", help="one line per entry").set_defaults(handler=list_entries)
    show = commands.add_parser("show", help="one entry in full")
    show.add_argument("id", type=int)
    show.set_defaults(handler=show_entry)
    commands.add_parser("clear", help="delete this namespace's entries").set_defaults(
        handler=clear_entries
    )
    export = commands.add_parser("export", help="print entries as JSON lines")
    export.add_argument("--format", choices=["jsonl"], default="jsonl")
    export.set_defaults(handler=export_entries)


def _store(args: argparse.Namespace) -> Any:
    from council.chat.paths import default_memory_db
    from council.memory import MemoryStore

    return MemoryStore(args.db or default_memory_db(), args.namespace)


def list_entries(args: argparse.Namespace) -> int:
    entries = _store(args).entries()
    if not entries:
        print(f"no memory in namespace {args.namespace!r}")
    for e in entries:
        first_line = e.text.splitlines()[0] if e.text else ""
        print(
            f"#{e.id:<4} {e.kind:<8} seen {e.seen} retrieved {e.retrieved} helped {e.helped}"
            f"  {first_line[:70]}"
        )
    return 0


def show_entry(args: argparse.Namespace) -> int:
    entry = _store(args).get(args.id)
    if entry is None:
        raise ConfigError(f"no memory entry #{args.id} in namespace {args.namespace!r}")
    print(entry.model_dump_json(indent=2))
    return 0


def clear_entries(args: argparse.Namespace) -> int:
    print(f"removed {_store(args).clear()} entries from {args.namespace!r}")
    return 0


def export_entries(args: argparse.Namespace) -> int:
    for entry in _store(args).entries():
        print(entry.model_dump_json())
    return 0
