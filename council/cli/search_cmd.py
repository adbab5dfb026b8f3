"""`council search run FILE`: find the best candidate of a space for a model, data and
budget, and test it on held-out problems; `council search report DIR`: write the report as
it stands; `council search verify DIR`: run candidates scored from the pool live and
compare them problem by problem.

Exit codes: 0 done; 1 it could not start or stopped on an error (one `error:` line); 4 a
budget was reached (raise it in the search file and run the same command to continue).

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from council.command_line import EXIT_BUDGET


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "search", help="find the best protocol for a model, data and budget; test it held out"
    )
    commands = parser.add_subparsers(dest="search_command", metavar="{run,report,verify}")
    run = commands.add_parser("run", help="run (or resume) a search file")
    run.add_argument("file", type=Path, help="the search file (YAML)")
    run.add_argument("--out", type=Path, default=None, help="search directory (default: out:)")
    run.add_argument("--concurrency", type=int, default=None, help="problems at once per run")
    run.set_defaults(handler=run_search)
    report = commands.add_parser("report", help="write a search's report as it stands")
    report.add_argument("file", type=Path, help="the search file (YAML)")
    report.add_argument("--out", type=Path, default=None, help="search directory (default: out:)")
    report.set_defaults(handler=report_search)
    verify = commands.add_parser(
        "verify", help="run candidates scored from the pool live; compare problem by problem"
    )
    verify.add_argument("file", type=Path, help="the search file (YAML)")
    verify.add_argument("--out", type=Path, default=None, help="search directory (default: out:)")
    verify.add_argument(
        "--candidates", required=True, help="comma-separated names, e.g. sc-5@0.7,cascade-2of5"
    )
    verify.set_defaults(handler=verify_search)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def run_search(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args, resume=True))


def report_search(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args, resume=False))


async def _run(args: argparse.Namespace, *, resume: bool) -> int:
    from council.bench.grading import Grader
    from council.bench.heap import settle_for_many_problems
    from council.cli.progress import RichProgress
    from council.search.render import write_markdown
    from council.search.runner import SearchRunner

    console = _console()
    settle_for_many_problems()
    with Grader() as grader:
        runner = SearchRunner(
            args.file,
            out=args.out,
            grader=grader,
            progress=lambda: RichProgress(console),
            concurrency=getattr(args, "concurrency", None),
            say=lambda text: console.print(text, markup=False, soft_wrap=True),
        )
        outcome = await (runner.run() if resume else runner.report())
    path = write_markdown(outcome, runner.directory)
    for finding in outcome.findings:
        console.print(finding, markup=False, soft_wrap=True)
    console.print(f"wrote {path}", markup=False)
    if outcome.status == "budget":
        console.print(
            f"error: the search's budget stopped it: {outcome.reason}; raise budget: in "
            f"{args.file} and run the same command",
            markup=False,
            soft_wrap=True,
        )
        return EXIT_BUDGET
    return 0


def verify_search(args: argparse.Namespace) -> int:
    return asyncio.run(_verify(args))


async def _verify(args: argparse.Namespace) -> int:
    from council.bench.grading import Grader
    from council.cli.progress import RichProgress
    from council.search.runner import SearchRunner
    from council.search.studies import SEARCH_STUDY
    from council.search.verify import LiveChecks, compare, write_verify_study
    from council.studies.report import build_report
    from council.studies.runner import StudyRunner

    console = _console()
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    with Grader() as grader:
        search = SearchRunner(args.file, out=args.out, grader=grader)
        path = write_verify_study(search.directory, names)
        runner = StudyRunner(path, grader=grader, progress=lambda: RichProgress(console))
        await runner.run()
        pooled = await build_report(search.directory / SEARCH_STUDY, grader)
        live = await build_report(runner.directory, grader)
    checks = LiveChecks(
        checks=[
            compare(
                name,
                {r.problem_id: r for r in next(a for a in pooled.arms if a.name == name).results},
                {r.problem_id: r for r in next(a for a in live.arms if a.name == name).results},
            )
            for name in names
        ]
    )
    for check in checks.checks:
        print(check.words())
    print(f"wrote {checks.write(search.directory)}")
    failed = sum(not check.equal for check in checks.checks)
    return 1 if failed else 0
