"""`data: split:` against a loopback OpenAI-compatible server with scripted answers: the
rows a split names (a range, ids, a seeded draw and its held-out rest) are the rows every
arm runs, recorded in the study directory before anything runs, and a changed file or rule
is refused on resume. Expected figures are counted here from the scripted sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from council.bench.grading import Grader
from council.errors import ConfigError
from council.studies.report import build_report
from council.studies.runner import StudyRunner
from council.studies.study_file import load_study
from tests.support.doubling_stub import read_request, reply_right_or_wrong, write_rows
from tests.support.openai_stub import StubBehaviour, openai_stub

ROWS = range(1, 21)
RIGHT = {1, 2, 4, 5, 9, 12, 13, 17, 20}  # the greedy solver is right on these problems


def respond(body: dict[str, object]) -> str:
    n = read_request(body).n
    return reply_right_or_wrong(n, n in RIGHT)


def write(tmp_path: Path, base: str, split: str) -> Path:
    write_rows(tmp_path / "data.jsonl", ROWS, gold="plain", id_prefix="q")
    study = tmp_path / "study.yaml"
    study.write_text(
        f"""
name: split
data: {{source: data.jsonl, id_field: id, split: {split}}}
model: {{name: openai/stub, api_base: "{base}"}}
settings: {{seed: 0}}
reference: single
compute: {{match: none}}
arms:
  - {{name: single, protocol: single}}
