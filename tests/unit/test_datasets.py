from __future__ import annotations

import json
from pathlib import Path

import pytest

from council.bench.problem_set import load_problems
from council.errors import DatasetError
from council.run_log.config import DatasetSpec


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_gsm8k_gold_is_the_number_after_hashes(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "g.jsonl",
        [
            {"question": "Q1?", "answer": "work\n#### 1,200"},
            {"question": "Q2?", "answer": "more work\n#### 7"},
        ],
    )
    problems = load_problems(DatasetSpec(source=str(path)))
    assert [p.gold for p in problems] == ["1200", "7"]
    assert problems[0].gold_solution == "work\n#### 1,200"


def test_math_gold_is_the_last_boxed_with_nested_braces(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "m.jsonl",
        [
            {"problem": "P?", "solution": r"first \boxed{1}, then \boxed{\frac{1}{2}}"},
            {"problem": "P2?", "answer": "3"},
        ],
    )
    assert [p.gold for p in load_problems(DatasetSpec(source=str(path)))] == [r"\frac{1}{2}", "3"]


def test_field_mapping_and_joined_question_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"body": "Tom has 3 apples.", "ask": "How many?", "result": "3", "uid": "a1"},
        ],
    )
    spec = DatasetSpec(
        source=str(path), question_field="body,ask", answer_field="result", id_field="uid"
    )
    problem = load_problems(spec)[0]
    assert problem.question == "Tom has 3 apples. How many?"
    assert problem.gold == "3" and problem.id == "a1"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"question": "Q", "answer": "#### 1"}, "{not json"], ":2: not valid JSON"),
        ([{"problem": "P", "solution": "no box"}], ":1: the 'solution' has no \\boxed"),
        ([{"text": "x", "answer": "1"}], ":1: missing or empty question field 'question'"),
        ([{"question": "Q", "answer": ""}], ":1: missing or empty answer field"),
        (["[1, 2]"], ":1: expected a JSON object per line"),
    ],
)
def test_malformed_lines_name_file_and_line(
    tmp_path: Path, rows: list[object], message: str
) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(DatasetError) as caught:
        load_problems(DatasetSpec(source=str(path)))
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_gsm8k_format_requires_the_hash_line(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "g.jsonl",
        [{"question": "Q", "answer": "#### 2"}, {"question": "Q", "answer": "no hashes"}],
    )
    with pytest.raises(DatasetError, match=r"g.jsonl:2: GSM8K answer has no '####"):
        load_problems(DatasetSpec(source=str(path), format="gsm8k"))


def test_shuffle_with_seed_is_deterministic_then_limited(shared_datasets: Path) -> None:
    spec = DatasetSpec(
        source=str(shared_datasets / "gsm8k_train.jsonl"), shuffle=True, seed=0, limit=5
    )
    first = [p.id for p in load_problems(spec)]
    assert first == [p.id for p in load_problems(spec)]
    other = load_problems(spec.model_copy(update={"seed": 1}))
    assert first != [p.id for p in other]
    assert len(first) == 5


def test_named_set_offline_says_what_to_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNCIL_OFFLINE", "1")
    with pytest.raises(DatasetError, match=r"--dataset path/to/gsm8k\.jsonl"):
        load_problems(DatasetSpec(source="gsm8k"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        load_problems(DatasetSpec(source=str(tmp_path / "nope.jsonl")))


def test_shared_math_and_amc_sets_load(shared_datasets: Path) -> None:
    math = load_problems(DatasetSpec(source=str(shared_datasets / "minerva_math_test.jsonl")))
    amc = load_problems(DatasetSpec(source=str(shared_datasets / "amc23_test.jsonl")))
    assert len(math) == 272 and len(amc) == 40
