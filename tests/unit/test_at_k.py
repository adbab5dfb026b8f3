"""maj@k, pass@k and pick@k from one run's samples, at zero model calls."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from council.bench.at_k import AT_K_FILE, at_k
from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.runner import run_benchmark
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.protocols.best_of_n import BEST_OF_N, best_of_n_graph
from council.run_log.records import RecordedCall
from council.run_log.results import RESULTS_FILE, ResultsFile
from council.runner import GraphRunner
from council.scoring.base import Candidate, CandidateScore
from council.tools.base import ToolContext

ANSWERS = {"Problem 1": ["10", "10", "3", "3"], "Problem 2": ["3", "10", "10.0", "10"]}


def sampler(call: ScriptedCall) -> str:
    problem = "Problem 1" if "Problem 1" in call.last else "Problem 2"
    return f"Working it out at length. \\boxed{{{ANSWERS[problem][call.sample]}}}"


async def test_every_k_from_one_pool_of_samples(tmp_path: Path, grader: Grader) -> None:
    model = ScriptedModel(responder=sampler)
    runner = RunSpec(graph="self-consistency", options=ProtocolOptions(samples=4)).build(
        models=model
    )
    problems = [Problem(id=f"p{i}", question=f"Problem {i}: what?", gold="10") for i in (1, 2)]
    await run_benchmark(runner, problems, tmp_path, grader=grader, concurrency=1)
    calls_before = len(model.calls)

    report = await at_k(tmp_path, grader)

    assert len(model.calls) == calls_before  # nothing was asked of a model
    assert report.samples == 4 and report.problems == 2
    maj = [round(row.maj, 3) for row in report.rows]
    assert maj == [0.5, 0.5, 1.0, 1.0]  # p2's first sample is wrong; its k=2 tie goes to "3"
    assert report.rows[0].pass_at_k == pytest.approx((0.5 + 0.75) / 2)
    assert report.rows[1].pass_at_k == pytest.approx((1 - 1 / 6 + 1.0) / 2)
    assert all(row.pick is None for row in report.rows)  # no scorer in this run
    tokens = [row.tokens_per_problem for row in report.rows]
    assert tokens == sorted(tokens) and tokens[0] > 0 and tokens[-1] == pytest.approx(4 * tokens[0])
    assert (tmp_path / AT_K_FILE).is_file()


async def test_pick_at_k_follows_the_recorded_scores(tmp_path: Path, grader: Grader) -> None:
    model = ScriptedModel(responder=sampler)
    options = ProtocolOptions(samples=4, scorer="vote")
    runner = RunSpec(graph="best-of-n", options=options).build(models=model)
    problems = [Problem(id=f"p{i}", question=f"Problem {i}: what?", gold="10") for i in (1, 2)]
    await run_benchmark(runner, problems, tmp_path, grader=grader, concurrency=1)
    report = await at_k(tmp_path, grader)
    picks = [row.pick for row in report.rows]
    assert None not in picks
    # vote shares over all four samples favour 10 in both problems: a scorer that saw
    # every sample picks 10 whenever a 10 is among the first k
    assert picks == [0.5, 1.0, 1.0, 1.0]


class EveryoneScoresOne:
    """A scorer that cannot tell candidates apart (as `execution` when every program re-runs
    to its answer): every candidate ties."""

    name = "flat"

    async def score(
        self, problem: str, candidates: Sequence[Candidate], context: ToolContext
    ) -> list[CandidateScore]:
        return [CandidateScore(agent=c.agent, answer=c.answer, score=1.0) for c in candidates]


async def test_pick_at_n_is_the_runs_own_choice_when_scores_tie(
    tmp_path: Path, grader: Grader
) -> None:
    """Tied scores go to the answer most tied candidates gave, in the run and in pick@k:
    the first-listed candidate ("3") is wrong, the majority of the tied ("10") right."""
    answers = ["3", "10", "10", "7"]
    model = ScriptedModel(responder=lambda call: f"\\boxed{{{answers[call.sample]}}}")
    options = BEST_OF_N.resolve(ProtocolOptions(samples=4, scorer="vote"))
    graph = best_of_n_graph(BEST_OF_N, RoleModels(model), options, scorer=EveryoneScoresOne())
    problems = [Problem(id="p1", question="Problem 1: what?", gold="10")]
    summary = await run_benchmark(GraphRunner(graph), problems, tmp_path, grader=grader)
    report = await at_k(tmp_path, grader)
    assert summary.correct == 1
    # k = 2: "3" and "10" tie one vote each, so the first given; from k = 3, "10"
    assert [row.pick for row in report.rows] == [0.0, 0.0, 1.0, 1.0]


def judged(call: ScriptedCall) -> str:
    if call.agent.startswith("grade_"):
        return "SCORE: 0.9" if "\\boxed{10}" in call.last else "SCORE: 0.2"
    return sampler(call)


def tokens_of(calls: Sequence[RecordedCall]) -> int:
    return sum(c.usage.prompt_tokens + c.usage.completion_tokens for c in calls)


async def test_vote_tokens_leave_out_the_judges_and_pick_tokens_count_them(
    tmp_path: Path, grader: Grader
) -> None:
    """maj@k costs the k candidates' calls; pick@k also the judges' calls about them, so
    a scorer is compared with voting at what each really spent."""
    model = ScriptedModel(responder=judged)
    runner = RunSpec(graph="best-of-n", options=ProtocolOptions(samples=4)).build(models=model)
    problems = [Problem(id="p1", question="Problem 1: what?", gold="10")]
    await run_benchmark(runner, problems, tmp_path, grader=grader, concurrency=1)
    (line,) = ResultsFile(tmp_path / RESULTS_FILE).read()
    candidates = [c for c in line.calls if c.agent.startswith("sample_")]
    judges = [c for c in line.calls if c.agent.startswith("grade_")]
    assert len(candidates) == len(judges) == 4

    report = await at_k(tmp_path, grader)

    last, first = report.rows[-1], report.rows[0]
    assert last.tokens_per_problem == tokens_of(candidates)
    assert last.pick_tokens_per_problem == tokens_of(line.calls)
    assert first.pick_tokens_per_problem == tokens_of([c for c in line.calls if c.sample == 0])
    assert [row.pick for row in report.rows] == [1.0, 1.0, 1.0, 1.0]


async def test_a_debates_vote_at_k_costs_its_first_round_only(
    tmp_path: Path, grader: Grader
) -> None:
    model = ScriptedModel(responder=lambda call: "So \\boxed{10}")
    options = ProtocolOptions(agents=3, rounds=2)
    runner = RunSpec(graph="debate", options=options).build(models=model)
    problems = [Problem(id="p1", question="Problem 1: what?", gold="10")]
    await run_benchmark(runner, problems, tmp_path, grader=grader, concurrency=1)
    (line,) = ResultsFile(tmp_path / RESULTS_FILE).read()
    first_round = [c for c in line.calls if c.round == min(c.round for c in line.calls)]
    assert len(first_round) == 3 and len(line.calls) == 6

    report = await at_k(tmp_path, grader)

    assert report.rows[-1].tokens_per_problem == tokens_of(first_round)
    assert report.rows[-1].tokens_per_problem < tokens_of(line.calls)
    assert all(row.pick_tokens_per_problem is None for row in report.rows)
