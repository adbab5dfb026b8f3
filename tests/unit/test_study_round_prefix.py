"""A debate of fewer rounds read from the first rounds of a recorded longer debate
(`council.studies.round_prefix`), against a loopback OpenAI-compatible server whose
debaters are scripted by round: no calls of its own, figures counted here by hand, and
equal, problem by problem, to live `council bench --protocol debate --rounds R` runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.main import main
from council.studies.plan import plan_study
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from council.studies.study_file import load_study
from tests.support.doubling_stub import read_request, reply, write_stub_study
from tests.support.openai_stub import StubBehaviour, openai_stub
from tests.support.study_cascade import assert_equal_to_live, bench

PROBLEMS = range(1, 14)  # n % 4 == 1 four times (1, 5, 9, 13), every other case three
# is the round's majority right, by case n % 4, for rounds 1, 2, 3
RIGHT_IN_ROUND = {
    0: (True, True, True),
    1: (False, True, True),
    2: (True, False, False),
    3: (False, False, True),
}
TOKENS_PER_CALL = 10  # the stub's usage: 7 prompt + 3 completion tokens


def respond(body: dict[str, object]) -> str:
    """Debater `seed` (0, 1, 2) in round r (1 + its assistant turns so far): all right
    where the round's majority is right; else debaters 0 and 1 off by 10r + 1, 2 right."""
    request = read_request(body)
    round_number = 1 + sum(m.get("role") == "assistant" for m in request.messages)
    right = RIGHT_IN_ROUND[request.n % 4][round_number - 1]
    return reply(request.n, 0 if right or request.seed == 2 else 10 * round_number + 1)


ARMS = """
  - {name: debate-3x1, protocol: debate, options: {rounds: 1}}
  - {name: debate-3x2, protocol: debate, options: {rounds: 2}}
  - {name: debate-3x3, protocol: debate, options: {rounds: 3}}
"""


def write_study(tmp_path: Path, base: str, arms: str = ARMS) -> Path:
    return write_stub_study(
        tmp_path,
        base,
        arms,
        name="debate-rounds",
        problems=PROBLEMS,
        gold="plain",
        reference="debate-3x3",
        concurrency=1,
    )


async def test_fewer_rounds_are_read_from_the_longest_debate_and_equal_live_runs(
    tmp_path: Path, grader: Grader
) -> None:
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        study = write_study(tmp_path, base)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        calls_in_study = len(behaviour.requests)
        report = await build_report(tmp_path / "out", grader)
        data = tmp_path / "data.jsonl"
        for rounds in (1, 2):
            debate = ["--protocol", "debate", "--rounds", str(rounds)]
            await asyncio.to_thread(bench, base, data, tmp_path / f"live-{rounds}", debate)
    # only the 3-round debate ran: 13 problems x 3 debaters x 3 rounds
    assert calls_in_study == 13 * 3 * 3
    assert sorted(p.name for p in (tmp_path / "out" / "arms").iterdir()) == ["debate-3x3"]
    arms = {arm.name: arm for arm in report.arms}
    assert arms["debate-3x2"].source == "debate-3x3's first 2 round(s)"
    assert arms["debate-3x2"].recorded and not arms["debate-3x3"].recorded

    # by hand: case sizes 3, 4, 3, 3 for n % 4 = 0, 1, 2, 3
    right = {1: 3 + 3, 2: 3 + 4, 3: 3 + 4 + 3}
    for rounds, name in ((1, "debate-3x1"), (2, "debate-3x2"), (3, "debate-3x3")):
        figures = arms[name].figures
        assert (figures.correct, figures.tokens_per_problem, figures.calls_per_problem) == (
            right[rounds],
            3 * rounds * TOKENS_PER_CALL,
            3 * rounds,
        ), name
    assert_equal_to_live(report, "debate-3x1", tmp_path / "live-1", len(PROBLEMS))
    assert_equal_to_live(report, "debate-3x2", tmp_path / "live-2", len(PROBLEMS))


