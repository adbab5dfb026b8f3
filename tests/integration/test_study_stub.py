"""A whole study against a loopback OpenAI-compatible server whose answers are scripted
problem by problem (by question, temperature and seed), so every figure of the report is
known beforehand: each expected value below is computed here, by hand, from the scripted
sets (set arithmetic, the binomial sum, Holm's steps, Newcombe's formula), never by
council's code."""

from __future__ import annotations

import asyncio
import json
import math
import sys
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.run_log.results import ResultsFile
from council.run_log.summary import summarise_run
from council.studies.render import write_report
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from tests.support.doubling_stub import (
    mcnemar,
    read_request,
    reply_right_or_wrong,
    write_stub_study,
)
from tests.support.openai_stub import StubBehaviour, openai_stub

pytestmark = pytest.mark.integration

PROBLEMS = range(1, 17)
SINGLE = set(range(1, 7))
SAMPLES = {  # self-consistency sample s (seed s, T 0.7) is right on these problems
    0: set(range(1, 9)),
    1: set(range(2, 11)),
    2: {1, 3, 5, 7, 9, 11, 13, 15},
    3: set(range(1, 13)),
    4: set(range(4, 17)),
    5: {1, 2, 3, 4, 5, 10, 11, 16},
}
DEBATE_ROUND_1 = {0: {1, 2, 3, 4, 7}, 1: {1, 2, 5, 6, 8}, 2: {1, 3, 5, 7, 9}}  # by seed
DEBATE_ROUND_2 = set(range(1, 15))  # every debater, after reading the others
TOKENS_PER_CALL = 10  # the stub's usage: 7 prompt + 3 completion


def respond(body: dict[str, object]) -> str:
    request = read_request(body)
    n, temperature, seed = request.n, request.temperature, request.seed
    if temperature == 0:
        right = n in SINGLE
    elif temperature == 0.7:
        right = n in SAMPLES[seed]
    else:  # debaters
        later = request.has_role("assistant")
        right = n in (DEBATE_ROUND_2 if later else DEBATE_ROUND_1[seed])
    return reply_right_or_wrong(n, right)


def majority(n: int, k: int) -> bool:
    rights = sum(n in SAMPLES[s] for s in range(k))
    assert 2 * rights != k, "the script avoids ties"
    return 2 * rights > k


def table(first: set[int], second: set[int]) -> tuple[int, int, int, int]:
    both = len(first & second)
    only_first = len(first - second)
    only_second = len(second - first)
    return both, only_first, only_second, len(PROBLEMS) - both - only_first - only_second


