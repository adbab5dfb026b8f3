"""`council study check-against-bench DIR`: the study's per-arm figures against separate
`council bench` runs of the same arms on the same rows, side by side.

Each arm (read from a pool, or run in the study) is written as the `council bench` command
line a user would type for it: its protocol and options as flags, its model, server and
decoding as flags, and the study's problems (in the study's order, with their ids and
golds) as a rows file, `rows.jsonl`. The command runs in a child process, into its own run
directory (resumable like any bench run), or a run made before is read (`--run ARM=DIR`).
An arm that no command line can express (a graph file, a role on a model no flag names,
decoding without a flag) is reported as such, not run. Equal means: the same problems,
the same number right, the same tokens per problem, and the same problems right.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, computed_field

from council.bench.grading import Grader
from council.config import ROLES
from council.errors import ConfigError
from council.protocols.run_spec import RunSpec
from council.run_log.summary import summarise_run
from council.studies.outcomes import run_results
from council.studies.plan import StudyPlan, arm_spec, plan_study
from council.studies.report import ArmReport, build_report
from council.studies.runner import study_problems
from council.studies.state import StudyState

ROWS_FILE = "rows.jsonl"
OPTION_FLAGS = {
    "agents": "--agents",
    "rounds": "--rounds",
    "samples": "--samples",
    "max_executions": "--max-executions",
    "scorer": "--scorer",
    "first_samples": "--first-samples",
    "threshold": "--threshold",
    "final_stage": "--final-stage",
}
SETTING_FLAGS = {
    "temperature": "--temperature",
    "max_tokens": "--max-tokens",
    "seed": "--seed",
    "timeout_seconds": "--timeout",
    "max_retry_wait_seconds": "--max-retry-wait",
    "requests_per_minute": "--rpm",
    "tokens_per_minute": "--tpm",
}


class ArmCheck(BaseModel):
    arm: str
    command: list[str] = []
    run_dir: str = ""
    skipped: str = ""
    """Why no bench run is compared (empty: one is)."""
    study_problems: int = 0
    study_correct: int = 0
    study_accuracy: float = 0.0
    study_tokens_per_problem: float = 0.0
    bench_problems: int = 0
    bench_correct: int = 0
    bench_accuracy: float = 0.0
    bench_tokens_per_problem: float = 0.0
    differing_problems: list[str] = []
    """Problems right in one and not the other (or in only one of them)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def equal(self) -> bool:
        return (
            not self.skipped
            and (self.study_problems, self.study_correct)
            == (self.bench_problems, self.bench_correct)
            and self.study_tokens_per_problem == self.bench_tokens_per_problem
            and not self.differing_problems
        )


def bench_command(spec: RunSpec, rows: Path, out: Path, concurrency: int) -> list[str]:
    """The `council bench` command line of one arm; a `ConfigError` says why there is none."""
    if spec.definition() is None:
        raise ConfigError(f"a graph file ({spec.graph}) is run with --graph; not checked here")
    command = [sys.executable, "-m", "council.main", "bench", "--dataset", str(rows)]
    command += ["--format", "jsonl", "--question-field", "question"]
    command += ["--answer-field", "answer", "--id-field", "id", "--protocol", spec.graph]
    options = spec.options
    for name in sorted(options.given()):
        value = getattr(options, name)
        if name == "early_stop":
            if value:
                command.append("--early-stop")
            continue
        if name not in OPTION_FLAGS:
            raise ConfigError(f"option {name} has no council bench flag")
        command += [OPTION_FLAGS[name], str(value)]
    settings = options.settings
    for name in sorted(settings.model_fields_set):
        if name not in SETTING_FLAGS:
            raise ConfigError(f"decoding {name} has no council bench flag")
        command += [SETTING_FLAGS[name], str(getattr(settings, name))]
    model = spec.config.model
    if spec.model_given:
        command += ["--model", model.name]
    if model.api_base is not None:
        command += ["--api-base", model.api_base]
    if model.price is not None:
        price = model.price
        command += ["--price", f"{price.input_per_million:g},{price.output_per_million:g}"]
    if model.context_tokens is not None:
        command += ["--context", str(model.context_tokens)]
    shared = (model.api_base, model.price, model.context_tokens)
    for role, other in sorted(spec.config.role_models.items()):
        if role not in ROLES or (other.api_base, other.price, other.context_tokens) != shared:
            raise ConfigError(f"role {role} on {other.name} has no council bench flag")
        command += [f"--{role}-model", other.name]
    return [*command, "--concurrency", str(concurrency), "--out", str(out)]


