"""What keeps a large run's memory flat: problems read from the file as the run goes, the
summary folded line by line (each problem counted by its latest line), resume reading only
what it needs, and a bounded memory of stored messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.problem_set import ProblemSet, load_problems
from council.bench.runner import WRITE_BACKLOG, run_benchmark
from council.errors import DatasetError
from council.messages import Message
from council.models.roles import RoleModels
from council.models.scripted import ScriptedModel
from council.protocols import RunSpec
from council.run_log import message_store as messages_module
from council.run_log.config import DatasetSpec
from council.run_log.ledger import Ledger
from council.run_log.message_store import MessageStore, message_hash
from council.run_log.results import ResultHead, ResultLine, ResultsFile
from council.run_log.summary import Summary, summarise, summarise_run
from council.run_log.tail import last_lines
from council.usage import ExactSum
from tests.support.runs import doubling


def write_rows(path: Path, count: int, *, blank_every: int = 0) -> Path:
    with path.open("w") as handle:
        for i in range(count):
            handle.write(json.dumps({"question": f"What is {i} + {i}?", "answer": str(2 * i)}))
            handle.write("\n\n" if blank_every and i % blank_every == 0 else "\n")
    return path


def head(problem: str, **fields: object) -> ResultLine:
    return ResultLine(problem_id=problem, question="q", gold="1", **fields)  # type: ignore[arg-type]


def test_a_problem_set_streams_the_same_problems_as_the_list_on_every_pass(
    tmp_path: Path,
) -> None:
    data = write_rows(tmp_path / "data.jsonl", 50, blank_every=7)
    for spec in (
        DatasetSpec(source=str(data)),
        DatasetSpec(source=str(data), limit=9),
        DatasetSpec(source=str(data), shuffle=True, seed=3),
        DatasetSpec(source=str(data), shuffle=True, seed=3, limit=11),
    ):
        problems = ProblemSet(spec)
        first = list(problems)
        assert first == list(problems) and len(problems) == len(first)
        assert [p.id for p in first] == [p.id for p in load_problems(spec)]
    shuffled = [p.metadata["row"] for p in ProblemSet(DatasetSpec(source=str(data), shuffle=True))]
    assert sorted(shuffled) == list(range(50)) and shuffled != list(range(50))


def test_a_bad_row_anywhere_stops_the_set_from_opening(tmp_path: Path) -> None:
    data = write_rows(tmp_path / "data.jsonl", 30)
    with data.open("a") as handle:
        handle.write('{"question": "no answer"}\n')
    with pytest.raises(DatasetError, match=r"data.jsonl:31: missing or empty answer field"):
        ProblemSet(DatasetSpec(source=str(data), limit=2))  # before any problem is read


async def test_the_run_pulls_problems_only_as_earlier_ones_finish(
    tmp_path: Path, grader: Grader
) -> None:
    pulled = 0
    finished = 0
    most_ahead = 0

    def problems() -> Iterator[Problem]:
        nonlocal pulled, most_ahead
        for i in range(200):
            pulled += 1
            most_ahead = max(most_ahead, pulled - finished)
            yield Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i))

    def counted(line: ResultLine) -> None:
        nonlocal finished
        finished += 1

    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    summary = await run_benchmark(
        runner, problems(), tmp_path, grader=grader, concurrency=3, on_result=counted
    )
    assert summary.graded == 200 and pulled == 200
    # in flight, waiting for the writer, and the one just pulled: whatever the run's size
    assert most_ahead <= 3 * (1 + WRITE_BACKLOG) + 1


async def test_a_repeated_id_runs_once(tmp_path: Path, grader: Grader) -> None:
    twice = [Problem(id="a", question="What is 1 + 1?", gold="2")] * 2
    others = [Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(2 * i)) for i in (3, 4)]
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    summary = await run_benchmark(
        runner, [*twice, *others, *twice], tmp_path, grader=grader, concurrency=4
    )
    ids = [line.problem_id for line in ResultsFile(tmp_path / "results.jsonl").read()]
    assert sorted(ids) == ["a", "q3", "q4"] and summary.graded == 3


def test_the_ledger_counts_each_problem_by_its_latest_line() -> None:
    lines = [
        head("a", error="ModelError: down"),
        head("b", correct=True, prompt_tokens=5, cost_usd=0.1, extractions={"boxed": 1}),
        head("a", error="ModelError: down again"),
        head("c", error="ModelError: down"),
        head("a", correct=False, completion_tokens=7, cost_usd=0.2, stopped_round=2),
    ]
    ledger = Ledger()
    for line in lines:
        ledger.add(line)
    assert ledger.exact and ledger.done == {"a", "b"} and ledger.errored == {"c"}
    latest = {line.problem_id: line for line in lines}
    assert summarise(lines, 1.0) == summarise(latest.values(), 1.0)
    summary = summarise(lines, 1.0)
    assert (summary.problems, summary.graded, summary.errors, summary.correct) == (3, 2, 1, 1)
    assert summary.tokens_total == 12 and summary.cost_usd == pytest.approx(0.3)
    assert summary.mean_stop_round == 2 and summary.extraction_methods == {"boxed": 1}


def test_a_done_problem_recorded_again_is_read_the_slow_way(tmp_path: Path) -> None:
    results = ResultsFile(tmp_path / "results.jsonl")
    results.append_many([head("a", correct=True), head("b"), head("a", correct=False)])
    ledger = Ledger()
    for line in results.iter_heads():
        ledger.add(line)
    assert not ledger.exact  # the first "a" is in the sums and cannot be taken back out
    assert Ledger.read(results).exact
    summary = summarise_run(tmp_path)
    assert summary.graded == 2 and summary.correct == 0  # "a"'s latest line is wrong


def test_summaries_do_not_depend_on_the_order_lines_arrive() -> None:
    costs = [0.1, 1e16, 0.2, -1e16, 0.3] * 3
    forward, backward = ExactSum(), ExactSum()
    for cost in costs:
        forward.add(cost)
    for cost in reversed(costs):
        backward.add(cost)
    assert forward.value == backward.value == pytest.approx(1.8)


def test_a_finished_runs_summary_is_the_one_it_wrote(tmp_path: Path, grader: Grader) -> None:
    import asyncio

    problems = [Problem(id=f"q{i}", question=f"What is {i} + {i}?", gold=str(i)) for i in range(9)]
    runner = RunSpec(graph="single").build(models=RoleModels(ScriptedModel(responder=doubling)))
    written = asyncio.run(run_benchmark(runner, problems, tmp_path, grader=grader))
    again = summarise_run(tmp_path, written.wall_seconds)
    assert again == Summary.model_validate_json((tmp_path / "summary.json").read_text())
    heads = ResultsFile(tmp_path / "results.jsonl").latest(ResultHead).values()
    # from heads alone, all but the usage by role and agent (which is in the calls)
    assert again.model_copy(update={"usage": None}) == summarise(list(heads), written.wall_seconds)
    assert again.usage is not None and again.usage.by_role["solver"].calls == 9
    assert isinstance(next(iter(heads)), ResultHead)


def test_last_lines_reads_from_the_end_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    lines = [(f"{i}:" + "x" * (i * 9000)).encode() + b"\n" for i in range(12)]
    path.write_bytes(b"".join(lines) + b"torn")
    assert last_lines(path, 3) == [*lines[-2:], b"torn"]
    assert last_lines(path, 100) == [*lines, b"torn"]


def test_stored_messages_are_remembered_for_a_window_then_stored_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages_module, "RECENT_MESSAGES", 3)
    store = MessageStore(tmp_path)
    system, *others = [Message.user(f"m{i}") for i in range(6)]
    for other in others:  # the system prompt with every call: always recent
        store.add([system, other])
    store.add([others[0]])  # four distinct messages later: forgotten, so stored again
    stored = store.path.read_text().splitlines()
    assert len(stored) == 7
    assert set(MessageStore(tmp_path).read()) == {message_hash(m) for m in [system, *others]}
    reopened = MessageStore(tmp_path)  # knows the file's last lines only
    reopened.add([others[-1], others[0]])
    assert len(store.path.read_text().splitlines()) == 7
