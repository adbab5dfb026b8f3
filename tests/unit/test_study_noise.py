"""Every arm's noise figure against a loopback OpenAI-compatible server with scripted
answers: measured from an arm's own repeats or from its pool's disjoint sample blocks,
borrowed (and labelled so) from the arm decoding the same way (greedy or sampled) with the
largest noise, or "not measured"; each comparison is flagged when its difference is no
larger than two runs of its noisier side could differ by chance on its paired problems
(1.96 × √(noise / n)). The expected rates are counted here from the scripted sets."""

from __future__ import annotations

import json
import math
from pathlib import Path

from council.bench.grading import Grader
from council.studies.noise import rerun_spread
from council.studies.render import write_report
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from tests.support.doubling_stub import read_request, reply_right_or_wrong, write_rows
from tests.support.openai_stub import StubBehaviour, openai_stub

PROBLEMS = range(1, 11)
SINGLE = {0: set(range(1, 7)), 1000: {1, 2, 3, 4, 7}}  # greedy, by seed: run 1 and run 2
DEBATE = {0: set(range(1, 10)), 1000: set(range(1, 9)) | {10}}  # debaters, by seed group
SAMPLED = {  # self-consistency samples (T 0.7) by seed; the other seeds: always right
    3: set(range(1, 6)),
    4: set(range(1, 6)) | {9},
    5: {9},
}


def respond(body: dict[str, object]) -> str:
    request = read_request(body)
    n, temperature, seed = request.n, request.temperature, request.seed
    if temperature == 0:
        right = n in SINGLE[seed]
    elif temperature == 0.7:
        right = n in SAMPLED[seed] if seed in SAMPLED else True
    else:  # debaters (T 1.0): seeds 0, 1 in run 1; 1000, 1001 in run 2
        right = n in DEBATE[0 if seed < 1000 else 1000]
    return reply_right_or_wrong(n, right)


def write(tmp_path: Path, base: str, arms: str) -> Path:
    write_rows(tmp_path / "data.jsonl", PROBLEMS, gold="plain")
    study = tmp_path / "study.yaml"
    study.write_text(
        f"""
name: noise
data: {{source: data.jsonl}}
model: {{name: openai/stub, api_base: "{base}"}}
settings: {{seed: 0}}
reference: single
compute: {{match: none}}
arms:
{arms}"""
    )
    return study


REPEATED = """  - {name: single, protocol: single, repeat: 2}
  - {name: debate, protocol: debate, options: {agents: 2, rounds: 1}, repeat: 2}
  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}
"""


