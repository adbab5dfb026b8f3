"""The scripted server, study file and live `council bench` runs shared by the tests of a
cascade with a final stage read from recorded calls (`tests/unit/test_study_cascade_stage.py`
with a debate stage, `tests/integration/test_study_cascade_tir.py` with a tir stage, which
needs Docker). The ballots are scripted by problem case (n % 4), temperature and seed."""

from __future__ import annotations

from pathlib import Path

from council.main import main
from council.run_log.summary import summarise_run
from council.studies.outcomes import run_results
from council.studies.report import StudyReport
from council.usage import Usage
from tests.support.doubling_stub import read_request, reply, write_stub_study

PROBLEMS = range(1, 13)
# the value each ballot gives, as an offset from the right answer 2n, by n % 4 (cases
# A = 0: all right; B = 1: greedy wrong, samples right; C = 2 and D = 3: ballots differ)
GREEDY = {0: 0, 1: 1, 2: 1, 3: 1}  # T 0, seed 0: `single`'s call and the cascade's ballot 0
SAMPLE = {  # T 0.7, seed s: the pool's sample s and the cascade's ballot s
    0: {0: 0, 1: 0, 2: 0, 3: 0},
    1: {0: 0, 1: 0, 2: 2, 3: 2},
    2: {0: 0, 1: 0, 2: 0, 3: 3},
    3: {0: 0, 1: 0, 2: 1, 3: 4},
}
DEBATE_RIGHT = {2, 3, 6}  # the debate's last round is right on these, else off by 7
TIR_RIGHT = {3, 7}  # tool-integrated reasoning is right on these, else off by 9
TOKENS_PER_CALL = 10


def respond(body: dict[str, object]) -> str:
    request = read_request(body)
    n, temperature, seed = request.n, request.temperature, request.seed
    if request.has_role("system"):  # tir's prompt
        offset = 0 if n in TIR_RIGHT else 9
    elif temperature == 0:
        offset = GREEDY[n % 4]
    elif temperature == 0.7:
        offset = SAMPLE[seed][n % 4]
    elif request.has_role("assistant"):  # debate, round 2
        offset = 0 if n in DEBATE_RIGHT else 7
    else:  # debate, round 1
        offset = 5 + seed
    return reply(n, off_by=offset)


DEBATE_CASCADE = ["--protocol", "cascade", "--final-stage", "debate"]
FOUR_BALLOTS = ["--samples", "4", "--first-samples", "3", "--threshold", "0.5"]
VOTE_CASCADE = [*DEBATE_CASCADE, *FOUR_BALLOTS]
TIR_CASCADE = ["--protocol", "cascade", "--final-stage", "tir", *FOUR_BALLOTS]
DEBATE_ARMS = """
  - {name: cascade-debate, protocol: cascade, options: {final_stage: debate}}
  - name: cascade-vote
    protocol: cascade
    options: {samples: 4, first_samples: 3, threshold: 0.5, final_stage: debate}
  - {name: debate-3, protocol: debate, settings: {seed: 3}}
  - {name: debate-4, protocol: debate, settings: {seed: 4}}
"""
TIR_ARMS = """
  - name: cascade-tir
    protocol: cascade
    options: {samples: 4, first_samples: 3, threshold: 0.5, final_stage: tir}
  - {name: tir-4, protocol: tir, settings: {seed: 4}}
"""


def write(tmp_path: Path, base: str, arms: str) -> Path:
    single = "\n  - {name: single, protocol: single}"
    return write_stub_study(
        tmp_path,
        base,
        single + arms,
        name="cascade-stage",
        problems=PROBLEMS,
        gold="plain",
        concurrency=1,
    )


def bench(base: str, data: Path, out: Path, protocol: list[str]) -> None:
    """`council bench` of the same cascade on the same rows, model and seed, as a user runs
    it (in this process; the loopback server answers on the test's event loop)."""
    code = main(
        [
            *("bench", "--dataset", str(data), "--model", "openai/stub", "--api-base", base),
            *("--seed", "0", "--workers", "1", "--concurrency", "1", "--out", str(out)),
            *protocol,
        ]
    )
    assert code == 0


def assert_equal_to_live(
    report: StudyReport, name: str, live: Path, problems: int = len(PROBLEMS)
) -> None:
    """The arm read from recorded calls has the live run's figures, problem by problem its
    correctness, answer, tokens and calls, and an attribution of those calls."""
    arm = next(a for a in report.arms if a.name == name)
    summary = summarise_run(live)
    assert (summary.correct, summary.tokens_per_problem) == (
        arm.figures.correct,
        arm.figures.tokens_per_problem,
    ), name
    own = run_results(live)
    read = {r.problem_id: r for r in arm.results}
    assert set(own) == set(read) and len(own) == problems
    for problem_id, result in own.items():
        pooled = read[problem_id]
        assert (pooled.correct, pooled.answer, pooled.tokens, pooled.calls) == (
            result.correct,
            result.answer,
            result.tokens,
            result.calls,
        ), (name, problem_id)
    # its attribution is made of exactly those calls
    assert arm.attribution is not None
    spent = Usage.total(arm.attribution.by_role.values())
    assert (spent.calls, spent.total_tokens) == (
        sum(r.calls for r in own.values()),
        sum(r.tokens for r in own.values()),
    ), name
