"""`council study` with scripted models: a study file's mistakes refused in one line, the
grader check refusing golds it cannot match with themselves, a budget stopping cleanly and
resuming without loss or duplicates, sequential stopping once the comparison is decided,
and the confidence sequence's radius."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.errors import ConfigError
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.run_log.provenance import council_revision, cpu_model
from council.run_log.results import ResultsFile
from council.studies.render import write_report
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from council.studies.stats import PairedTable, confidence_sequence
from council.studies.study_file import load_study


def answer_by_role(call: ScriptedCall) -> str:
    """Debaters answer right, the single solver wrong."""
    found = re.search(r"What is (\d+) \+", " ".join(m.content for m in call.messages))
    assert found is not None
    n = int(found.group(1))
    value = 2 * n if call.role == "debater" else 2 * n + 1
    return f"REASONING: add\nANSWER: {value}"


def scripted() -> RoleModels:
    return RoleModels(ScriptedModel(responder=answer_by_role))


def write(tmp_path: Path, body: str, rows: int = 6, golds: dict[int, str] | None = None) -> Path:
    lines = []
    for n in range(1, rows + 1):
        gold = (golds or {}).get(n, str(2 * n))
        lines.append(json.dumps({"question": f"What is {n} + {n}?", "answer": gold, "id": f"p{n}"}))
    (tmp_path / "data.jsonl").write_text("\n".join(lines) + "\n")
    path = tmp_path / "study.yaml"
    path.write_text(body)
    return path


BASIC = """
name: basic
data: {source: data.jsonl, id_field: id}
reference: single
compute: {match: none}
arms:
  - {name: single, protocol: single}
  - {name: debate, protocol: debate, options: {agents: 2, rounds: 2}}
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            BASIC.replace("reference: single", "reference: nobody"),
            "reference 'nobody' is not an arm",
        ),
        (BASIC.replace("protocol: single}", "protocol: single, graph: x.yaml}"), "exactly one of"),
        (BASIC + "  - {name: single, protocol: single}\n", "single repeated"),
        (BASIC.replace("arms:", "arms: []\nx:"), "x: Extra inputs"),
    ],
)
def test_a_wrong_study_file_is_refused_in_one_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_study(write(tmp_path, body))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_option_the_protocol_does_not_use_is_refused_naming_the_arm(
    tmp_path: Path, grader: Grader
) -> None:
    body = BASIC.replace("protocol: single}", "protocol: single, options: {agents: 3}}")
    with pytest.raises(ConfigError, match="arm 'single': protocol 'single' does not use --agents"):
        StudyRunner(write(tmp_path, body), out=tmp_path / "out", grader=grader)


async def test_a_gold_the_grader_rejects_stops_the_study_until_excluded(
    tmp_path: Path, grader: Grader
) -> None:
    path = write(tmp_path, BASIC, golds={2: "x^2+1", 5: "see figure"})
    runner = StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted())
    with pytest.raises(ConfigError) as caught:
        await runner.run()
    assert "p2 (gold 'x^2+1')" in str(caught.value) and "p5 (gold 'see figure')" in str(
        caught.value
    )
    assert not (tmp_path / "out" / "arms").exists()  # nothing ran
    path.write_text(BASIC.replace("id_field: id}", "id_field: id, exclude: [p2, p5]}"))
    runner = StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted())
    state = await runner.run()
    assert state.status == "done" and state.problem_ids == ["p1", "p3", "p4", "p6"]
    report = await build_report(tmp_path / "out", grader)
    assert [(a.name, a.figures.correct, a.figures.errors) for a in report.arms] == [
        ("single", 0, 0),
        ("debate", 4, 0),
    ]
    assert state.grader_check is not None and state.grader_check.excluded == ["p2", "p5"]


async def test_a_budget_stops_cleanly_and_a_raised_one_resumes(
    tmp_path: Path, grader: Grader
) -> None:
    # concurrency 1: single spends 1 call a problem, debate 4 (2 debaters × 2 rounds)
    body = BASIC + "concurrency: 1\nbudget: {max_tokens: %d}\n"
    one_call = None
    path = write(tmp_path, body % 10**9)
    probe = StudyRunner(path, out=tmp_path / "probe", grader=grader, models=scripted())
    await probe.run()
    one_call = (
        ResultsFile(tmp_path / "probe" / "arms" / "single" / "results.jsonl").heads()[0].tokens
    )
    limit = 6 * one_call + 1  # single's six problems, then one debate problem starts
    path.write_text(body % limit)
    runner = StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted())
    state = await runner.run()
    assert state.status == "budget" and "max_tokens" in state.reason
    debate = tmp_path / "out" / "arms" / "debate" / "results.jsonl"
    kept = len(ResultsFile(debate).heads())
    assert 1 <= kept <= 2  # what had started finished and was kept; nothing new started
    path.write_text(body % 10**9)
    state = await StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted()).run()
    assert state.status == "done"
    ids = [line.problem_id for line in ResultsFile(debate).heads()]
    assert sorted(ids) == [f"p{n}" for n in range(1, 7)]  # nothing lost, nothing twice