async def test_each_arm_shows_its_noise_measured_or_borrowed(
    tmp_path: Path, grader: Grader
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, REPEATED)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
        write_report(report, tmp_path / "out")
    # by hand: single's runs grade 5, 6, 7 differently (3 of 10); debate's 9 and 10 (2 of 10)
    single_noise = len(SINGLE[0] ^ SINGLE[1000]) / 10
    debate_noise = len(DEBATE[0] ^ DEBATE[1000]) / 10
    assert (single_noise, debate_noise) == (0.3, 0.2)
    noise = {arm.name: arm.noise for arm in report.arms}
    assert (noise["single"].how, noise["single"].rate) == ("measured", single_noise)
    assert (noise["single"].runs, noise["single"].shared) == (2, 10)
    assert (noise["debate"].how, noise["debate"].rate) == ("measured", debate_noise)
    # sc-3 has no repeats and its pool only 3 samples: it borrows the largest noise
    # measured on a sampled arm, debate's; greedy single's is not lent to it
    assert (noise["sc-3"].how, noise["sc-3"].rate, noise["sc-3"].source) == (
        "borrowed",
        debate_noise,
        "debate",
    )
    comparisons = {c.arm: c for c in report.comparisons}
    # debate (run 1: 1..9) vs single (run 1: 1..6): +3 of 10 = 30%, no larger than 30%
    debate = comparisons["debate"]
    assert debate.difference == len(DEBATE[0] - SINGLE[0]) / 10 == 0.3
    assert (debate.noise, debate.noise_source, debate.within_noise) == (
        0.3,
        "single, measured",
        True,
    )
    # by hand: 1.96 × √(0.3 / 10) = 1.96 × 0.17321 = 0.33948, and 0.3 is no larger
    assert debate.noise_spread is not None and abs(debate.noise_spread - 0.33948) < 1e-4
    assert (
        "it is within run-to-run noise (two runs could differ by ±33.9% on these problems "
        "from a noise of 30.0%: single, measured), so it may be noise" in debate.words
    )
    # sc-3 (every sample right: 10 of 10) vs single: +40%, above ±33.9%: not flagged
    sc3 = comparisons["sc-3"]
    assert sc3.difference == 0.4 and sc3.noise == 0.3 and not sc3.within_noise
    assert sc3.noise_source == "single, measured"  # the larger side's

    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "| single | arms/single |" in markdown
    assert "30.0% (measured: 2 runs with new seeds on 10 problems)" in markdown
    assert "20.0% (measured: 2 runs with new seeds on 10 problems)" in markdown
    assert "20.0% (borrowed from debate's 2 runs with new seeds on 10 problems)" in markdown
    assert "| yes (±33.9% from noise 30.0%: single, measured) |" in markdown
    assert "| no (±33.9% from noise 30.0%: single, measured) |" in markdown
    assert (
        "Run-to-run noise (problems two runs of an arm grade differently): single 30.0% "
        "(measured: 2 runs with new seeds on 10 problems); debate 20.0% (measured: 2 runs "
        "with new seeds on 10 problems); sc-3 20.0% (borrowed from debate's 2 runs with new "
        "seeds on 10 problems)." in markdown
    )
    page = (tmp_path / "out" / "report.html").read_text()
    assert (
        "<td>20.0% (borrowed from debate&#x27;s 2 runs with new seeds on 10 problems)</td>" in page
    )
    assert "<td>yes (±33.9% from noise 30.0%: single, measured)</td>" in page
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    by_name = {arm["name"]: arm["noise"] for arm in data["arms"]}
    assert by_name["sc-3"] == {
        "how": "borrowed",
        "rate": 0.2,
        "source": "debate",
        "runs": 2,
        "shared": 10,
        "decoding": "sampled",
        "measured_from": "2 runs with new seeds on 10 problems",
    }
    assert [(c["arm"], c["within_noise"], c["noise"]) for c in data["comparisons"]] == [
        ("debate", True, 0.3),
        ("sc-3", False, 0.3),
    ]


async def test_without_repeats_every_arm_says_not_measured(tmp_path: Path, grader: Grader) -> None:
    arms = """  - {name: single, protocol: single}
  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}
"""
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, arms)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
        write_report(report, tmp_path / "out")
    assert [(arm.noise.how, arm.noise.rate) for arm in report.arms] == [
        ("not measured", None),
        ("not measured", None),
    ]
    (comparison,) = report.comparisons
    assert comparison.noise is None and not comparison.within_noise
    assert comparison.words.endswith("; run-to-run noise was not measured.")
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "| noise not measured |" in markdown
    assert markdown.count("| not measured |") == 1  # the arms table: single
    assert markdown.count("| not measured (no sampled arm was repeated) |") == 1  # sc-3
    assert "Noise was not measured (no arm has repeat: 2 or more, and no pool holds two" in markdown
    assert "<td>noise not measured</td>" in (tmp_path / "out" / "report.html").read_text()


def majority_right(seeds: range, n: int) -> bool:
    """Self-consistency's vote over these samples by hand: two answers only (2n or
    2n + 1), so the right one wins with more than half the ballots."""
    right = sum(n in SAMPLED.get(seed, set(PROBLEMS)) for seed in seeds)
    return 2 * right > len(seeds)


BLOCKS = """  - {name: single, protocol: single, repeat: 2, repeat_seed: same}
  - {name: single-b, protocol: single}
  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}
  - {name: sc-6, protocol: self-consistency, options: {samples: 6}}
  - {name: debate, protocol: debate, options: {agents: 2, rounds: 1}}
"""


