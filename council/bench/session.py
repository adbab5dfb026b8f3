"""Wiring for one `council bench` invocation: models (cached if asked), the protocol's
runner, progress display, and the token-matched self-consistency baseline."""

from __future__ import annotations

import itertools
from pathlib import Path

from council.bench.executors.base import Placement
from council.bench.executors.select import open_executor
from council.bench.grading import Grader, grader_version
from council.bench.memory_hook import MemoryHook
from council.bench.problem_set import Problems
from council.bench.progress import NoProgress, ProgressView
from council.bench.runner import ProblemHook, run_benchmark, run_on
from council.config import CouncilConfig
from council.graphs.config import is_graph_file
from council.models.base import ChatModel, ModelWrapper
from council.models.cache import CacheWrapper
from council.models.factory import build_model
from council.models.limiter import ThrottleReport
from council.models.roles import RoleModels
from council.protocols.options import MAX_SAMPLES, ProtocolOptions
from council.protocols.run_spec import RunSpec
from council.run_log.baseline import (
    BaselinePlan,
    BaselineResult,
    baseline_pilot_run,
    baseline_run,
    read_baseline_plan,
    write_baseline_plan,
    write_baseline_result,
)
from council.run_log.config import (
    DatasetSpec,
    ModelRecord,
    RunConfig,
    check_or_save_config,
    data_sha256,
)
from council.run_log.manifest import prompt_hashes
from council.run_log.results import ResultHead, ResultLine
from council.run_log.summary import Summary, TokenBudget, write_budget
from council.run_log.writer import ResultCallback
from council.runner import GraphRunner

PILOT_PROBLEMS = 5


