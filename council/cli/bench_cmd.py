"""`council bench`: run a protocol over a data set; `council bench report A B`: compare.

Exit codes: 0 every problem was graded; 1 the run could not start or stopped early (one
`error:` line says what to fix; what finished is kept and the same command resumes);
3 the run finished but some problems errored (re-running the same command retries them);
4 its budget (--budget-tokens, --budget-usd) stopped it (raise it and run the same command).

Start-up: the handlers import what they need when they run, so `council --help` stays fast
(measured in `council.main`'s docstring).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from council.command_line import (
    EXIT_BUDGET,
    EXIT_PROBLEM_ERRORS,
    add_model_options,
    add_protocol_options,
    add_tool_options,
    council_config_from_args,
    protocol_values,
    validated,
)
from council.errors import ConfigError
from council.processes import usable_cpus


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench", help="run protocols over benchmark data sets; `bench report` compares runs"
    )
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", help="gsm8k, math500, or a .jsonl path")
    data.add_argument("--format", choices=["auto", "gsm8k", "math", "jsonl"], default="auto")
    data.add_argument("--question-field", default=None, help="field(s) with the question")
    data.add_argument("--answer-field", default=None, help="field with the gold answer")
    data.add_argument("--id-field", default=None)
    data.add_argument("--limit", type=int, default=None)
    data.add_argument("--shuffle", action="store_true")
    run = parser.add_argument_group("protocol")
    run.add_argument(
        "--protocol",
        "--graph",
        dest="protocol",
        default="single",
        help="single, self-consistency, debate, mad, solve, tir, pot, best-of-n, moa, refine, "
        "tool-planner, cascade, or a config file",
    )
    run.add_argument(
        "--baseline", action="store_true", help="also run self-consistency at the same token budget"
    )
    run.add_argument(
        "--memory", action="store_true", help="carry memory from problem to problem, in order"
    )
    run.add_argument(
        "--budget-tokens",
        type=int,
        default=None,
        metavar="N",
        help="stop starting problems once the run has spent N tokens (earlier sessions "
        "count); exit 4, and the same command with a larger budget resumes",
    )
    run.add_argument(
        "--budget-usd",
        type=float,
        default=None,
        metavar="USD",
        help="the same for cost (needs priced calls: a hosted model, or --price)",
    )
    out = parser.add_argument_group("run")
    out.add_argument("--out", type=Path, default=None, help="run directory (resumable)")
    out.add_argument("--concurrency", type=int, default=4)
    out.add_argument("--cache", type=Path, default=None, help="SQLite response cache")
    out.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes here, each with its own event loop (default: the usable CPUs; "
        "1 runs in this process); with --executor ray, Ray actors (default: the cluster's CPUs)",
    )
    out.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="where problems run: this machine, or a Ray cluster (needs council-reasoning[ray])",
    )
    out.add_argument(
        "--ray-address", default=None, help="Ray cluster (default: RAY_ADDRESS, else a local one)"
    )
    out.add_argument(
        "--ray-runtime-env",
        default=None,
        help='Ray runtime env as JSON, e.g. \'{"working_dir": "."}\' for a cluster without council',
    )
    add_protocol_options(run)
    add_model_options(parser)
    add_tool_options(parser)
    parser.set_defaults(handler=run_bench)
    commands = parser.add_subparsers(dest="bench_command", metavar="{report,regrade,revote}")
    report = commands.add_parser("report", help="compare finished runs side by side")
    report.add_argument("runs", nargs="+", type=Path)
    report.add_argument(
        "--png",
        type=Path,
        default=None,
        help="plot path (default: accuracy_vs_tokens.png beside the first run)",
    )
    report.add_argument(
        "--at-k",
        action="store_true",
        help="maj@k, pass@k and pick@k for every k <= N from each run's own samples (no model "
        "calls); writes at_k.json and accuracy_at_k.png",
    )
    report.set_defaults(handler=report_runs)
    regrade = commands.add_parser(
        "regrade", help="grade a run's recorded answers again with the current grader"
    )
    regrade.add_argument("run", type=Path)
    regrade.set_defaults(handler=regrade_run)
    revote = commands.add_parser(
        "revote", help="aggregate a run's recorded turns by another rule (no model calls)"
    )
    revote.add_argument("run", type=Path)
    revote.add_argument(
        "--rule",
        choices=["majority", "judge", "first-round"],
        default="majority",
        help="majority vote by equivalence, the judge's/moderator's decision, or round 1's vote",
    )
    revote.add_argument(
        "--round", type=int, default=None, help="round of the majority vote (default: the last)"
    )
    revote.set_defaults(handler=revote_run)


def run_bench(args: argparse.Namespace) -> int:
    if not args.dataset or not args.out:
        raise ConfigError("council bench needs --dataset and --out (e.g. --out runs/debate)")
    return asyncio.run(_bench(args))


async def _bench(args: argparse.Namespace) -> int:
    from rich.console import Console

    from council.bench.budget import Budget, BudgetGate, GatedProblems
    from council.bench.executors.base import Placement
    from council.bench.grading import Grader
    from council.bench.heap import settle_for_many_problems
    from council.bench.problem_set import ProblemSet
    from council.bench.runner import BenchOptions
    from council.bench.session import BenchSession
    from council.cli.progress import RichProgress
    from council.config import CouncilConfig
    from council.protocols.options import ProtocolOptions
    from council.protocols.run_spec import RunSpec
    from council.run_log.config import DatasetSpec, check_or_save_config
    from council.run_log.manifest import record_session
    from council.run_log.sessions import Reach
    from council.run_log.summary import describe

    console = Console(stderr=True, highlight=False)
    config = council_config_from_args(args)
    assert isinstance(config, CouncilConfig)
    given = protocol_values(args)
    options = validated(ProtocolOptions, **given, settings=config.model.settings)
    RunSpec(graph=args.protocol, options=options).check()  # an ignored option is refused
    concurrency = validated(BenchOptions, concurrency=args.concurrency).concurrency
    spec = validated(
        DatasetSpec,
        source=args.dataset,
        format=args.format,
        question_field=args.question_field,
        answer_field=args.answer_field,
        id_field=args.id_field,
        limit=args.limit,
        shuffle=args.shuffle,
        seed=args.seed or 0,
    )  # --seed drives the shuffle and decoding
    problems = ProblemSet(spec)  # read as the run goes, never held whole
    budget = validated(Budget, max_tokens=args.budget_tokens, max_cost_usd=args.budget_usd)
    if args.baseline and budget != Budget():
        raise ConfigError(
            "--budget-tokens/--budget-usd gate the run's own problems, not --baseline's runs: "
            "run the baseline without a budget, or a study (council study) with one"
        )
    placement = validated(Placement, **placement_values(args))
    if placement.executor == "ray":
        from council.bench.executors.ray import require_ray

        require_ray()  # before anything is written
    session = BenchSession(
        config, options, cache=args.cache, model_given=bool(args.model), placement=placement
    )
    runner = session.runner(args.protocol)
    settle_for_many_problems()
    run_config = session.run_config(args.protocol, spec, runner, memory=args.memory)
    resuming = check_or_save_config(args.out, run_config)
    reach = Reach(
        models=run_config.models,
        api_key_given=bool(args.api_key),
        concurrency=concurrency,
        workers=placement.workers,
        executor=placement.executor,
    )
    record_session(args.out, run_config, runner, problems, reach)
    if resuming:
        console.print(f"[dim]resuming {args.out}[/]")
    gate = BudgetGate(budget)
    gate.count_run(args.out)  # what earlier sessions spent
    gated = GatedProblems(problems, [gate])
    with Grader() as grader:
        summary = await session.run(
            runner,
            gated,
            args.out,
            grader=grader,
            concurrency=concurrency,
            memory=args.memory,
            progress=RichProgress(console),
            label=args.protocol,
            spec=session.remote_spec(args.protocol),
            on_result=gated.observe,
        )
        errors = summary.errors
        if args.baseline:
            baseline = await session.run_baseline(
                summary,
                problems,
                spec,
                args.out,
                grader=grader,
                concurrency=concurrency,
                progress=RichProgress(console),
            )
            console.print(
                f"baseline self-consistency (k={baseline.samples}, "
                f"{baseline.plan.tokens_per_sample:.0f} tokens/sample): "
                f"{describe(baseline.summary)}",
                markup=False,
                soft_wrap=True,
            )
            errors += baseline.summary.errors
    print(summary.model_dump_json(indent=2))
    console.print(describe(summary), markup=False, soft_wrap=True)
    if gate.reached is not None:
        console.print(
            f"error: the run's budget stopped it: {gate.reached}; {summary.problems} problems "
            f"are kept in {args.out}; raise --budget-tokens/--budget-usd and run the same "
            "command",
            markup=False,
            soft_wrap=True,
        )
        return EXIT_BUDGET
    if errors:
        console.print(
            f"error: {errors} problem{'' if errors == 1 else 's'} failed (see `error` in "
            f"{args.out / 'results.jsonl'}); the same command runs them again",
            markup=False,
            soft_wrap=True,
        )
        return EXIT_PROBLEM_ERRORS
    return 0


def placement_values(args: argparse.Namespace) -> dict[str, Any]:
    """--workers defaults to the usable CPUs here; on Ray, to the cluster's (decided there)."""
    values: dict[str, Any] = {"executor": args.executor, "ray_address": args.ray_address}
    if args.workers is not None:
        values["workers"] = args.workers
    elif args.executor == "local":
        values["workers"] = usable_cpus()
    else:
        values["workers"] = 0  # unset: the cluster's CPUs
    if args.ray_runtime_env:
        try:
            values["ray_runtime_env"] = json.loads(args.ray_runtime_env)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--ray-runtime-env is not JSON: {exc}") from exc
    return values


