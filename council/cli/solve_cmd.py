"""`council solve "QUESTION"`: run the solve graph once and show every step.

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from council.command_line import (
    add_model_options,
    add_protocol_options,
    add_tool_options,
    run_spec_from_args,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "solve",
        help="solve one problem with a protocol (default solve: planner, solver, verifier, "
        "critic) or a graph config file",
    )
    parser.add_argument("question", help="the problem to solve ('-' reads it from stdin)")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument(
        "--problem-type",
        default=None,
        help="the problem's type or subject, for prompts that show it (tool-planner: "
        "MATH's `type`, e.g. Geometry)",
    )
    parser.add_argument(
        "--problem-level",
        default=None,
        help="the problem's level, for prompts that show it (tool-planner: MATH's `level`, "
        "e.g. 'Level 1')",
    )
    parser.add_argument(
        "--graph",
        default=None,
        help="solve (default), a protocol (single, self-consistency, debate, mad, tir, pot, "
        "best-of-n, moa, refine, tool-planner, cascade) or a graph config file (.yaml/.json)",
    )
    add_protocol_options(parser.add_argument_group("protocol"))
    add_model_options(parser)
    add_tool_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    question = sys.stdin.read().strip() if args.question == "-" else args.question
    return asyncio.run(_solve(args, question))


async def _solve(args: argparse.Namespace, question: str) -> int:
    from rich.console import Console

    from council.cli.render import print_step
    from council.graphs.run import RunResult
    from council.problem_info import ProblemInfo

    council = run_spec_from_args(args, args.graph).build()
    info = ProblemInfo(subject=args.problem_type, level=args.problem_level)
    console = Console(stderr=args.json, highlight=False)
    result: RunResult | None = None
    async for item in council.astream(question, info=info):
        if isinstance(item, RunResult):
            result = item
        elif not args.json:
            print_step(console, item)
    assert result is not None
    if args.json:
        print(result.model_dump_json())
    else:
        usage = result.usage.total
        console.print(
            f"[dim]{result.status} after {result.rounds} round(s); {usage.total_tokens} tokens "
            f"in {usage.calls} calls; {result.seconds:.2f}s[/]"
        )
    if result.failure is not None:  # the run ended with no answer: say why, as an error
        Console(stderr=True, highlight=False).print(
            f"error: {result.failure}", markup=False, soft_wrap=True
        )
        return 1
    return 0