"""
    )
    return study


async def run(study: Path, out: Path, grader: Grader) -> list[str]:
    state = await StudyRunner(study, out=out, grader=grader).run()
    return state.problem_ids


async def test_a_range_split_runs_those_rows_and_records_them_first(
    tmp_path: Path, grader: Grader
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, "{name: search, range: [2, 8]}")
        ids = await run(study, tmp_path / "out", grader)
        report = await build_report(tmp_path / "out", grader)
    assert ids == [f"q{n}" for n in range(3, 9)]  # rows 2..7 hold problems 3..8
    (arm,) = report.arms
    assert (arm.figures.correct, arm.figures.problems) == (len(RIGHT & set(range(3, 9))), 6)
    record = json.loads((tmp_path / "out" / "split.json").read_text())
    assert record["ids"] == ids and record["rows"] == 20 and record["split"]["name"] == "search"
    rows = (tmp_path / "out" / "split.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in rows] == ids
    assert json.loads(rows[0]) == {"id": "q3", "question": "What is 3 + 3?", "answer": "6"}
    assert "split 'search': rows 2 to 7 (6 of 20; ids in split.json)" in report.data


async def test_an_ids_split_keeps_the_order_given_and_limit_caps_it(
    tmp_path: Path, grader: Grader
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, "{name: picked, ids: [q9, q3, q4, q11]}")
        study.write_text(study.read_text().replace("split:", "limit: 3, split:"))
        ids = await run(study, tmp_path / "out", grader)
        report = await build_report(tmp_path / "out", grader)
    assert ids == ["q9", "q3", "q4"]
    assert report.arms[0].figures.correct == 2  # 9 and 4 right, 3 wrong


async def test_a_draw_and_its_held_out_rest_partition_the_rows(
    tmp_path: Path, grader: Grader
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        search = write(tmp_path, base, "{name: search, fraction: 0.25, seed: 7}")
        drawn = await run(search, tmp_path / "search", grader)
        held = search.with_name("held.yaml")
        held.write_text(
            search.read_text().replace(
                "{name: search, fraction: 0.25, seed: 7}",
                "{name: held-out, fraction: 0.25, seed: 7, held_out: true}",
            )
        )
        rest = await run(held, tmp_path / "held", grader)
        report = await build_report(tmp_path / "held", grader)
        again = await run(search, tmp_path / "search-again", grader)
    assert len(drawn) == 5 and len(rest) == 15  # 0.25 of 20 rows, and the other 15
    assert set(drawn) | set(rest) == {f"q{n}" for n in ROWS} and not set(drawn) & set(rest)
    assert again == drawn  # the same seed draws the same rows
    # in the draw's order, not the file's: a prefix (limit, a sequential batch) is random
    assert drawn != sorted(drawn, key=lambda i: int(i[1:]))
    right = sum(int(i[1:]) in RIGHT for i in rest)
    assert report.arms[0].figures.correct == right


async def test_a_changed_data_file_or_rule_is_refused_on_resume(
    tmp_path: Path, grader: Grader
) -> None:
    async with openai_stub(StubBehaviour(responder=respond)) as base:
        study = write(tmp_path, base, "{name: search, range: [0, 10]}")
        await run(study, tmp_path / "out", grader)
        data = tmp_path / "data.jsonl"
        original = data.read_text()
        data.write_text(original.replace("What is 7 + 7?", "What is 7 + 8?"))  # q7 is in it
        with pytest.raises(ConfigError) as edited:
            await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        data.write_text(original)
        study.write_text(study.read_text().replace("range: [0, 10]", "range: [0, 11]"))
        with pytest.raises(ConfigError) as rule:
            await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
        drawn = write(tmp_path, base, "{name: search, count: 6, seed: 1}")
        await run(drawn, tmp_path / "drawn", grader)
        data.write_text("".join(original.splitlines(keepends=True)[1:]))  # q1 gone: a new draw
        with pytest.raises(ConfigError) as redrawn:
            await StudyRunner(drawn, out=tmp_path / "drawn", grader=grader).run()
    assert str(edited.value).startswith("the split's rows changed since the study started")
    assert "data.jsonl is not the file it was drawn from" in str(edited.value)
    assert str(rule.value).startswith("data: split: changed since the study started")
    assert str(redrawn.value).startswith("the split's rows changed since the study started")
    for caught in (edited, rule, redrawn):
        assert "\n" not in str(caught.value)
    ids = json.loads((tmp_path / "out" / "split.json").read_text())["ids"]
    assert ids == [f"q{n}" for n in range(1, 11)]  # the record is left as it was


def test_plan_draws_the_split_writes_nothing_and_checks_a_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from council.main import main

    study = write(tmp_path, "http://127.0.0.1:9", "{name: search, count: 6, seed: 1}")
    out = tmp_path / "out"
    study.write_text(study.read_text().replace("split:", "limit: 4, split:"))
    assert main(["study", "plan", str(study), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("data: 4 problems; every gold grades equal")
    assert not out.exists()
    # a record from an earlier start: the plan holds the data to it, as a resume would
    out.mkdir()
    (out / "split.json").write_text(
        json.dumps(
            {
                "split": {"name": "search", "count": 6, "seed": 1},
                "source": str(tmp_path / "data.jsonl"),
                "source_sha256": "0" * 64,
                "rows": 20,
                "ids": ["q1", "q2", "q3", "q4", "q5", "q6"],
                "problems_sha256": "0" * 64,
            }
        )
    )
    assert main(["study", "plan", str(study), "--out", str(out)]) == 1
    assert "the split's rows changed since the study started" in capsys.readouterr().err
    assert sorted(path.name for path in out.iterdir()) == ["split.json"]


@pytest.mark.parametrize(
    ("split", "message"),
    [
        ("{name: s}", "needs exactly one of fraction, count, range, ids"),
        ("{name: s, fraction: 0.5, count: 3}", "(got fraction, count)"),
        ("{name: s, range: [4, 2]}", "needs 0 <= start < end"),
        ("{name: s, ids: [a, a]}", "each once"),
        ("{name: s, range: [0, 3], held_out: true}", "use it with fraction or count"),
        ("{name: s, fraction: 1.5}", "less than 1"),
        ("{name: s, count: 3}, shuffle: true", "drop shuffle"),
    ],
)
def test_a_wrong_split_is_refused_in_one_line(tmp_path: Path, split: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_study(write(tmp_path, "http://127.0.0.1:9/v1", split))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "study.yaml: data" in str(caught.value)


async def test_ids_not_in_the_data_are_named(tmp_path: Path, grader: Grader) -> None:
    study = write(tmp_path, "http://127.0.0.1:9/v1", "{name: s, ids: [q1, nope]}")
    with pytest.raises(ConfigError, match="data: split: ids not in the data: nope"):
        await StudyRunner(study, out=tmp_path / "out", grader=grader).run()
    assert not (tmp_path / "out" / "split.json").exists()
