"""Every arm's noise figure against a loopback OpenAI-compatible server with scripted
answers: measured from an arm's own repeats, borrowed (and labelled so) from the study's
repeated arm with the largest noise, or "not measured"; each comparison is flagged when its
difference is no larger than the larger noise of its two sides. The expected rates are
counted here from the scripted sets."""

from __future__ import annotations

import json
from pathlib import Path

from council.bench.grading import Grader
from council.studies.render import write_report
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from tests.support.doubling_stub import read_request, reply_right_or_wrong, write_rows
from tests.support.openai_stub import StubBehaviour, openai_stub

PROBLEMS = range(1, 11)
SINGLE = {0: set(range(1, 7)), 1000: {1, 2, 3, 4, 7}}  # greedy, by seed: run 1 and run 2
DEBATE = {0: set(range(1, 10)), 1000: set(range(1, 9)) | {10}}  # debaters, by seed group


def respond(body: dict[str, object]) -> str:
    request = read_request(body)
    n, temperature, seed = request.n, request.temperature, request.seed
    if temperature == 0:
        right = n in SINGLE[seed]
    elif temperature == 0.7:  # self-consistency samples: always right
        right = True
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
    # sc-3 has no repeats: it borrows the largest measured noise, single's
    assert (noise["sc-3"].how, noise["sc-3"].rate, noise["sc-3"].source) == (
        "borrowed",
        single_noise,
        "single",
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
    assert "no larger than the run-to-run noise (30.0%, single, measured)" in debate.words
    # sc-3 (every sample right: 10 of 10) vs single: +40%, above the noise: not flagged
    sc3 = comparisons["sc-3"]
    assert sc3.difference == 0.4 and sc3.noise == 0.3 and not sc3.within_noise
    assert sc3.noise_source == "single, measured"  # a measured figure wins a tie

    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "| single | arms/single |" in markdown
    assert "30.0% (measured: 2 runs on 10 problems)" in markdown
    assert "20.0% (measured: 2 runs on 10 problems)" in markdown
    assert "30.0% (borrowed from single's repeats)" in markdown
    assert "| yes (noise 30.0%: single, measured) |" in markdown
    assert "| no (noise 30.0%: single, measured) |" in markdown
    assert (
        "Run-to-run noise (problems two runs of an arm grade differently): single 30.0% "
        "(measured: 2 runs on 10 problems); debate 20.0% (measured: 2 runs on 10 problems); "
        "sc-3 30.0% (borrowed from single's repeats)." in markdown
    )
    page = (tmp_path / "out" / "report.html").read_text()
    assert "<td>30.0% (borrowed from single&#x27;s repeats)</td>" in page
    assert "<td>yes (noise 30.0%: single, measured)</td>" in page
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    by_name = {arm["name"]: arm["noise"] for arm in data["arms"]}
    assert by_name["sc-3"] == {
        "how": "borrowed",
        "rate": 0.3,
        "source": "single",
        "runs": 2,
        "shared": 10,
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
    assert markdown.count("| not measured |") == 2  # the arms table, one per arm
    assert "Noise was not measured (no arm has repeat: 2 or more)" in markdown
    assert "<td>noise not measured</td>" in (tmp_path / "out" / "report.html").read_text()
