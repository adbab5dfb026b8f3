"""`council graph show NAME|FILE`: what a run of a protocol will use (its card: roles,
templates, decoding, counts, reference, deviations) and its graph as Mermaid or a PNG;
`council graph export NAME`: the protocol as a graph config file that runs the same;
`council graph validate FILE`: check a config file.

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from council.command_line import add_protocol_options, protocol_values, validated
from council.errors import ConfigError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("graph", help="inspect protocol graphs and graph configs")
    commands = parser.add_subparsers(dest="graph_command", metavar="SUBCOMMAND", required=True)
    show = commands.add_parser(
        "show", help="what a protocol runs with (its card) and its graph as Mermaid"
    )
    show.add_argument("graph", help="a protocol name (solve, debate, ...) or a .yaml/.json file")
    show.add_argument("--json", action="store_true", help="print the card as JSON")
    show.add_argument("--png", type=Path, default=None, help="also draw it to this PNG file")
    show.add_argument("--dot", action="store_true", help="print Graphviz DOT instead of Mermaid")
    add_protocol_options(show.add_argument_group("protocol options (as a run would take them)"))
    show.set_defaults(handler=show_graph)
    export = commands.add_parser(
        "export", help="write a protocol as a graph config file that runs the same requests"
    )
    export.add_argument("graph", help="a protocol name (solve, debate, ...)")
    export.add_argument("-o", "--out", type=Path, default=None, help="file (default: stdout)")
    add_protocol_options(export.add_argument_group("protocol options (as a run would take them)"))
    export.set_defaults(handler=export_graph)
    check = commands.add_parser("validate", help="check a graph config file and report errors")
    check.add_argument("graph", help="a .yaml or .json graph config")
    check.set_defaults(handler=validate_graph)


def _spec(args: argparse.Namespace) -> Any:
    from council.protocols.options import ProtocolOptions
    from council.protocols.run_spec import RunSpec

    options = (
        validated(ProtocolOptions, **protocol_values(args))
        if hasattr(args, "samples")
        else ProtocolOptions()
    )
    spec = RunSpec(graph=args.graph, options=options)
    spec.check()
    return spec


def load_for_drawing(name: str) -> Any:
    from council.protocols.run_spec import RunSpec

    return RunSpec(graph=name).drawing()[0]


def render_png(dot_source: str, out: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        raise ConfigError(
            "drawing a PNG needs Graphviz's `dot`: apt-get install graphviz "
            "(the Mermaid text above renders anywhere Mermaid does)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([dot, "-Tpng", "-o", str(out)], input=dot_source.encode(), check=True)


def show_graph(args: argparse.Namespace) -> int:
    from council.cli.card import print_card

    spec = _spec(args)
    graph, rounds = spec.drawing()
    card = spec.card()
    if args.json:
        payload = {"card": card.model_dump(mode="json") if card else None, "rounds": rounds}
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    if card is not None:
        print_card(card)
    print(graph.to_dot() if args.dot else graph.to_mermaid(), end="")
    if args.png is not None:
        render_png(graph.to_dot(), args.png)
        print(f"wrote {args.png}")
    return 0


def export_graph(args: argparse.Namespace) -> int:
    from council.graphs.export import dump_yaml, graph_config

    spec = _spec(args)
    card = spec.card()
    if card is None:
        raise ConfigError(f"{args.graph!r} is already a graph file; export takes a protocol name")
    graph, rounds = spec.drawing()
    options = spec.resolved_options()
    config = graph_config(graph, max_rounds=rounds, description=card.summary, corpus=options.corpus)
    text = f"# council graph export {card.name}: {card.summary}\n" + dump_yaml(config)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def validate_graph(args: argparse.Namespace) -> int:
    graph = load_for_drawing(args.graph)
    print(f"{args.graph}: ok ({len(graph.nodes)} nodes)")
    return 0
