"""A cascade WITH a final stage read from recorded calls, against a loopback
OpenAI-compatible server with scripted answers (`tests.support.study_cascade`): its ballots
are the `single` arm's answer and the pool's samples, and where the vote is weak its final
stage's answer is that of an arm making exactly the stage's calls (a debate arm at the
stage's seed); it costs no calls of its own and equals, problem by problem, a live
`council bench` run of the same cascade. Without such an arm the cascade runs for real.
Expected figures are counted here from the script."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.main import main
from council.studies.plan import plan_study
from council.studies.report import StudyReport, build_report
from council.studies.runner import StudyRunner
from council.studies.study_file import load_study
from tests.support.doubling_stub import read_request
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.study_cascade import (
    DEBATE_ARMS,
    DEBATE_CASCADE,
    DEBATE_RIGHT,
    PROBLEMS,
    TIR_ARMS,
    TOKENS_PER_CALL,
    VOTE_CASCADE,
    assert_equal_to_live,
    bench,
    respond,
    write,
)


async def study_and_live(
    tmp_path: Path, grader: Grader, behaviour: StubBehaviour, live: dict[str, list[str]]
) -> StudyReport:
    """The study of DEBATE_ARMS on the scripted server, then each `live` cascade as a
    `council bench` run into tmp_path / its name; the study's report."""
    async with openai_stub(behaviour) as base:
        study = write(tmp_path, base, DEBATE_ARMS)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
        for name, cascade in live.items():
            data = tmp_path / "data.jsonl"
            await asyncio.to_thread(bench, base, data, tmp_path / name, cascade)
    return report


async def test_a_cascade_with_a_debate_stage_read_from_the_pool_equals_a_live_run(
    tmp_path: Path, grader: Grader
) -> None:
    live = {"live-debate": DEBATE_CASCADE, "live-vote": VOTE_CASCADE}
    report = await study_and_live(tmp_path, grader, StubBehaviour(responder=respond), live)
    for name in ("cascade-debate", "cascade-vote"):
        assert not (tmp_path / "out" / "arms" / name).exists()  # no calls of its own
    arms = {arm.name: arm for arm in report.arms}
    assert arms["cascade-debate"].source == (
        "single's answers, then pool self-consistency's samples 1–2, "
        "then debate-3's answers where it escalates"
    )

    # by hand, 3 ballots, 2 to agree: A agrees at once (2 calls); B is settled by the
    # third ballot (3 calls); C and D never agree (all three differ: share 1/3 < 0.6) and
    # the debate (3 debaters, 2 rounds) answers (3 + 6 calls)
    calls = {0: 2, 1: 3, 2: 9, 3: 9}
    right = {n for n in PROBLEMS if n % 4 in (0, 1) or n in DEBATE_RIGHT}
    tokens = sum(calls[n % 4] for n in PROBLEMS) * TOKENS_PER_CALL / 12
    figures = arms["cascade-debate"].figures
    assert (figures.correct, figures.tokens_per_problem) == (len(right), tokens) == (9, 57.5)

    # by hand, 4 ballots, 3 to agree, threshold 0.5: A agrees at once (3 calls), B with
    # the fourth ballot (4); C's vote is 2 of 4 for 2n+1, share 0.5, so the vote answers,
    # wrong (4 calls); D's ballots all differ and the debate answers (4 + 6)
    calls = {0: 3, 1: 4, 2: 4, 3: 10}
    right = {n for n in PROBLEMS if n % 4 in (0, 1) or (n % 4 == 3 and n in DEBATE_RIGHT)}
    tokens = sum(calls[n % 4] for n in PROBLEMS) * TOKENS_PER_CALL / 12
    figures = arms["cascade-vote"].figures
    assert (figures.correct, figures.tokens_per_problem) == (len(right), tokens) == (7, 52.5)

    # the live runs of the same cascades: the same figures, problem by problem
    assert_equal_to_live(report, "cascade-debate", tmp_path / "live-debate")
    assert_equal_to_live(report, "cascade-vote", tmp_path / "live-vote")


def test_the_stage_arm_must_make_the_stage_calls_else_the_cascade_runs_for_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = write(tmp_path, "http://127.0.0.1:9/v1", DEBATE_ARMS + TIR_ARMS)
    plan = plan_study(load_study(study), tmp_path / "out", tmp_path)
    rules = {name: plan.arm(name).cascade for name in ("cascade-debate", "cascade-vote")}
    assert {name: rule and rule.stage_arm for name, rule in rules.items()} == {
        "cascade-debate": "debate-3",  # the stage's seeds: 0 + 3 samples = 3, 4, 5
        "cascade-vote": "debate-4",  # 0 + 4 samples
    }
    tir = plan.arm("cascade-tir").cascade
    assert tir is not None and (tir.stage_arm, tir.final_stage, tir.threshold) == (
        "tir-4",
        "tir",
        0.5,
    )
    # a debate arm at another seed, or with other options, is not the stage's calls
    for change in ("settings: {seed: 5}}", "options: {rounds: 3}, settings: {seed: 4}}"):
        (tmp_path / "other").mkdir(exist_ok=True)
        arms = DEBATE_ARMS.replace("settings: {seed: 4}}", change)
        other = write(tmp_path / "other", "http://127.0.0.1:9/v1", arms)
        plan = plan_study(load_study(other), tmp_path / "out", tmp_path)
        assert plan.arm("cascade-debate").cascade is not None
        vote = plan.arm("cascade-vote")
        assert vote.cascade is None and vote.pool is None, change
        assert [run.directory.name for run in vote.runs] == ["cascade-vote"]
    capsys.readouterr()
    assert main(["study", "plan", str(other), "--out", str(tmp_path / "out")]) == 0
    assert (
        "(no arm makes its final stage's calls; an arm {protocol: debate, options: {agents: "
        "3, rounds: 2}, settings: {seed: 4}} on the same model and decoding, beside a single "
        "arm, would let it be read from recorded calls)" in capsys.readouterr().out
    )
    assert main(["study", "plan", str(study), "--out", str(tmp_path / "out")]) == 0
    shown = capsys.readouterr().out
    assert (
        "cascade-vote: read from single's answers and pool self-consistency's samples "
        "(cascade, 4 ballots, 3 to agree), then debate-4's answers where the vote share is "
        "below 0.5 (final stage debate)" in shown
    )


async def test_a_stage_stopped_beyond_the_context_ends_the_cascade_as_live(
    tmp_path: Path, grader: Grader
) -> None:
    """Problem 2's debate (an escalated case) does not fit the context in round 2: the
    live cascade ends there with no answer (the vote does not stand), and so does the
    cascade read from the debate arm's record."""

    def refuse(body: dict[str, object]) -> tuple[int, str] | None:
        request = read_request(body)
        if request.n == 2 and request.has_role("assistant"):
            return 400, "This model's maximum context length is 512 tokens. However, ..."
        return None

    behaviour = StubBehaviour(responder=respond, refuser=refuse)
    report = await study_and_live(tmp_path, grader, behaviour, {"live-debate": DEBATE_CASCADE})
    arm = next(a for a in report.arms if a.name == "cascade-debate")
    (two,) = [r for r in arm.results if r.problem_id.startswith("1-")]  # row 1: n = 2
    assert (two.answer, two.correct) == (None, False)
    assert arm.figures.correct == 8  # 9 by hand without the refusal, less problem 2
    assert_equal_to_live(report, "cascade-debate", tmp_path / "live-debate")