class BenchSession:
    """`models` replaces every model (tests pass scripted ones). Otherwise a built-in
    protocol runs on the config's models; a graph file on its own per-agent models, with
    `--model` (`model_given`) only as the default for agents that name none. A cache wraps
    whatever models are built."""

    def __init__(
        self,
        config: CouncilConfig,
        options: ProtocolOptions,
        *,
        cache: Path | None = None,
        model_given: bool = False,
        models: RoleModels | None = None,
        placement: Placement | None = None,
    ) -> None:
        self.config = config
        self.cache = cache
        self.placement = placement or Placement()
        self.options = options
        self.model_given = model_given
        self.models = models
        self.wrap: ModelWrapper | None = None
        if cache is not None:
            self.wrap = CacheWrapper(cache)

    def spec(self, protocol: str, options: ProtocolOptions | None = None) -> RunSpec:
        return RunSpec(
            graph=protocol,
            config=self.config,
            options=options or self.options,
            cache=self.cache,
            model_given=self.model_given,
        )

    def runner(self, protocol: str, options: ProtocolOptions | None = None) -> GraphRunner:
        return self.spec(protocol, options).build(models=self.models, wrap_model=self.wrap)

    def remote_spec(self, protocol: str, options: ProtocolOptions | None = None) -> RunSpec | None:
        """What a worker rebuilds `runner(protocol, options)` from; None when the models
        were given as objects (they cannot be rebuilt elsewhere)."""
        return None if self.models is not None else self.spec(protocol, options)

    def default_model(self) -> ChatModel:
        """The model the curator (with --memory) runs on."""
        model = self.models.default if self.models is not None else build_model(self.config.model)
        return self.wrap(model) if self.wrap else model

    def run_config(
        self,
        protocol: str,
        dataset: DatasetSpec,
        runner: GraphRunner,
        *,
        memory: bool,
        options: ProtocolOptions | None = None,
    ) -> RunConfig:
        spec = self.spec(protocol, options)
        return RunConfig(
            dataset=dataset,
            protocol=protocol,
            options=spec.resolved_options(),
            card=spec.card(),
            models=self._model_records(protocol, runner),
            tools=self.config.tools,
            sandbox=self.config.sandbox,
            allow_net=[str(entry) for entry in self.config.allow_net],
            memory=memory,
            mcp=list(self.config.mcp),
            data_sha256=data_sha256(dataset.source),
            prompt_hashes=prompt_hashes(runner),
            grader=grader_version(),
        )

    def _model_records(self, protocol: str, runner: GraphRunner) -> list[ModelRecord]:
        if is_graph_file(protocol):  # the file's per-agent models, as built
            return [
                ModelRecord(role=name, name=node.agent.model.name)
                for name, node in sorted(runner.spec.nodes.items())
                if node.agent is not None
            ]
        models = [
            ModelRecord(
                role="default",
                name=self.config.model.name,
                api_base=self.config.model.api_base,
                price=self.config.model.price,
                context_tokens=self.config.model.local_context_tokens,
            )
        ]
        return models + [
            ModelRecord(
                role=role,
                name=spec.name,
                api_base=spec.api_base,
                price=spec.price,
                context_tokens=spec.local_context_tokens,
            )
            for role, spec in sorted(self.config.role_models.items())
        ]

    async def run(
        self,
        runner: GraphRunner,
        problems: Problems,
        run_dir: Path,
        *,
        grader: Grader,
        concurrency: int,
        memory: bool = False,
        progress: ProgressView | None = None,
        label: str = "",
        spec: RunSpec | None = None,
        on_result: ResultCallback | None = None,
    ) -> Summary:
        """Runs in this process, or, given the runner's `spec`, wherever the session's
        placement says (worker processes, Ray); memory always runs here, in order.
        `on_result` is told each line as it is written (a study's budget counts them)."""
        hook: ProblemHook | None = self._memory_hook(run_dir) if memory else None

        executor = None if memory else await open_executor(self.placement, spec)
        view = progress or NoProgress()
        tally = Tally()

        def on_start(so_far: Summary) -> None:
            tally.resume(so_far)
            view.start(label or runner.name, len(problems), tally.attempted, tally.describe())

        told = on_result

        def on_written(line: ResultLine) -> None:
            tally.add(line)
            view.update(tally.attempted, tally.describe())
            if told is not None:
                told(line)

        try:
            if executor is None:
                return await run_benchmark(
                    runner,
                    problems,
                    run_dir,
                    grader=grader,
                    concurrency=concurrency,
                    hook=hook,
                    on_result=on_written,
                    on_start=on_start,
                    on_throttle=tally.throttled,
                )
            try:
                return await run_on(
                    executor,
                    problems,
                    run_dir,
                    concurrency=concurrency,
                    on_result=on_written,
                    on_start=on_start,
                    on_throttle=tally.throttled,
                )
            finally:
                await executor.close()
        finally:
            view.stop()

    def _memory_hook(self, run_dir: Path) -> ProblemHook:
        """Memory lives in the run directory, so a resumed run continues with what it had
        learned and no run's lessons leak into another's."""

        return MemoryHook(run_dir / "memory.sqlite", model=self.default_model())

    async def run_baseline(
        self,
        protocol_summary: Summary,
        problems: Problems,
        dataset: DatasetSpec,
        run_dir: Path,
        *,
        grader: Grader,
        concurrency: int,
        progress: ProgressView | None = None,
    ) -> BaselineResult:
        """Self-consistency with k chosen so its tokens per problem match the protocol's:
        published debate gains are often voting gains, and this separates the two.

        The target is the protocol's own tokens per problem on its finished run; one
        sample's tokens come from a pilot of self-consistency with k = 1 (the same prompt
        and decoding as each of its samples) on the first problems. k is frozen in
        `baseline-plan.json`, so a resume keeps it."""
        plan = read_baseline_plan(run_dir)
        if plan is None:
            plan = await self._plan_baseline(
                protocol_summary, problems, dataset, run_dir, grader, concurrency, progress
            )
            write_baseline_plan(run_dir, plan)
        # its own options: the protocol's (e.g. --agents) would be refused for self-consistency
        options = ProtocolOptions(samples=plan.samples, settings=self.options.settings)
        baseline_dir = baseline_run(run_dir)
        runner = self.runner("self-consistency", options)
        config = self.run_config("self-consistency", dataset, runner, memory=False, options=options)
        check_or_save_config(baseline_dir, config)
        budget = TokenBudget(
            target_tokens_per_problem=plan.target_tokens_per_problem, measured_on=plan.measured_on
        )
        write_budget(baseline_dir, budget)
        summary = await self.run(
            runner,
            problems,
            baseline_dir,
            grader=grader,
            concurrency=concurrency,
            progress=progress,
            label=f"baseline sc k={plan.samples}",
            spec=self.remote_spec("self-consistency", options),
        )
        result = BaselineResult(plan=plan, summary=summary)
        write_baseline_result(run_dir, result)
        return result

    async def _plan_baseline(
        self,
        protocol_summary: Summary,
        problems: Problems,
        dataset: DatasetSpec,
        run_dir: Path,
        grader: Grader,
        concurrency: int,
        progress: ProgressView | None,
    ) -> BaselinePlan:
        pilot_dir = baseline_pilot_run(run_dir)
        pilot_problems = list(itertools.islice(problems, PILOT_PROBLEMS))
        options = ProtocolOptions(samples=1, settings=self.options.settings)
        runner = self.runner("self-consistency", options)
        pilot_spec = dataset.model_copy(update={"limit": len(pilot_problems)})
        config = self.run_config(
            "self-consistency", pilot_spec, runner, memory=False, options=options
        )
        check_or_save_config(pilot_dir, config)
        pilot = await self.run(
            runner,
            pilot_problems,
            pilot_dir,
            grader=grader,
            concurrency=concurrency,
            progress=progress,
            label="baseline pilot (one sample)",
            spec=self.remote_spec("self-consistency", options),
        )
        per_sample = max(pilot.tokens_per_problem, 1.0)
        target = protocol_summary.tokens_per_problem
        samples = min(MAX_SAMPLES, max(1, round(target / per_sample)))
        return BaselinePlan(
            samples=samples,
            target_tokens_per_problem=target,
            tokens_per_sample=per_sample,
            pilot_problems=len(pilot_problems),
            measured_on=(
                f"the protocol's {protocol_summary.graded} graded problems; one sample on "
                f"the first {len(pilot_problems)}"
            ),
        )