async def test_a_pooled_arm_measures_its_noise_from_disjoint_blocks_of_the_pool(
    tmp_path: Path, grader: Grader
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, BLOCKS).read_text()
        study = study.replace(
            "compute: {match: none}", "compute: {match: budget, tokens_per_problem: 1}"
        )
        (tmp_path / "study.yaml").write_text(study)
        await StudyRunner(tmp_path / "study.yaml", out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
        write_report(report, tmp_path / "out")
    # the pool holds 6 samples (sc-6's); sc-3's blocks are seeds 0-2 and seeds 3-5
    first = {n for n in PROBLEMS if majority_right(range(0, 3), n)}
    second = {n for n in PROBLEMS if majority_right(range(3, 6), n)}
    assert (first, second) == (set(PROBLEMS), {1, 2, 3, 4, 5, 9})
    block_noise = len(first ^ second) / 10
    noise = {arm.name: arm.noise for arm in report.arms}
    assert (noise["sc-3"].how, noise["sc-3"].rate, noise["sc-3"].decoding) == (
        "measured",
        block_noise,
        "sampled",
    )
    assert noise["sc-3"].measured_from == (
        "2 disjoint blocks of 3 of pool self-consistency's samples on 10 problems"
    )
    # greedy single twice at one seed on a deterministic server: 0, and lent to no sampled arm
    assert (noise["single"].how, noise["single"].rate) == ("measured", 0.0)
    assert noise["single"].measured_from == "2 runs with the same seed on 10 problems"
    # sc-6 (one block of 6) and debate (no repeats) borrow sc-3's, the only sampled lender
    for arm in ("sc-6", "debate"):
        assert (noise[arm].how, noise[arm].rate, noise[arm].source) == (
            "borrowed",
            block_noise,
            "sc-3",
        )
    # the matched baselines at budget 1 token: self-consistency@1, six blocks of one
    # sample; its noise is the largest disagreement of sample 0 with another sample
    baselines = {arm.name: arm.baseline for arm in report.arms if arm.baseline}
    assert sorted(baselines) == ["debate", "single", "single-b"]
    matched = baselines["single"]
    assert matched is not None and matched.k == 1
    per_sample = [{n for n in PROBLEMS if majority_right(range(s, s + 1), n)} for s in range(6)]
    sample_noise = max(len(per_sample[0] ^ other) for other in per_sample[1:]) / 10
    assert sample_noise == 0.9  # seed 0 is right on all 10, seed 5 on problem 9 only
    assert (matched.noise.how, matched.noise.rate) == ("measured", sample_noise)
    against = {(c.arm, c.against): c for c in report.comparisons}
    vs_baseline = against[("single", "self-consistency@1 (matched)")]
    assert (vs_baseline.noise, vs_baseline.noise_source) == (
        sample_noise,
        "self-consistency@1 (matched), measured",
    )
    # the baseline's noise is its own: the sampled arms still borrow sc-3's, not its larger one
    assert noise["debate"].rate == block_noise < sample_noise
    # single-b (greedy) borrows single's 0: a noise of 0 holds no difference, not even 0
    same = against[("single-b", "single")]
    assert (same.difference, same.noise, same.within_noise) == (0.0, 0.0, False)
    assert "may be noise" not in same.words
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert (
        "| sc-3 | 2 disjoint blocks of 3 of pool self-consistency's samples on 10 problems | 2 "
        "| 10 | 40.0% |" in markdown
    )


async def test_a_sampled_arm_does_not_borrow_a_greedy_arms_noise(
    tmp_path: Path, grader: Grader
) -> None:
    arms = """  - {name: single, protocol: single, repeat: 2}
  - {name: sc-3, protocol: self-consistency, options: {samples: 3}}
  - {name: single-b, protocol: single}
"""
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, arms)
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        report = await build_report(tmp_path / "out", grader)
    noise = {arm.name: arm.noise for arm in report.arms}
    single_noise = len(SINGLE[0] ^ SINGLE[1000]) / 10
    assert (noise["single-b"].how, noise["single-b"].rate, noise["single-b"].source) == (
        "borrowed",
        single_noise,
        "single",
    )
    assert (noise["sc-3"].how, noise["sc-3"].rate) == ("not measured", None)
    assert noise["sc-3"].words() == "not measured (no sampled arm was repeated)"


def test_the_rerun_spread_shrinks_with_problems_and_covers_chance() -> None:
    # an arm whose two runs disagree on a third of problems: on 300 problems they disagree
    # on 100, each favouring either run with probability 1/2 (X ~ Binomial(100, 1/2)), so
    # their accuracy difference is (2X - 100) / 300
    spread = rerun_spread(1 / 3, 300)
    assert abs(spread - 1.959964 * math.sqrt(1 / 900)) < 1e-9  # 0.06533
    within = sum(math.comb(100, x) for x in range(101) if abs(2 * x - 100) / 300 <= spread)
    assert 0.93 < within / 2**100 < 0.97  # exact: P(41 <= X <= 59) = 0.943
    # a 10-point difference is beyond it on 300 problems (the rate itself, 33%, would have
    # called it noise), but within it on 30, where two runs differ by up to ±20.7%
    assert spread < 0.10 and 0.10 < rerun_spread(1 / 3, 30) < 0.21
    assert rerun_spread(0.0, 30) == 0.0 and rerun_spread(0.5, 0) == 0.0
