"""`council study run`: every arm, resumably, on `council.bench`'s runs.

Each arm (and each repeat) is one bench run directory under `arms/`, each pool one under
`pools/`, so every guarantee of `council bench` holds for each of them: a problem is
written (fsynced) when it finishes, a kill -9 loses only problems in flight, and running
the same command again skips what is done and refuses a changed configuration. The
study's own state (`study-state.json`) is written whole and says which batch it is on.

Order: the split, drawn and recorded (or checked against its record); the grader check;
then, batch by batch (one batch without `sequential:`), every arm in the file's order, then
each pool, sized once (`pool-plan.json`) from the arms' measured tokens; a budget stops
before the next problem; with `sequential:`, after each batch the comparisons are checked
and the study stops once all are decided.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from council.bench.budget import BudgetGate, GatedProblems
from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.problem_set import ProblemSet
from council.bench.progress import NoProgress, ProgressView
from council.bench.session import BenchSession
from council.errors import ConfigError
from council.models.roles import RoleModels
from council.run_log.config import DatasetSpec, check_or_save_config
from council.run_log.manifest import record_session
from council.run_log.summary import summarise_run
from council.studies.grader_check import check_golds, refuse_failures
from council.studies.plan import BASELINE_POOL, PoolPlan, RunPlan, StudyPlan, plan_study
from council.studies.report import build_report
from council.studies.split import record_or_check, rows_spec, select
from council.studies.state import PoolSize, Status, StudyState
from council.studies.study_file import StudyFile, load_study

POOL_PLAN_FILE = "pool-plan.json"
ProgressFactory = Callable[[], ProgressView]


def out_directory(declared: str | None, file: Path, out: Path | None) -> Path:
    """Where a study (or search) file's runs go: `--out`, else its `out:` read relative to
    the file."""
    if out is not None:
        return out
    if declared is None:
        raise ConfigError(f"{file} names no out: directory; pass --out DIR")
    path = Path(declared).expanduser()
    return path if path.is_absolute() else file.parent / path


def study_directory(study: StudyFile, study_path: Path, out: Path | None) -> Path:
    return out_directory(study.out, study_path, out)


def study_problems(
    study: StudyFile, base: Path, directory: Path, *, record: bool = True
) -> tuple[DatasetSpec, list[Problem]]:
    """The data every arm reads and the study's problems (excluded ones left out). With a
    `split:`, the split is drawn from every row, recorded in `directory` (or checked
    against the record), and the arms read the recorded rows (`limit` then caps them).
    `record=False` (a plan) checks against a record but writes none; its spec is then the
    source's, and the problems are the ones the recorded rows would hold."""
    spec = study.data.spec(base)
    excluded = set(study.data.exclude)
    if study.data.split is not None:
        every = list(ProblemSet(spec.model_copy(update={"limit": None})))
        chosen = select(study.data.split, every)
        record_or_check(directory, study.data.split, spec, len(every), chosen, write=record)
        if not record:
            return spec, [p for p in chosen[: study.data.limit] if p.id not in excluded]
        spec = rows_spec(directory).model_copy(update={"limit": study.data.limit})
    return spec, [p for p in ProblemSet(spec) if p.id not in excluded]