def wilson(x: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    (l1, u1), (l2, u2) = wilson(a + b, n), wilson(a + c, n)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    # Newcombe's phi: ad - bc less n/2 when above it, 0 up to n/2, as it is when negative
    ad_bc = a * d - b * c
    numerator = ad_bc - n / 2 if ad_bc > n / 2 else (ad_bc if ad_bc < 0 else 0)
    phi = numerator / math.sqrt(margins) if margins else 0.0
    low = (p1 - p2) - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = (p1 - p2) + math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return low, high


def write_study(tmp_path: Path, base: str) -> Path:
    return write_stub_study(
        tmp_path,
        base,
        """
  - {name: single, protocol: single, repeat: 2, repeat_seed: same}
  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}
  - {name: debate, protocol: debate, options: {agents: 3, rounds: 2}}
""",
        name="stub-study",
        problems=PROBLEMS,
        gold="gsm8k",
        compute=None,
    )


async def test_every_figure_of_the_report_equals_the_hand_computed_one(tmp_path: Path) -> None:
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        study = write_study(tmp_path, base)
        with Grader(workers=1) as grader:
            runner = StudyRunner(study, out=tmp_path / "out", grader=grader)
            state = await runner.run()
            report = await build_report(runner.directory, grader)
            written = write_report(report, runner.directory)
    assert state.status == "done" and state.grader_check and state.grader_check.checked == 16

    sc3 = {n for n in PROBLEMS if majority(n, 3)}
    debate = DEBATE_ROUND_2
    arms = {arm.name: arm for arm in report.arms}
    # per-arm figures: the same as the bench summary of each arm's own run directory
    for name, right in (("single", SINGLE), ("debate", debate)):
        bench = summarise_run(tmp_path / "out" / "arms" / name)
        assert arms[name].figures.correct == bench.correct == len(right)
        assert arms[name].figures.accuracy == bench.accuracy == len(right) / 16
        assert (arms[name].figures.ci95_low, arms[name].figures.ci95_high) == pytest.approx(
            wilson(len(right), 16)
        )
    assert arms["single"].figures.tokens_per_problem == TOKENS_PER_CALL
    assert arms["debate"].figures.tokens_per_problem == 6 * TOKENS_PER_CALL
    assert arms["sc-3"].source == "pool self-consistency, first 3 samples"
    assert arms["sc-3"].figures.correct == len(sc3)
    assert arms["sc-3"].figures.tokens_per_problem == 3 * TOKENS_PER_CALL

    # the pool: sized from the pilot (10 tokens a sample) to debate's 60 tokens: 6 samples
    pool = report.pools[0]
    assert pool.samples == 6 and state.pools["self-consistency"].samples == 6
    assert pool.attribution is not None  # the pool's own calls: six samples a problem
    assert pool.attribution.by_role["solver"].calls == 6 * 16
    assert pool.attribution.by_role["solver"].total_tokens == 6 * 16 * TOKENS_PER_CALL
    for row in pool.rows:
        assert (
            row.maj == sum(majority(n, row.k) for n in PROBLEMS) / 16
            if row.k in (1, 3, 5)
            else True
        )
        assert row.tokens_per_problem == row.k * TOKENS_PER_CALL
    pass_2 = (
        sum(
            1 - math.comb(6 - c, 2) / math.comb(6, 2)
            for c in (sum(n in SAMPLES[s] for s in range(6)) for n in PROBLEMS)
        )
        / 16
    )
    assert pool.rows[1].pass_at_k == pytest.approx(pass_2)

    # matched baselines: single (10 tokens) by sample 1 alone; debate (60) by all six
    assert arms["single"].baseline and arms["single"].baseline.k == 1
    assert arms["debate"].baseline and arms["debate"].baseline.k == 6
    assert arms["debate"].baseline.achieved_tokens_per_problem == 60
    sc1, sc6 = SAMPLES[0], {n for n in PROBLEMS if majority(n, 6)}
    assert arms["debate"].baseline.figures.correct == len(sc6)

    # paired comparisons, in the report's order, each against the hand-made table
    expected = [
        ("single", "self-consistency@1 (matched)", SINGLE, sc1),
        ("sc-3", "single", sc3, SINGLE),
        ("debate", "single", debate, SINGLE),
        ("debate", "self-consistency@6 (matched)", debate, sc6),
    ]
    assert [(c.arm, c.against) for c in report.comparisons] == [(a, b) for a, b, _, _ in expected]
    raw = []
    for comparison, (_, _, first, second) in zip(report.comparisons, expected, strict=True):
        a, b, c, d = table(first, second)
        assert (comparison.table.both, comparison.table.only_arm) == (a, b)
        assert (comparison.table.only_other, comparison.table.neither) == (c, d)
        assert comparison.difference == pytest.approx((b - c) / 16)
        assert (comparison.ci95_low, comparison.ci95_high) == pytest.approx(newcombe(a, b, c, d))
        assert comparison.mcnemar_p == pytest.approx(mcnemar(b, c))
        raw.append(mcnemar(b, c))
    # Holm by hand: sort, multiply by (m - rank), keep monotone, cap at 1
    order = sorted(range(4), key=lambda i: raw[i])
    holm, running = [0.0] * 4, 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (4 - rank) * raw[index]))
        holm[index] = running
    assert [c.holm_p for c in report.comparisons] == pytest.approx(holm)
    assert [c.established for c in report.comparisons] == [p < 0.05 for p in holm]
    assert report.comparisons[2].established  # debate beats single: 8 to 0
    # anytime-valid: Robbins' normal mixture, rho 10, alpha 0.05 split over 4 comparisons
    for comparison in report.comparisons:
        radius = math.sqrt((16 + 10) * math.log((16 + 10) / (10 * (0.05 / 4) ** 2))) / 16
        low, high = comparison.difference - radius, comparison.difference + radius
        assert comparison.sequence_low == pytest.approx(max(-1.0, low))
        assert comparison.sequence_high == pytest.approx(min(1.0, high))
        assert comparison.decided == (low > 0 or high < 0)
    assert "is established" in report.comparisons[2].words
    named = [f"{c.arm} vs {c.against}" for c in report.comparisons if c.established]
    assert report.findings[0].startswith("Established at α = 0.05") and all(
        name in report.findings[0] for name in named
    )

    # noise: the same greedy arm twice on a deterministic server never disagrees
    assert report.noise[0].arm == "single" and report.noise[0].disagreement_rate == 0.0
    # debate decomposed from its turns
    (decomposed,) = report.debate
    first_majority = {n for n in PROBLEMS if sum(n in s for s in DEBATE_ROUND_1.values()) >= 2}
    assert decomposed.first_round_majority_correct == len(first_majority)
    assert decomposed.final_correct == len(debate)
    assert decomposed.majority_right_to_wrong == len(first_majority - debate)
    assert decomposed.majority_wrong_to_right == len(debate - first_majority)
    assert decomposed.agent_transitions == 3 * 16
    assert decomposed.agent_right_to_wrong == sum(len(s - debate) for s in DEBATE_ROUND_1.values())
    assert decomposed.agent_wrong_to_right == sum(len(debate - s) for s in DEBATE_ROUND_1.values())
    # attribution: debate's six calls a problem, two per debater
    usage = arms["debate"].attribution
    assert usage is not None and usage.by_role["debater"].calls == 6 * 16
    assert {name: u.total_tokens for name, u in usage.by_agent.items()} == {
        f"debater_{i}": 2 * 16 * TOKENS_PER_CALL for i in (1, 2, 3)
    }
    assert {path.name for path in written} == {
        "report.json",
        "report.md",
        "report.html",
        "accuracy_vs_compute.png",
    }
    assert "debate vs single: +50.0%" in (tmp_path / "out" / "report.md").read_text()


