"""Wiring for one `council bench` invocation: models (cached if asked), the protocol's
runner, progress display, and the token-matched self-consistency baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from council.bench.datasets import DatasetSpec, Problem
from council.bench.grading import Grader
from council.bench.manifest import ModelRecord, RunConfig, check_or_save_config
from council.bench.results import ResultHead, ResultLine
from council.bench.runner import ProblemHook, run_benchmark
from council.bench.summary import Summary
from council.config import CouncilConfig
from council.council import role_models_for
from council.models.base import ChatModel
from council.models.roles import RoleModels
from council.protocols.options import MAX_SAMPLES, ProtocolOptions
from council.protocols.select import build_runner
from council.runner import GraphRunner

PILOT_PROBLEMS = 5


class BaselineResult(BaseModel):
    samples: int
    single_tokens_per_problem: float
    summary: Summary


class BenchSession:
    def __init__(
        self, config: CouncilConfig, options: ProtocolOptions, *, cache: Path | None = None
    ) -> None:
        self.config = config
        self.options = options
        self.models = self._models(cache)

    def _models(self, cache: Path | None) -> RoleModels:
        models = role_models_for(self.config)
        if cache is None:
            return models
        from council.bench.cache import CachedModel

        wrapped: dict[int, ChatModel] = {}

        def wrap(model: ChatModel) -> ChatModel:
            if id(model) not in wrapped:
                wrapped[id(model)] = CachedModel(model, cache)
            return wrapped[id(model)]

        return RoleModels(
            wrap(models.default), {role: wrap(m) for role, m in models.overrides.items()}
        )

    def runner(self, protocol: str, options: ProtocolOptions | None = None) -> GraphRunner:
        return build_runner(
            protocol, self.config, options=options or self.options, models=self.models
        )

    def run_config(self, protocol: str, dataset: DatasetSpec, *, memory: bool) -> RunConfig:
        models = [
            ModelRecord(
                role="default", name=self.config.model.name, api_base=self.config.model.api_base
            )
        ]
        models += [
            ModelRecord(role=role, name=spec.name, api_base=spec.api_base)
            for role, spec in sorted(self.config.role_models.items())
        ]
        return RunConfig(
            dataset=dataset,
            protocol=protocol,
            options=self.options,
            models=models,
            tools=self.config.tools,
            sandbox=self.config.sandbox,
            memory=memory,
        )

    async def run(
        self,
        runner: GraphRunner,
        problems: list[Problem],
        run_dir: Path,
        *,
        grader: Grader,
        concurrency: int,
        memory: bool = False,
        console: Any = None,
        label: str = "",
    ) -> Summary:
        hook: ProblemHook | None = self._memory_hook(run_dir) if memory else None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from council.bench.results import RESULTS_FILE, ResultsFile

        already = ResultsFile(run_dir / RESULTS_FILE).latest_heads()
        tally = Tally(graded=[line for line in already.values() if line.done])
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(
                label or runner.name,
                total=len(problems),
                completed=tally.attempted,
                tally=tally.describe(),
            )

            def on_result(line: ResultLine) -> None:
                tally.add(line)
                progress.update(task, completed=tally.attempted, tally=tally.describe())

            return await run_benchmark(
                runner,
                problems,
                run_dir,
                grader=grader,
                concurrency=concurrency,
                hook=hook,
                on_result=on_result,
            )

    def _memory_hook(self, run_dir: Path) -> ProblemHook:
        """Memory lives in the run directory, so a resumed run continues with what it had
        learned and no run's lessons leak into another's."""
        from council.memory.bench import MemoryHook

        return MemoryHook(run_dir / "memory.sqlite", model=self.models.default)

    async def run_baseline(
        self,
        protocol_summary: Summary,
        problems: list[Problem],
        run_dir: Path,
        *,
        grader: Grader,
        concurrency: int,
        console: Any = None,
    ) -> BaselineResult:
        """Self-consistency with k chosen so its tokens per problem match the protocol's:
        published debate gains are often voting gains, and this separates the two."""
        pilot_dir = run_dir / "baseline-pilot"
        pilot_problems = problems[:PILOT_PROBLEMS]
        check_or_save_config(pilot_dir, self._config_for("single", pilot_problems))
        pilot = await self.run(
            self.runner("single"),
            pilot_problems,
            pilot_dir,
            grader=grader,
            concurrency=concurrency,
            console=console,
            label="pilot",
        )
        single = max(pilot.tokens_per_problem, 1.0)
        samples = min(MAX_SAMPLES, max(1, round(protocol_summary.tokens_per_problem / single)))
        options = self.options.model_copy(update={"samples": samples})
        baseline_dir = run_dir / "baseline"
        check_or_save_config(baseline_dir, self._config_for("self-consistency", problems, options))
        summary = await self.run(
            self.runner("self-consistency", options),
            problems,
            baseline_dir,
            grader=grader,
            concurrency=concurrency,
            console=console,
            label=f"baseline sc k={samples}",
        )
        result = BaselineResult(samples=samples, single_tokens_per_problem=single, summary=summary)
        (run_dir / "baseline.json").write_text(result.model_dump_json(indent=2))
        return result

    def _config_for(
        self, protocol: str, problems: list[Problem], options: ProtocolOptions | None = None
    ) -> RunConfig:
        dataset = DatasetSpec(source=f"{len(problems)} problems from the parent run")
        config = self.run_config(protocol, dataset, memory=False)
        return config.model_copy(update={"options": options or self.options})


class Tally:
    """The progress line's figures, as in the summary: accuracy over attempted problems
    (an error counts wrong), over graded ones, and the errors. Problems that errored in an
    earlier session are not counted until they run again now."""

    def __init__(self, graded: list[ResultHead]) -> None:
        self.graded = len(graded)
        self.correct = sum(line.correct for line in graded)
        self.truncated = sum(line.truncated_calls for line in graded)
        self.errors = 0

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
        return text + f" · errors {self.errors} · truncated {self.truncated}"