class StudyRunner:
    """`models` replaces every model (tests pass scripted ones)."""

    def __init__(
        self,
        study_path: Path,
        *,
        out: Path | None = None,
        grader: Grader,
        models: RoleModels | None = None,
        progress: ProgressFactory = NoProgress,
        concurrency: int | None = None,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.study = load_study(study_path)
        self.base = study_path.parent.resolve()
        self.directory = study_directory(self.study, study_path, out)
        self.grader = grader
        self.models = models
        self.progress = progress
        self.concurrency = concurrency or self.study.concurrency
        self.say = say
        self.plan: StudyPlan = plan_study(self.study, self.directory, self.base)
        self.gate = BudgetGate(self.study.budget)
        self.arm_gates = {
            arm.name: BudgetGate(arm.budget) for arm in self.study.arms if arm.budget is not None
        }

    async def run(self) -> StudyState:
        spec, problems = study_problems(self.study, self.base, self.directory)
        if not problems:
            raise ConfigError("the study's data selects no problems")
        state = StudyState.load(self.directory) or StudyState(study=self.study, base=str(self.base))
        state = state.model_copy(update={"study": self.study, "base": str(self.base)})
        check = await check_golds(problems, self.grader, self.study.data.exclude)
        state.grader_check = check
        state.total = len(problems)
        state.save(self.directory)
        refuse_failures(check)
        for run_dir in self._all_run_dirs():
            self.gate.count_run(run_dir)
        for run in self.plan.runs():
            if run.arm in self.arm_gates:
                self.arm_gates[run.arm].count_run(run.directory)
        limits = self._limits(len(problems))
        state.status, state.reason = "running", ""
        for limit in limits:
            batch = problems[:limit]
            state.problem_ids = [p.id for p in batch]
            state.limit = limit
            state.save(self.directory)
            data = spec.model_copy(update={"limit": self._row_limit(spec, limit, problems)})
            for run in self.plan.runs():
                await self._run(run, batch, data)
                if self.gate.reached:
                    return self._stop(state, "budget", self.gate.reached)
            for pool in self.plan.pools:
                size = await self._pool_size(pool, batch, data, state)
                await self._run(pool.run(size), batch, data)
                if self.gate.reached:
                    return self._stop(state, "budget", self.gate.reached)
            if self.study.sequential is not None and limit < len(problems):
                report = await build_report(self.directory, self.grader)
                if report.all_decided:
                    return self._stop(
                        state, "decided", f"every comparison decided after {limit} problems"
                    )
                self.say(f"after {limit} problems: not every comparison is decided; next batch")
        reached = [f"arm {name}: {g.reached}" for name, g in self.arm_gates.items() if g.reached]
        if reached:
            return self._stop(state, "budget", "; ".join(reached))
        return self._stop(state, "done", "")

    def _stop(self, state: StudyState, status: Status, reason: str) -> StudyState:
        state.status, state.reason = status, reason
        state.save(self.directory)
        return state

    def _limits(self, total: int) -> list[int]:
        sequential = self.study.sequential
        if sequential is None:
            return [total]
        return sorted(
            {
                min(total, step)
                for step in range(sequential.batch, total + sequential.batch, sequential.batch)
            }
        )

    @staticmethod
    def _row_limit(spec: DatasetSpec, limit: int, problems: list[Problem]) -> int | None:
        """The data spec's limit a batch records (rows, excluded ones included)."""
        if spec.limit is None and limit == len(problems):
            return None
        row = problems[limit - 1].metadata.get("row")
        return int(row) + 1 if isinstance(row, int) and not spec.shuffle else limit

    def _all_run_dirs(self) -> list[Path]:
        dirs = [run.directory for run in self.plan.runs()]
        for pool in self.plan.pools:
            dirs += [pool.directory, pool.directory.with_name(pool.directory.name + "-pilot")]
        return dirs

    async def _run(self, run: RunPlan, problems: list[Problem], data: DatasetSpec) -> None:
        spec = run.spec
        session = BenchSession(
            spec.config, spec.options, model_given=spec.model_given, models=self.models
        )
        runner = session.runner(spec.graph)
        config = session.run_config(spec.graph, data, runner, memory=False)
        check_or_save_config(run.directory, config)
        record_session(run.directory, config, runner, problems)
        self.say(f"{run.label}: {run.directory}")
        gates = [self.gate] + ([self.arm_gates[run.arm]] if run.arm in self.arm_gates else [])
        gated = GatedProblems(problems, gates)
        await session.run(
            runner,
            gated,
            run.directory,
            grader=self.grader,
            concurrency=self.concurrency,
            progress=self.progress(),
            label=run.label,
            spec=session.remote_spec(spec.graph),
            on_result=gated.observe,
        )

    async def _pool_size(
        self, pool: PoolPlan, problems: list[Problem], data: DatasetSpec, state: StudyState
    ) -> int:
        """N, decided once and kept in `pool-plan.json` (a resume keeps it)."""
        path = pool.directory / POOL_PLAN_FILE
        if path.exists():
            size = PoolSize.model_validate_json(path.read_text())
            state.pools[pool.key] = size
            return size.samples
        declared = max(pool.declared_k, default=1)
        setting = self.study.pool.samples
        if setting != "auto":
            size = PoolSize(samples=max(setting, declared), reason="declared in the study file")
        elif pool.protocol != BASELINE_POOL or self.study.compute.match == "none":
            size = PoolSize(samples=declared, reason="the largest k of the arms it serves")
        else:
            size = await self._baseline_size(pool, problems, data, declared)
        pool.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")  # whole or absent, even on a kill
        partial.write_text(size.model_dump_json(indent=2))
        partial.replace(path)
        state.pools[pool.key] = size
        state.save(self.directory)
        return size.samples

    async def _baseline_size(
        self, pool: PoolPlan, problems: list[Problem], data: DatasetSpec, declared: int
    ) -> PoolSize:
        """Enough samples that k samples reach the most expensive arm's tokens per problem
        (or the declared budget): one sample's tokens come from a pilot (k = 1 on the first
        problems, the pool's own prompt and decoding)."""
        if self.study.compute.match == "budget":
            target = float(self.study.compute.tokens_per_problem or 0.0)
            where = "the declared budget"
        else:
            measured = [summarise_run(run.directory).tokens_per_problem for run in self.plan.runs()]
            target = max(measured, default=0.0)
            where = "the most expensive arm's measured tokens per problem"
        pilot_dir = pool.directory.with_name(pool.directory.name + "-pilot")
        pilot = RunPlan(
            label=f"pool {pool.key} pilot (one sample)",
            directory=pilot_dir,
            spec=pool.spec.with_options(pool.spec.options.model_copy(update={"samples": 1})),
        )
        first = problems[: self.study.pool.pilot_problems]
        await self._run(pilot, first, data.model_copy(update={"limit": len(first)}))
        per_sample = max(summarise_run(pilot_dir).tokens_per_problem, 1.0)
        needed = math.ceil(target / per_sample)
        cap = self.study.pool.max_samples
        samples = max(declared, min(cap, needed), 1)
        return PoolSize(
            samples=samples,
            reason=(
                f"{where} {target:.0f} / {per_sample:.0f} tokens per sample (pilot on "
                f"{len(first)} problems) = {needed}"
                + (f", capped at max_samples {cap}" if needed > cap else "")
                + (f"; at least the arms' k {declared}" if declared > needed else "")
            ),
        )