async def test_arms_read_from_the_pool_equal_runs_of_their_own(
    tmp_path: Path,
) -> None:
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        study = write_study(tmp_path, base)
        text = study.read_text().split("arms:")[0] + (
            "compute: {match: none}\n"
            "arms:\n"
            "  - {name: single, protocol: single}\n"
            "  - {name: cascade, protocol: cascade}\n"
            "  - {name: cascade-run, protocol: cascade, pooled: false}\n"
            "  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}\n"
            "  - {name: sc-3-run, protocol: self-consistency, options: {samples: 3}, "
            "pooled: false}\n"
        )
        study.write_text(text)
        with Grader(workers=1) as grader:
            runner = StudyRunner(study, out=tmp_path / "out", grader=grader)
            await runner.run()
            report = await build_report(runner.directory, grader)
    arms = {arm.name: arm for arm in report.arms}
    assert arms["cascade"].source.startswith("single's answers, then pool self-consistency")
    assert not (tmp_path / "out" / "arms" / "cascade").exists()  # no run of its own
    # by hand: ballots single, sample 1, sample 2 (one wrong value, so agreement is binary);
    # the first two agree (2 calls), or the third settles it (3 calls)
    ballots = {n: (n in SINGLE, n in SAMPLES[1], n in SAMPLES[2]) for n in PROBLEMS}
    right = {n for n, b in ballots.items() if sum(b) >= 2}
    calls = sum(2 if b[0] == b[1] else 3 for b in ballots.values())
    for name in ("cascade", "cascade-run"):
        assert arms[name].figures.correct == len(right), name
        assert arms[name].figures.tokens_per_problem == calls * TOKENS_PER_CALL / 16, name
    (comparison,) = [
        c for c in report.comparisons if c.arm == "cascade-run" and c.against == "single"
    ]
    pooled = next(c for c in report.comparisons if c.arm == "cascade" and c.against == "single")
    assert comparison.table == pooled.table  # problem by problem, the same outcomes
    run = ResultsFile(tmp_path / "out" / "arms" / "cascade-run" / "results.jsonl").heads()
    assert {int(line.question.split()[2]) for line in run if line.correct} == right
    # self-consistency at k = 3: the pool's first three samples are a run of three
    timeless = {"seconds_per_problem"}  # wall time is the one figure two runs cannot share
    assert arms["sc-3"].figures.model_dump(exclude=timeless) == arms["sc-3-run"].figures.model_dump(
        exclude=timeless
    )
    assert arms["sc-3"].figures.correct == sum(majority(n, 3) for n in PROBLEMS)
    own = ResultsFile(tmp_path / "out" / "arms" / "sc-3-run" / "results.jsonl").heads()
    assert {int(line.question.split()[2]) for line in own if line.correct} == {
        n for n in PROBLEMS if majority(n, 3)
    }


async def bench(base: str, data: Path, out: Path, *protocol: str) -> dict[str, object]:
    """`council bench` of one protocol on the same rows, model and seed, as a user runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "council.main", "bench", "--dataset", str(data),
        "--model", "openai/stub", "--api-base", base, "--seed", "0", "--workers", "1",
        "--out", str(out), *protocol,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()[-2000:]
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    return summary


async def test_the_report_per_arm_figures_equal_separate_bench_runs(tmp_path: Path) -> None:
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        study = write_study(tmp_path, base)
        with Grader(workers=1) as grader:
            runner = StudyRunner(study, out=tmp_path / "out", grader=grader)
            await runner.run()
            report = await build_report(runner.directory, grader)
        data = tmp_path / "data.jsonl"
        separate = {
            "single": await bench(base, data, tmp_path / "b-single", "--protocol", "single"),
            "sc-3": await bench(
                base, data, tmp_path / "b-sc", "--protocol", "self-consistency", "--samples", "3"
            ),
            "debate": await bench(
                base,
                data,
                tmp_path / "b-debate",
                "--protocol",
                "debate",
                "--agents",
                "3",
                "--rounds",
                "2",
            ),
        }
    for arm in report.arms:
        summary = separate[arm.name]
        figures = arm.figures
        assert (figures.problems, figures.correct) == (summary["problems"], summary["correct"])
        assert figures.accuracy == summary["accuracy"], arm.name
        assert (figures.ci95_low, figures.ci95_high) == (summary["ci95_low"], summary["ci95_high"])
        assert figures.tokens_per_problem == summary["tokens_per_problem"], arm.name