async def test_sequential_stopping_ends_once_the_comparison_is_decided(
    tmp_path: Path, grader: Grader
) -> None:
    # at 10 problems the sequence's radius, sqrt(20 · ln(20 / 0.025)) / 10, is above 1: not
    # decided; at 20 it is 0.73, so a difference of 1 excludes 0: decided, 40 rows unrun
    body = BASIC + "sequential: {batch: 10}\n"
    path = write(tmp_path, body, rows=60)
    state = await StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted()).run()
    assert state.status == "decided" and state.limit == 20
    report = await build_report(tmp_path / "out", grader)
    (comparison,) = report.comparisons
    assert comparison.difference == 1.0 and comparison.decided
    single = tmp_path / "out" / "arms" / "single" / "results.jsonl"
    assert len(ResultsFile(single).heads()) == 20


def test_confidence_sequence_radius_by_hand() -> None:
    # t = 40, rho = 10, alpha = 0.05: sqrt(50 · ln(50 / (10 · 0.0025))) / 40
    table = PairedTable(n=40, both=10, only_arm=20, only_other=2, neither=8)
    low, high = confidence_sequence(table, 0.05)
    radius = math.sqrt(50 * math.log(2000)) / 40
    assert (low, high) == pytest.approx((18 / 40 - radius, 18 / 40 + radius))


async def test_council_serve_lists_a_study_and_shows_its_report(
    tmp_path: Path, grader: Grader
) -> None:
    from fastapi.testclient import TestClient

    from council.web.app import WebContext, create_app

    path = write(tmp_path, BASIC)
    await StudyRunner(
        path, out=tmp_path / "studies" / "basic", grader=grader, models=scripted()
    ).run()
    write_report(
        await build_report(tmp_path / "studies" / "basic", grader), tmp_path / "studies" / "basic"
    )
    context = WebContext(
        make_runner=lambda *_: None,  # type: ignore[arg-type,return-value]
        threads_db=tmp_path / "threads.sqlite",
        runs=[tmp_path / "studies"],
    )
    with TestClient(create_app(context), base_url="http://127.0.0.1") as client:
        (listed,) = client.get("/api/studies").json()
        assert listed["name"] == "basic" and listed["status"] == "done" and listed["report"]
        page = client.get("/studies/view", params={"path": listed["path"]})
        assert page.status_code == 200
        assert "debate vs single: +100.0% on 6 paired problems" in page.text
        assert '<link rel="stylesheet" href="/style.css">' in page.text  # no inline style
        assert "data:image/png;base64," in page.text
        data = client.get("/api/studies/report", params={"path": listed["path"]}).json()
        assert [arm["name"] for arm in data["arms"]] == ["single", "debate"]
        missing = client.get("/studies/view", params={"path": str(tmp_path)})
        assert missing.status_code == 400 and "council study report" in missing.json()["detail"]


async def test_every_arm_at_one_declared_budget(tmp_path: Path, grader: Grader) -> None:
    """The baseline is self-consistency at the declared tokens per problem: the pool is
    sized to reach it and the k nearest it is taken; each arm shows its own against it."""
    body = BASIC.replace(
        "compute: {match: none}", "compute: {match: budget, tokens_per_problem: %d}"
    )
    probe = write(tmp_path, BASIC)
    await StudyRunner(probe, out=tmp_path / "probe", grader=grader, models=scripted()).run()
    per_call = (
        ResultsFile(tmp_path / "probe" / "arms" / "single" / "results.jsonl").heads()[0].tokens
    )
    path = write(tmp_path, body % (4 * per_call))
    state = await StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted()).run()
    assert state.pools["self-consistency"].samples == 4
    report = await build_report(tmp_path / "out", grader)
    assert report.tokens_target == 4 * per_call
    for arm in report.arms:
        assert arm.baseline is not None and arm.baseline.k == 4
        assert arm.baseline.target_tokens_per_problem == 4 * per_call
    from council.studies.render import markdown

    assert f"{per_call} (target {4 * per_call})" in markdown(report)


