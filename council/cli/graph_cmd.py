"""`council graph show NAME|FILE`: print a graph as Mermaid, or draw it to a PNG."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("graph", help="inspect protocol graphs and graph configs")
    commands = parser.add_subparsers(dest="graph_command", metavar="SUBCOMMAND", required=True)
    show = commands.add_parser("show", help="print a graph as Mermaid (and optionally a PNG)")
    show.add_argument("graph", help="a protocol name (solve, debate, ...) or a .yaml/.json file")
    show.add_argument("--png", type=Path, default=None, help="also draw it to this PNG file")
    show.add_argument("--dot", action="store_true", help="print Graphviz DOT instead of Mermaid")
    show.set_defaults(handler=show_graph)
    check = commands.add_parser("validate", help="check a graph config file and report errors")
    check.add_argument("graph", help="a .yaml or .json graph config")
    check.set_defaults(handler=validate_graph)


def _placeholder_models() -> Any:
    from council.models.roles import RoleModels
    from council.models.scripted import ScriptedModel

    return RoleModels(ScriptedModel(name="(drawing only)"))


def load_for_drawing(name: str) -> Any:
    from council.graphs.config import is_graph_file, load_graph
    from council.protocols.registry import canonical_protocol, protocol_graph

    if is_graph_file(name):
        return load_graph(name, models=_placeholder_models()).graph
    return protocol_graph(canonical_protocol(name), _placeholder_models())


def render_png(dot_source: str, out: Path) -> None:
    from council.errors import ConfigError

    dot = shutil.which("dot")
    if dot is None:
        raise ConfigError(
            "drawing a PNG needs Graphviz's `dot`: apt-get install graphviz "
            "(the Mermaid text above renders anywhere Mermaid does)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([dot, "-Tpng", "-o", str(out)], input=dot_source.encode(), check=True)


def show_graph(args: argparse.Namespace) -> int:
    graph = load_for_drawing(args.graph)
    print(graph.to_dot() if args.dot else graph.to_mermaid(), end="")
    if args.png is not None:
        render_png(graph.to_dot(), args.png)
        print(f"wrote {args.png}")
    return 0


def validate_graph(args: argparse.Namespace) -> int:
    graph = load_for_drawing(args.graph)
    print(f"{args.graph}: ok ({len(graph.nodes)} nodes)")
    return 0
