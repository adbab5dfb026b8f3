"""`council search run`: split, score every candidate on the search split (from pools where
it can), pick the winner under the budget, test it on the held-out split, write the report.

Resumable as studies are (each run is a `council bench` run directory: kill -9 anywhere,
run again, nothing lost or twice): the split is fixed in `split.json` before any call, the
winner in `winner.yaml` once the search split is done, and the held-out study is refused by
bench if its configuration changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from council.bench.budget import Budget
from council.bench.grading import Grader
from council.bench.problem_set import ProblemSet
from council.bench.progress import NoProgress
from council.graphs.export import dump_yaml, graph_config
from council.models.roles import RoleModels
from council.search.candidates import is_pooled_cascade
from council.search.outcome import (
    SEARCH_JSON,
    WINNER_FILE,
    AdaptivePoint,
    SearchCandidate,
    SearchOutcome,
    choose_winner,
    eligible,
    held_out_test,
)
from council.search.search_file import load_search
from council.search.split import Split, fix_split, make_split
from council.search.studies import (
    HELD_OUT_STUDY,
    SEARCH_STUDY,
    held_out_study,
    search_study,
    write_study,
)
from council.studies.outcomes import read_lines
from council.studies.plan import arm_spec, plan_study
from council.studies.report import StudyReport, build_report
from council.studies.runner import ProgressFactory, StudyRunner, out_directory
from council.studies.study_file import Arm, StudyFile, load_study


def calls_made(directory: Path, study: StudyFile) -> tuple[int, int]:
    """Model calls and tokens recorded in a study directory's runs (arms, pools, pilots)."""
    plan = plan_study(study, directory, directory)
    dirs = [run.directory for run in plan.runs()]
    for pool in plan.pools:
        dirs += [pool.directory, pool.directory.with_name(pool.directory.name + "-pilot")]
    calls = tokens = 0
    for run_dir in dirs:
        for line in read_lines(run_dir).values():
            calls += len(line.calls)
            tokens += line.tokens
    return calls, tokens


