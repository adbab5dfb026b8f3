"""`council study run FILE`: run every arm of a study, resumably; `council study report
DIR`: write its report (Markdown, HTML, JSON and a plot).

Exit codes: 0 the study finished (or stopped because every comparison was decided);
1 it could not start or stopped on an error (one `error:` line says what to fix; what
finished is kept and the same command resumes); 3 it finished but some problems errored
(counted wrong; the same command runs them again); 4 a budget was reached (raise it in the
study file and run the same command to continue).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from council.studies.report import StudyReport

EXIT_PROBLEM_ERRORS = 3
EXIT_BUDGET = 4


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "study", help="run many arms over one data set from a study file, and report"
    )
    commands = parser.add_subparsers(dest="study_command", metavar="{run,plan,report}")
    run = commands.add_parser("run", help="run (or resume) every arm of a study file")
    run.add_argument("file", type=Path, help="the study file (YAML)")
    run.add_argument("--out", type=Path, default=None, help="study directory (default: out:)")
    run.add_argument("--concurrency", type=int, default=None, help="problems at once per run")
    run.add_argument("--no-report", action="store_true", help="do not write the report at the end")
    run.set_defaults(handler=run_study)
    plan = commands.add_parser(
        "plan", help="show how each arm will run (its own run, or read from a pool); no calls"
    )
    plan.add_argument("file", type=Path, help="the study file (YAML)")
    plan.add_argument("--out", type=Path, default=None, help="study directory (default: out:)")
    plan.set_defaults(handler=plan_study_cmd)
    report = commands.add_parser("report", help="write a study directory's report")
    report.add_argument("directory", type=Path)
    report.set_defaults(handler=report_study)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def run_study(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from council.bench.grading import Grader
    from council.bench.heap import settle_for_many_problems
    from council.cli.progress import RichProgress
    from council.studies.runner import StudyRunner

    console = Console(stderr=True, highlight=False)
    settle_for_many_problems()
    with Grader() as grader:
        runner = StudyRunner(
            args.file,
            out=args.out,
            grader=grader,
            progress=lambda: RichProgress(console),
            concurrency=args.concurrency,
            say=lambda text: console.print(text, markup=False, soft_wrap=True),
        )
        state = await runner.run()
        errors = 0
        if not args.no_report:
            report = await _write(runner.directory, grader, console)
            errors = sum(arm.figures.errors for arm in report.arms)
    if state.status == "budget":
        console.print(
            f"error: the study's budget stopped it: {state.reason}; what finished is kept in "
            f"{runner.directory}; raise budget: in {args.file} and run the same command",
            markup=False,
            soft_wrap=True,
        )
        return EXIT_BUDGET
    console.print(f"study {state.status}: {runner.directory}", markup=False)
    if errors:
        console.print(
            f"error: {errors} problem run(s) failed (counted wrong; `error` in the arms' "
            "results.jsonl says why); the same command runs them again",
            markup=False,
            soft_wrap=True,
        )
        return EXIT_PROBLEM_ERRORS
    return 0


async def _write(directory: Path, grader: Any, console: Any) -> StudyReport:
    from council.studies.render import write_report
    from council.studies.report import build_report

    report = await build_report(directory, grader)
    for path in write_report(report, directory):
        console.print(f"wrote {path}", markup=False, soft_wrap=True)
    return report


def report_study(args: argparse.Namespace) -> int:
    from rich.console import Console

    from council.bench.grading import Grader

    console = Console(stderr=True, highlight=False)
    with Grader() as grader:
        asyncio.run(_write(args.directory, grader, console))
    return 0


def plan_study_cmd(args: argparse.Namespace) -> int:
    from council.studies.plan import plan_study
    from council.studies.runner import study_directory
    from council.studies.study_file import load_study

    study = load_study(args.file)
    directory = study_directory(study, args.file, args.out)
    plan = plan_study(study, directory, args.file.parent.resolve())
    for arm in plan.arms:
        if arm.cascade is not None:
            how = (
                f"read from {arm.cascade.greedy_arm}'s answers and pool {arm.pool}'s samples "
                f"(cascade, {arm.cascade.samples} ballots, {arm.cascade.first_samples} to agree)"
            )
            if arm.cascade.stage_arm is not None:
                how += (
                    f", then {arm.cascade.stage_arm}'s answers where the vote share is below "
                    f"{arm.cascade.threshold:g} (final stage {arm.cascade.final_stage})"
                )
        elif arm.pool is not None:
            how = f"read from pool {arm.pool}: its first {arm.k} samples"
        else:
            how = "runs: " + ", ".join(str(run.directory) for run in arm.runs)
        print(f"{arm.name}: {how}")
    for pool in plan.pools:
        ks = ", ".join(map(str, pool.declared_k)) or "none"
        print(
            f"pool {pool.key}: {pool.protocol} in {pool.directory} (arms' k: {ks}; "
            f"N set by pool: samples: {study.pool.samples})"
        )
    return 0