def test_the_example_study_plans_its_pool_and_the_cascade_read_from_it(tmp_path: Path) -> None:
    from council.studies.plan import plan_study

    example = Path(__file__).resolve().parents[2] / "examples" / "studies" / "gsm8k-protocols.yaml"
    plan = plan_study(load_study(example), tmp_path, example.parent)
    served = {arm.name: (arm.pool, arm.k) for arm in plan.arms if arm.pool}
    assert served == {"sc-5": ("self-consistency", 5), "cascade": ("self-consistency", 3)}
    assert [run.directory.name for run in plan.runs()] == [
        "single",
        "single~2",
        "pot",
        "tir",
        "debate",
    ]
    (pool,) = plan.pools
    assert pool.declared_k == (3, 5)


def test_newcombe_interval_equals_the_published_one() -> None:
    """Cavo et al. (2012), complete response before and after consolidation therapy:
    59 both, 6 before only, 16 after only, 80 neither; Fagerland, Lydersen & Laake,
    "Statistical Analysis of Contingency Tables" ch. 8, give the Newcombe square-and-add
    interval -0.0621 (95% CI -0.1186 to -0.0046) (CRAN contingencytables, its tests)."""
    from council.studies.stats import newcombe_interval

    table = PairedTable(n=161, both=59, only_arm=6, only_other=16, neither=80)
    low, high = newcombe_interval(table)
    assert round(table.difference, 4) == -0.0621
    assert (round(low, 4), round(high, 4)) == (-0.1186, -0.0046)


def best_of_n_script(call: ScriptedCall) -> str:
    """Candidate s is right unless (n + s) is a multiple of 3; the verifier scores right
    answers 0.8 - s/100, wrong ones 0.3 - s/100, but candidate 0's wrong answer 0.95."""
    found = re.search(r"What is (\d+) \+", " ".join(m.content for m in call.messages))
    assert found is not None
    n = int(found.group(1))
    if call.role == "verifier":
        given = re.findall(r"\\boxed\{(\d+)\}", call.messages[-1].content)[-1]
        right = int(given) == 2 * n
        score = 0.8 - call.sample / 100 if right else (0.95 if call.sample == 0 else 0.3)
        return f"SCORE: {score:.2f}\nREASON: checked"
    value = 2 * n + 1 if (n + call.sample) % 3 == 0 else 2 * n
    return f"{n} + {n} = {value}. \\boxed{{{value}}}"


async def test_best_of_n_read_from_the_pool_equals_a_run_of_its_own(
    tmp_path: Path, grader: Grader
) -> None:
    body = """
name: pick
data: {source: data.jsonl, id_field: id}
settings: {seed: 0}
reference: bo-2-run
compute: {match: none}
arms:
  - {name: bo-2-run, protocol: best-of-n, options: {samples: 2}, pooled: false}
  - {name: bo-2, protocol: best-of-n, options: {samples: 2}}
  - {name: bo-3, protocol: best-of-n, options: {samples: 3}}
"""
    models = RoleModels(ScriptedModel(responder=best_of_n_script))
    path = write(tmp_path, body)
    state = await StudyRunner(path, out=tmp_path / "out", grader=grader, models=models).run()
    assert state.pools["best-of-n"].samples == 3
    report = await build_report(tmp_path / "out", grader)
    arms = {arm.name: arm.figures for arm in report.arms}
    # by hand: candidate 0 wins whatever follows (0.95 when wrong, 0.80 when right), so
    # pick@2 and pick@3 are right exactly where candidate 0 is: n not a multiple of 3
    assert arms["bo-2"].correct == arms["bo-3"].correct == 4
    timeless = {"seconds_per_problem"}
    assert arms["bo-2"].model_dump(exclude=timeless) == arms["bo-2-run"].model_dump(
        exclude=timeless
    )
    assert arms["bo-3"].tokens_per_problem > arms["bo-2"].tokens_per_problem


async def test_an_arm_budget_stops_that_arm_only(tmp_path: Path, grader: Grader) -> None:
    body = BASIC.replace(
        "options: {agents: 2, rounds: 2}}",
        "options: {agents: 2, rounds: 2}, budget: {max_tokens: 1}}",
    )
    path = write(tmp_path, body + "concurrency: 1\n")
    state = await StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted()).run()
    assert state.status == "budget" and state.reason.startswith("arm debate: max_tokens 1")
    arms = tmp_path / "out" / "arms"
    assert len(ResultsFile(arms / "single" / "results.jsonl").heads()) == 6  # not stopped
    assert len(ResultsFile(arms / "debate" / "results.jsonl").heads()) <= 2
    path.write_text(body.replace("max_tokens: 1}", "max_tokens: 1000000}") + "concurrency: 1\n")
    state = await StudyRunner(path, out=tmp_path / "out", grader=grader, models=scripted()).run()
    assert state.status == "done"
    ids = [line.problem_id for line in ResultsFile(arms / "debate" / "results.jsonl").heads()]
    assert sorted(ids) == [f"p{n}" for n in range(1, 7)]