def report_at_k(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from council.bench.at_k import at_k, plot_at_k
    from council.bench.grading import Grader

    with Grader() as grader:
        reports = [asyncio.run(at_k(run, grader)) for run in args.runs]
    console = Console(highlight=False)
    for report in reports:
        table = Table(title=f"{report.run}: {report.problems} problems, N = {report.samples}")
        columns = ("k", "maj@k", "pass@k", "tokens/problem", "pick@k", "pick tokens/problem")
        for column in columns:
            table.add_column(column)
        for row in report.rows:
            scored = row.pick is not None and row.pick_tokens_per_problem is not None
            table.add_row(
                str(row.k),
                f"{row.maj:.1%}",
                f"{row.pass_at_k:.1%}",
                f"{row.tokens_per_problem:.0f}",
                f"{row.pick:.1%}" if scored else "—",
                f"{row.pick_tokens_per_problem:.0f}" if scored else "—",
            )
        console.print(table)
    png = args.png or args.runs[0] / "accuracy_at_k.png"
    plot_at_k(reports, png)
    console.print(f"plot: {png}")
    return 0


def regrade_run(args: argparse.Namespace) -> int:
    from council.bench.grading import Grader
    from council.bench.rescore import regrade

    with Grader() as grader:
        done = asyncio.run(regrade(args.run, grader))
    print(done.after.model_dump_json(indent=2))
    print(done.describe(), file=sys.stderr)
    return 0


def revote_run(args: argparse.Namespace) -> int:
    from council.bench.grading import Grader
    from council.bench.revote import VoteRule, revote

    with Grader() as grader:
        done = asyncio.run(revote(args.run, VoteRule(args.rule), grader, args.round))
    print(done.after.model_dump_json(indent=2))
    print(done.describe(), file=sys.stderr)
    return 0


def report_runs(args: argparse.Namespace) -> int:
    if args.at_k:
        return report_at_k(args)
    from rich.console import Console
    from rich.table import Table

    from council.bench.report import load_summary, paired, plot

    summaries = {str(run): load_summary(run) for run in args.runs}
    table = Table(title="council bench report")
    for column in (
        "run",
        "attempted",
        "errors",
        "accuracy (errors wrong)",
        "95% CI",
        "accuracy (graded only)",
        "tokens/problem",
        "s/problem",
        "extract fail",
        "stopped early",
    ):
        table.add_column(column)
    for name, s in summaries.items():
        table.add_row(
            name,
            str(s.problems),
            str(s.errors),
            f"{s.accuracy:.1%}",
            f"{s.ci95_low:.1%}–{s.ci95_high:.1%}",
            f"{s.accuracy_graded:.1%} of {s.graded}",
            s.achieved_vs_target,
            f"{s.seconds_per_problem:.1f}",
            f"{s.extraction_failure_rate:.1%}",
            f"{s.stopped_early_share:.0%}",
        )
    replies = Table(title="replies: truncations and how answers were read")
    for column in ("run", "truncated calls", "problems with one", "answers read by"):
        replies.add_column(column)
    for name, s in summaries.items():
        replies.add_row(
            name,
            f"{s.truncated_calls} of {round(s.calls_per_problem * s.graded)} "
            f"({s.truncated_call_rate:.1%})",
            f"{s.truncated_problems} ({s.truncated_problem_rate:.1%})",
            ", ".join(f"{method} {n}" for method, n in s.extraction_methods.items()) or "–",
        )
    spent = Table(title="usage by role and agent: tokens, cost and time of graded problems' calls")
    for column in ("run", "by", "name", "calls", "tokens", "cost", "seconds"):
        spent.add_column(column)
    for name, s in summaries.items():
        if s.usage is None:
            continue
        for row in s.usage.rows():
            spent.add_row(name, *row)
    console = Console(highlight=False)
    console.print(table)
    console.print(replies)
    console.print(spent)
    first = args.runs[0]
    for other in args.runs[1:]:
        comparison = paired(first, other)
        console.print(
            f"{other} vs {first}: {comparison.accuracy_difference:+.1%} on "
            f"{comparison.shared} shared problems ({comparison.only_second_correct} only "
            f"{other.name} right, {comparison.only_first_correct} only {first.name} right), "
            f"McNemar exact p = {comparison.mcnemar_p:.3f}"
        )
    png = args.png or first / "accuracy_vs_tokens.png"
    plot({Path(n).name: s for n, s in summaries.items()}, png)
    console.print(f"wrote {png}")
    sys.stdout.flush()
    return 0
