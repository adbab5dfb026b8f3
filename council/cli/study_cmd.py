"""`council study run FILE`: run every arm of a study, resumably; `council study report
DIR`: write its report (Markdown, HTML, JSON and a plot).

Exit codes: 0 the study finished (or stopped because every comparison was decided);
1 it could not start or stopped on an error (one `error:` line says what to fix; what
finished is kept and the same command resumes); 3 it finished but some problems errored
(counted wrong; the same command runs them again); 4 a budget was reached (raise it in the
study file and run the same command to continue).

`council study check-against-bench DIR`: each arm's figures against a separate `council
bench` run of it on the same rows (run now, or read with `--run ARM=DIR`), side by side;
exit 5 if some arm is not equal (or could not be compared).

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from council.command_line import EXIT_BUDGET, EXIT_PROBLEM_ERRORS

if TYPE_CHECKING:
    from council.studies.report import StudyReport

EXIT_NOT_EQUAL = 5


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "study", help="run many arms over one data set from a study file, and report"
    )
    commands = parser.add_subparsers(
        dest="study_command", metavar="{run,plan,report,check-against-bench}"
    )
    run = commands.add_parser("run", help="run (or resume) every arm of a study file")
    run.add_argument("file", type=Path, help="the study file (YAML)")
    run.add_argument("--out", type=Path, default=None, help="study directory (default: out:)")
    run.add_argument("--concurrency", type=int, default=None, help="problems at once per run")
    run.add_argument("--no-report", action="store_true", help="do not write the report at the end")
    run.set_defaults(handler=run_study)
    plan = commands.add_parser(
        "plan",
        help="check the file, the data and every gold, and show how each arm will run (its "
        "own run, or read from a pool); no calls, writes nothing",
    )
    plan.add_argument("file", type=Path, help="the study file (YAML)")
    plan.add_argument("--out", type=Path, default=None, help="study directory (default: out:)")
    plan.set_defaults(handler=plan_study_cmd)
    report = commands.add_parser("report", help="write a study directory's report")
    report.add_argument("directory", type=Path)
    report.set_defaults(handler=report_study)
    check = commands.add_parser(
        "check-against-bench",
        help="the study's per-arm figures against separate `council bench` runs of the same "
        "arms on the same rows, side by side",
    )
    check.add_argument("directory", type=Path, help="the study directory")
    check.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where the bench runs go (default: DIRECTORY/bench-check; resumable)",
    )
    check.add_argument(
        "--run",
        action="append",
        default=[],
        metavar="ARM=DIR",
        help="read this bench run for ARM instead of running one (repeatable)",
    )
    check.add_argument("--arms", default=None, help="only these arms (comma-separated)")
    check.add_argument(
        "--dry-run", action="store_true", help="show each arm's council bench command; run none"
    )
    check.set_defaults(handler=check_against_bench_cmd)
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
    """Everything `run` checks before its first call, so a mistake shows before hours are
    committed: the file, the data and its split (against a recorded one), the grader on
    every gold; then how each arm will run. Writes nothing."""
    from council.bench.grading import Grader
    from council.errors import ConfigError
    from council.studies.grader_check import check_golds, refuse_failures
    from council.studies.plan import plan_study
    from council.studies.runner import study_directory, study_problems
    from council.studies.study_file import load_study

    study = load_study(args.file)
    directory = study_directory(study, args.file, args.out)
    base = args.file.parent.resolve()
    plan = plan_study(study, directory, base)
    _, problems = study_problems(study, base, directory, record=False)
    if not problems:
        raise ConfigError("the study's data selects no problems")
    with Grader() as grader:
        refuse_failures(asyncio.run(check_golds(problems, grader, study.data.exclude)))
    excluded = f", {len(study.data.exclude)} excluded" if study.data.exclude else ""
    print(f"data: {len(problems)} problems{excluded}; every gold grades equal to itself")
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
        elif arm.prefix is not None:
            how = f"read from {arm.prefix.source_arm}'s first {arm.prefix.rounds} round(s)"
        else:
            how = "runs: " + ", ".join(str(run.directory) for run in arm.runs)
            how += stage_hint(arm.runs[0].spec, study.arm(arm.name))
        print(f"{arm.name}: {how}")
    for pool in plan.pools:
        ks = ", ".join(map(str, pool.declared_k)) or "none"
        print(
            f"pool {pool.key}: {pool.protocol} in {pool.directory} (arms' k: {ks}; "
            f"N set by pool: samples: {study.pool.samples})"
        )
    return 0


def check_against_bench_cmd(args: argparse.Namespace) -> int:
    """Exit 0: every compared arm equal; 5: some arm differs or could not be compared."""
    from council.bench.grading import Grader
    from council.errors import ConfigError
    from council.studies.bench_check import check_against_bench, table

    given: dict[str, Path] = {}
    for item in args.run:
        arm, sep, path = item.partition("=")
        if not sep or not arm or not path:
            raise ConfigError(f"--run {item!r}: give ARM=DIR")
        given[arm] = Path(path)
    arms = [a.strip() for a in args.arms.split(",") if a.strip()] if args.arms else None
    out = args.out or args.directory / "bench-check"
    with Grader() as grader:
        checks = asyncio.run(
            check_against_bench(
                args.directory,
                grader,
                out,
                given=given,
                arms=arms,
                dry_run=args.dry_run,
                say=lambda text: print(text, file=sys.stderr, flush=True),
            )
        )
    print(table(checks))
    (out / "check.json").write_text(
        json.dumps([c.model_dump(mode="json") for c in checks], indent=2)
    )
    if args.dry_run:
        return 0
    return 0 if all(c.equal for c in checks) else EXIT_NOT_EQUAL


def stage_hint(spec: Any, arm: Any) -> str:
    """Why a pooled cascade with a final stage runs for real, and what arm would let it be
    read from recorded calls instead."""
    if arm.protocol != "cascade" or not arm.pooled or arm.repeat != 1:
        return ""
    resolved = spec.resolved_options()
    if resolved.final_stage == "none":
        return ""
    seed = resolved.settings.seed
    at = f", settings: {{seed: {seed + resolved.samples}}}" if seed is not None else ""
    shape = "" if resolved.final_stage == "tir" else ", options: {agents: 3, rounds: 2}"
    return (
        f" (no arm makes its final stage's calls; an arm {{protocol: {resolved.final_stage}"
        f"{shape}{at}}} on the same model and decoding, beside a single arm, would let it be "
        "read from recorded calls)"
    )