class SearchRunner:
    """`models` replaces every model (tests pass scripted ones)."""

    def __init__(
        self,
        path: Path,
        *,
        out: Path | None = None,
        grader: Grader,
        models: RoleModels | None = None,
        progress: ProgressFactory = NoProgress,
        concurrency: int | None = None,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.path = path
        self.search = load_search(path)
        self.base = path.parent.resolve()
        self.directory = out_directory(self.search.out, path, out)
        self.grader = grader
        self.models = models
        self.progress = progress
        self.concurrency = concurrency
        self.say = say

    def split(self) -> Split:
        spec = self.search.data.spec(self.base)
        excluded = set(self.search.data.exclude)
        ids = [p.id for p in ProblemSet(spec) if p.id not in excluded]
        return fix_split(self.directory, make_split(ids, self.search.split))

    async def run(self) -> SearchOutcome:
        split = self.split()
        self.say(
            f"split: {len(split.search)} search, {len(split.held_out)} held out "
            f"(seed {split.seed}; {self.directory / 'split.json'})"
        )
        total = self.search.budget.total()
        study = search_study(self.search, self.base, split, total)
        search_dir = self.directory / SEARCH_STUDY
        state = await self._study(search_dir, study)
        if state != "done":
            return await self.report(status="budget", reason=f"search split: {state}")
        report = await build_report(search_dir, self.grader)
        winner = choose_winner(self._scores(report))
        if winner is None:
            return await self.report()
        arm = next(a for a in study.arms if a.name == winner.name)
        self._write_winner(study, arm)
        _, spent_tokens = calls_made(search_dir, study)
        held = held_out_study(self.search, self.base, split, arm, _rest(total, spent_tokens))
        state = await self._study(self.directory / HELD_OUT_STUDY, held)
        if state != "done":
            return await self.report(status="budget", reason=f"held-out split: {state}")
        return await self.report()

    async def _study(self, directory: Path, study: StudyFile) -> str:
        path = write_study(directory, study)
        runner = StudyRunner(
            path,
            grader=self.grader,
            models=self.models,
            progress=self.progress,
            concurrency=self.concurrency,
            say=self.say,
        )
        state = await runner.run()
        return state.status if state.status != "budget" else f"budget reached ({state.reason})"

    def _scores(self, report: StudyReport) -> list[SearchCandidate]:
        scores = []
        for arm in report.arms:
            why_not = eligible(arm.figures, self.search.budget)
            scores.append(
                SearchCandidate(
                    name=arm.name,
                    definition=arm.definition,
                    served="recorded" if arm.recorded else "live",
                    figures=arm.figures,
                    eligible=not why_not,
                    why_not=why_not,
                )
            )
        return scores

    def _write_winner(self, study: StudyFile, arm: Arm) -> Path:
        """The winner as a graph config file `council bench` and `council solve` run as is
        (the model is not in it: pass --model as for any graph)."""
        spec = arm_spec(study, arm, self.base)
        graph, rounds = spec.drawing()
        card = spec.card()
        config = graph_config(
            graph,
            max_rounds=rounds,
            description=f"council search {self.search.name}: winner {arm.name}"
            + (f" ({card.summary})" if card is not None else ""),
            corpus=spec.resolved_options().corpus,
        )
        path = self.directory / WINNER_FILE
        path.write_text(f"# {config.description}\n" + dump_yaml(config))
        return path

    async def report(self, status: str | None = None, reason: str = "") -> SearchOutcome:
        """The search as it stands (a search still running or stopped reports what it has)."""
        split = self.split()
        search_dir = self.directory / SEARCH_STUDY
        study = load_study(search_dir / "study.yaml")
        report = await build_report(search_dir, self.grader)
        scores = self._scores(report)
        made, _ = calls_made(search_dir, study)
        if_live = round(sum(c.figures.calls_per_problem * c.figures.graded for c in scores))
        winner = choose_winner(scores)
        outcome = SearchOutcome(
            name=self.search.name,
            directory=str(self.directory),
            status="done",
            reason=reason,
            search_problems=len(split.search),
            held_out_problems=len(split.held_out),
            split_seed=split.seed,
            budget=self.search.budget,
            candidates=scores,
            calls_made=made,
            calls_if_live=if_live,
            calls_saved=max(0, if_live - made),
            winner=winner.name if winner else None,
        )
        held_dir = self.directory / HELD_OUT_STUDY
        if winner is not None and (held_dir / "study-state.json").exists():
            held_report = await build_report(held_dir, self.grader)
            outcome.held_out = held_out_test(held_report, winner.name, self.search.alpha)
            outcome.winner_file = str(self.directory / WINNER_FILE)
            outcome.adaptive = _adaptive(scores, held_report, winner.name)
        outcome.status = (
            "budget"
            if status == "budget"
            else ("done" if outcome.held_out is not None or winner is None else "running")
        )
        outcome.findings = _findings(outcome)
        (self.directory / SEARCH_JSON).write_text(outcome.model_dump_json(indent=2))
        return outcome


def _rest(total: Budget, spent_tokens: int) -> Budget:
    """What the held-out study may still spend of the search's whole budget."""
    if total.max_tokens is None:
        return total
    return total.model_copy(update={"max_tokens": max(1, total.max_tokens - spent_tokens)})


def _adaptive(scores: list[SearchCandidate], held: StudyReport, winner: str) -> list[AdaptivePoint]:
    cascades = [c for c in scores if is_pooled_cascade(c.name)]
    best = choose_winner(cascades)
    held_figures = {arm.name: arm.figures for arm in held.arms}
    return [
        AdaptivePoint(
            name=c.name,
            search=c.figures,
            held_out=held_figures.get(c.name),
            chosen=best is not None and c.name == best.name,
        )
        for c in cascades
    ]


def _findings(outcome: SearchOutcome) -> list[str]:
    said = [
        f"{len(outcome.candidates)} candidates scored on {outcome.search_problems} search "
        f"problems with {outcome.calls_made} model calls; running each on its own would have "
        f"taken {outcome.calls_if_live}: {outcome.calls_saved} calls saved by reading recorded "
        "samples."
    ]
    if outcome.winner is None:
        said.append("No candidate fits the budget: nothing to test on held-out problems.")
        return said
    said.append(f"Winner on the search split: {outcome.winner}.")
    if outcome.held_out is not None:
        said.append(outcome.held_out.words)
    return said