def write_rows(state: StudyState, directory: Path, out: Path) -> Path:
    """The study's problems, in its order, as a rows file any `council bench` reads."""
    _, problems = study_problems(state.study, Path(state.base), directory)
    by_id = {p.id: p for p in problems}
    out.mkdir(parents=True, exist_ok=True)
    rows = out / ROWS_FILE
    rows.write_text(
        "".join(
            json.dumps({"id": i, "question": by_id[i].question, "answer": by_id[i].gold}) + "\n"
            for i in state.problem_ids
        )
    )
    return rows


def compare(arm: ArmReport, run_dir: Path, check: ArmCheck) -> ArmCheck:
    """The study's figures and a bench run's, side by side (read through the run's own
    summary and results)."""
    summary = summarise_run(run_dir)
    bench = run_results(run_dir)
    study = {r.problem_id: r for r in arm.results}
    differing = sorted(
        i
        for i in set(study) | set(bench)
        if i not in study or i not in bench or study[i].correct != bench[i].correct
    )
    return check.model_copy(
        update={
            "run_dir": str(run_dir),
            "study_problems": arm.figures.problems,
            "study_correct": arm.figures.correct,
            "study_accuracy": arm.figures.accuracy,
            "study_tokens_per_problem": arm.figures.tokens_per_problem,
            "bench_problems": summary.problems,
            "bench_correct": summary.correct,
            "bench_accuracy": summary.accuracy,
            "bench_tokens_per_problem": summary.tokens_per_problem,
            "differing_problems": differing,
        }
    )


async def check_against_bench(
    directory: Path,
    grader: Grader,
    out: Path,
    *,
    given: dict[str, Path],
    arms: list[str] | None = None,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda _: None,
) -> list[ArmCheck]:
    """Every arm (or `arms`) of the study in `directory` against a bench run: the one
    `given` for it, else one run now into `out/ARM` (a child process; `dry_run`: only the
    command is shown)."""
    state = StudyState.load(directory)
    if state is None:
        raise ConfigError(f"{directory} is not a study directory (no study-state.json)")
    base = Path(state.base)
    plan: StudyPlan = plan_study(state.study, directory, base)
    names = arms or [arm.name for arm in plan.arms]
    unknown = [n for n in names if n not in {a.name for a in plan.arms}]
    if unknown:
        raise ConfigError(f"no arm {', '.join(unknown)} in {directory}")
    report = await build_report(directory, grader)
    reports = {arm.name: arm for arm in report.arms}
    rows = write_rows(state, directory, out)
    checks: list[ArmCheck] = []
    for name in names:
        check = ArmCheck(arm=name)
        if name in given:
            checks.append(compare(reports[name], given[name], check))
            continue
        try:
            spec = arm_spec(state.study, state.study.arm(name), base)
            command = bench_command(spec, rows, out / name, state.study.concurrency)
        except ConfigError as exc:
            checks.append(check.model_copy(update={"skipped": str(exc)}))
            continue
        check = check.model_copy(update={"command": command})
        say(f"{name}: {shlex.join(command)}")
        if dry_run:
            checks.append(check.model_copy(update={"skipped": "dry run"}))
            continue
        finished = subprocess.run(command, check=False)
        if finished.returncode not in (0, 3):  # 3: some problems errored (counted wrong)
            checks.append(
                check.model_copy(update={"skipped": f"council bench exited {finished.returncode}"})
            )
            continue
        checks.append(compare(reports[name], out / name, check))
    return checks


def table(checks: list[ArmCheck]) -> str:
    """The side-by-side figures, one line an arm."""
    lines = [
        "arm | study correct/problems (accuracy) | bench correct/problems (accuracy) | "
        "study tokens/problem | bench tokens/problem | problems graded differently | equal"
    ]
    for c in checks:
        if c.skipped:
            lines.append(f"{c.arm} | not compared: {c.skipped}")
            continue
        lines.append(
            f"{c.arm} | {c.study_correct}/{c.study_problems} ({c.study_accuracy:.1%}) | "
            f"{c.bench_correct}/{c.bench_problems} ({c.bench_accuracy:.1%}) | "
            f"{c.study_tokens_per_problem:.1f} | {c.bench_tokens_per_problem:.1f} | "
            f"{', '.join(c.differing_problems) or 'none'} | "
            f"{'equal' if c.equal else 'not equal'}"
        )
    return "\n".join(lines)