def test_only_a_debate_making_the_same_calls_serves_fewer_rounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = write_study(tmp_path, "http://127.0.0.1:9/v1")
    plan = plan_study(load_study(study), tmp_path / "out", tmp_path)
    served = {arm.name: arm.prefix and arm.prefix.source_arm for arm in plan.arms}
    assert served == {"debate-3x1": "debate-3x3", "debate-3x2": "debate-3x3", "debate-3x3": None}
    assert main(["study", "plan", str(study), "--out", str(tmp_path / "out")]) == 0
    assert "debate-3x1: read from debate-3x3's first 1 round(s)" in capsys.readouterr().out

    # an arm identical to an earlier one is read from it; the earlier one runs
    twins = tmp_path / "twins"
    twins.mkdir()
    arms = ARMS + "  - {name: debate-again, protocol: debate, options: {rounds: 3}}\n"
    plan = plan_study(load_study(write_study(twins, "http://127.0.0.1:9/v1", arms)), twins, twins)
    again = plan.arm("debate-again").prefix
    assert again is not None and (again.source_arm, again.rounds) == ("debate-3x3", 3)
    assert plan.arm("debate-3x3").prefix is None and plan.arm("debate-3x3").runs

    # another seed, other debaters, early stop, or `pooled: false`: run for real
    for change in (
        "options: {rounds: 1}, settings: {seed: 5}}",
        "options: {rounds: 1, agents: 2}}",
        "options: {rounds: 1, early_stop: true}}",
        "options: {rounds: 1}, pooled: false}",
    ):
        other = tmp_path / change.replace(" ", "").replace(":", "")[:30]
        other.mkdir()
        arms = ARMS.replace("options: {rounds: 1}}", change)
        plan = plan_study(
            load_study(write_study(other, "http://127.0.0.1:9/v1", arms)), other, other
        )
        arm = plan.arm("debate-3x1")
        assert arm.prefix is None and [r.directory.name for r in arm.runs] == ["debate-3x1"], change
        assert plan.arm("debate-3x2").prefix is not None


BEYOND_CONTEXT = {9: 2, 13: 3}
"""Problem n -> the round whose prompts the server refuses as longer than its context."""


async def test_a_debate_stopped_beyond_the_context_is_read_as_live_runs_end(
    tmp_path: Path, grader: Grader
) -> None:
    def refuse(body: dict[str, object]) -> tuple[int, str] | None:
        request = read_request(body)
        round_number = 1 + sum(m.get("role") == "assistant" for m in request.messages)
        if BEYOND_CONTEXT.get(request.n) == round_number:
            return 400, "This model's maximum context length is 512 tokens. However, ..."
        return None

    behaviour = StubBehaviour(responder=respond, refuser=refuse)
    async with openai_stub(behaviour) as base:
        study = write_study(tmp_path, base)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
        data = tmp_path / "data.jsonl"
        for rounds in (1, 2):
            debate = ["--protocol", "debate", "--rounds", str(rounds)]
            await asyncio.to_thread(bench, base, data, tmp_path / f"live-{rounds}", debate)
    results = {arm.name: {r.problem_id: r for r in arm.results} for arm in report.arms}
    ids = {int(problem.split("-")[0]) + 1: problem for problem in results["debate-3x3"]}
    nine, thirteen = ids[9], ids[13]  # ids are "<row>-<hash>", rows from 0
    # problem 9 stopped in round 2: no answer at 2 and 3 rounds, round 1's vote at 1
    assert results["debate-3x1"][nine].answer is not None
    assert results["debate-3x2"][nine].answer is None is results["debate-3x3"][nine].answer
    # problem 13 stopped in round 3: the 2-round debate never reached it
    assert results["debate-3x2"][thirteen].answer is not None
    assert results["debate-3x3"][thirteen].answer is None
    # and the recorded reading equals live 1- and 2-round runs, problem by problem
    assert_equal_to_live(report, "debate-3x1", tmp_path / "live-1", len(PROBLEMS))
    assert_equal_to_live(report, "debate-3x2", tmp_path / "live-2", len(PROBLEMS))