class Tally:
    """The progress line's figures, as in the summary: accuracy over attempted problems
    (an error counts wrong), over graded ones, and the errors. Problems that errored in an
    earlier session are not counted until they run again now. A few counters, whatever
    the run's size: the display costs the same at problem 10 and problem 100,000."""

    def __init__(self) -> None:
        self.graded = 0
        self.correct = 0
        self.truncated = 0
        self.errors = 0
        self.throttles: dict[str, ThrottleReport] = {}
        """The latest report of each process that was throttled."""

    def throttled(self, report: ThrottleReport) -> None:
        self.throttles[report.process] = report

    def resume(self, so_far: Summary) -> None:
        """Count what earlier sessions graded (their errors run again now)."""
        self.graded += so_far.graded
        self.correct += so_far.correct
        self.truncated += so_far.truncated_calls

    @property
    def attempted(self) -> int:
        return self.graded + self.errors

    def add(self, line: ResultHead) -> None:
        if line.done:
            self.graded += 1
            self.correct += int(line.correct)
            self.truncated += line.truncated_calls
        else:
            self.errors += 1

    def describe(self) -> str:
        if not self.attempted:
            return "accuracy –"
        text = f"accuracy {self.correct / self.attempted:.1%}"
        if self.graded:
            text += f" (graded {self.correct / self.graded:.1%})"
        return text + f" · errors {self.errors} · truncated {self.truncated}" + self._throttle()

    def _throttle(self) -> str:
        """' · throttled: 37 refused, ≈18.2 req/s' while the provider refuses requests."""
        reports = list(self.throttles.values())
        if not any(report.recent() for report in reports):
            return ""
        text = f" · throttled: {sum(r.refused for r in reports)} refused"
        rates = [r.requests_per_second for r in reports if r.requests_per_second is not None]
        return text + (f", ≈{sum(rates):.1f} req/s" if rates else "")