def test_a_team_puts_roles_on_other_models_and_a_graph_file_is_read_beside_the_study(
    tmp_path: Path,
) -> None:
    from council.studies.plan import plan_study

    (tmp_path / "graphs").mkdir()
    body = """
name: teams
data: {source: data.jsonl}
model: {name: openai/small, api_base: "http://127.0.0.1:9/v1"}
settings: {seed: 3, max_tokens: 256}
reference: single
compute: {match: none}
arms:
  - {name: single, protocol: single}
  - name: team
    protocol: mad
    models: {judge: {name: openai/large, api_base: "http://127.0.0.1:10/v1"}}
  - {name: mine, graph: graphs/mine.yaml, settings: {max_tokens: 64}}
"""
    plan = plan_study(load_study(write(tmp_path, body)), tmp_path / "out", tmp_path)
    team = plan.arm("team").runs[0].spec
    assert team.config.model.name == "openai/small"
    judge = team.config.role_models["judge"]
    assert (judge.name, judge.api_base) == ("openai/large", "http://127.0.0.1:10/v1")
    assert judge.settings.seed == 3 and judge.settings.max_tokens == 256
    mine = plan.arm("mine").runs[0].spec
    assert mine.graph == str(tmp_path / "graphs" / "mine.yaml") and mine.model_given
    assert mine.options.settings.max_tokens == 64 and mine.options.settings.seed == 3
    assert mine.options.settings.model_fields_set == {"seed", "max_tokens"}  # the rest: each
    # protocol's own decoding


def test_study_plan_shows_how_each_arm_runs_without_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from council.main import main

    body = BASIC.replace("compute: {match: none}", "compute: {match: measured}")
    body += "  - {name: sc-4, protocol: self-consistency, options: {samples: 4}}\n"
    path = write(tmp_path, body)
    assert main(["study", "plan", str(path), "--out", str(tmp_path / "out")]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == "data: 6 problems; every gold grades equal to itself"
    assert shown[1] == f"single: runs: {tmp_path / 'out' / 'arms' / 'single'}"
    assert shown[3] == "sc-4: read from pool self-consistency: its first 4 samples"
    assert shown[4].startswith("pool self-consistency: self-consistency in ")
    assert not (tmp_path / "out").exists()
    assert main(["study", "plan", str(tmp_path / "missing.yaml")]) == 1


def test_study_plan_checks_the_golds_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from council.main import main

    path = write(tmp_path, BASIC, golds={2: "x^2+1"})
    assert main(["study", "plan", str(path), "--out", str(tmp_path / "out")]) == 1
    assert "p2 (gold 'x^2+1')" in capsys.readouterr().err
    path.write_text(BASIC.replace("id_field: id}", "id_field: id, exclude: [p2]}"))
    assert main(["study", "plan", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "data: 5 problems, 1 excluded;" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


async def test_problems_without_an_answer_are_counted_apart_from_wrong_answers(
    tmp_path: Path, grader: Grader
) -> None:
    def answer_on_even(call: ScriptedCall) -> str:
        """The solver answers wrong on even n and gives no answer at all on odd n."""
        found = re.search(r"What is (\d+) \+", " ".join(m.content for m in call.messages))
        assert found is not None
        n = int(found.group(1))
        if call.role == "debater":
            return f"REASONING: add\nANSWER: {2 * n}"
        return f"REASONING: add\nANSWER: {2 * n + 1}" if n % 2 == 0 else "I am not sure."

    path = write(tmp_path, BASIC)
    models = RoleModels(ScriptedModel(responder=answer_on_even))
    await StudyRunner(path, out=tmp_path / "out", grader=grader, models=models).run()
    report = await build_report(tmp_path / "out", grader)
    figures = {a.name: a.figures for a in report.arms}
    # by hand: 6 rows, n = 1, 3, 5 unanswered and n = 2, 4, 6 answered wrong
    assert (figures["single"].correct, figures["single"].unanswered) == (0, 3)
    assert (figures["debate"].correct, figures["debate"].unanswered) == (6, 0)
    write_report(report, tmp_path / "out")
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "| single | arms/single | 0/6 | 0.0% | 0.0%–39.0% | 0 | 3 |" in markdown
    # what the two arms' sessions ran on: council's revision (in a checkout) and the CPU
    revision = council_revision()
    assert report.ran_on.startswith("2 sessions; ")
    assert cpu_model() in report.ran_on
    if revision is not None:
        assert f"council {revision[:12]}" in report.ran_on
    assert f"Ran on: {report.ran_on}." in markdown
