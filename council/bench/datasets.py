"""Benchmark problems from JSONL files (GSM8K, MATH-style, or any field mapping).

Named sets load from their public source when `datasets` is installed and a network is
there; otherwise the user gives a local path. Nothing here reaches a hub in tests
(`HF_HUB_OFFLINE=1` / `COUNCIL_OFFLINE=1` skip it outright).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from pydantic import BaseModel, Field

from council.answers import last_boxed
from council.errors import DatasetError
from council.problem_info import ProblemInfo
from council.run_log.config import DatasetFormat, DatasetSpec

NAMED_SETS: dict[str, tuple[str, str | None, str, DatasetFormat]] = {
    # name: (hub path, config, split, format)
    "gsm8k": ("openai/gsm8k", "main", "test", "gsm8k"),
    "math500": ("HuggingFaceH4/MATH-500", None, "test", "math"),
}


class Problem(BaseModel):
    """One benchmark item. `id` is stable across runs (resume keys on it)."""

    id: str
    question: str
    gold: str
    gold_solution: str | None = None
    source: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    info: ProblemInfo = Field(default_factory=ProblemInfo)
    """The row's subject (`type`, else `subject`) and `level`, as MATH and MATH-500 give
    them; a run gets them with the question (tool-planner's prompts show them)."""


def _gsm8k_gold(answer: str) -> str:
    if "####" not in answer:
        raise ValueError("GSM8K answer has no '#### <number>' line")
    gold = answer.rsplit("####", 1)[1].strip().replace(",", "")
    if not gold:
        raise ValueError("GSM8K answer is empty after '####'")
    return gold


def _math_gold(row: dict[str, Any]) -> tuple[str, str | None]:
    if row.get("answer") not in (None, ""):
        return str(row["answer"]).strip(), row.get("solution")
    solution = row.get("solution")
    if not isinstance(solution, str):
        raise ValueError("needs an 'answer' field or a 'solution' with \\boxed{...}")
    boxed = last_boxed(solution)
    if not boxed:
        raise ValueError("the 'solution' has no \\boxed{...} answer")
    return boxed, solution


def detect_format(row: dict[str, Any]) -> DatasetFormat:
    if "question" in row and isinstance(row.get("answer"), str) and "####" in row["answer"]:
        return "gsm8k"
    if "problem" in row and ("solution" in row or "answer" in row):
        return "math"
    return "jsonl"


def problem_from_row(
    row: dict[str, Any], index: int, spec: DatasetSpec, fmt: DatasetFormat, source: str
) -> Problem:
    """One row as a problem; a `ValueError` says what is wrong with the row (the reader
    adds which file and line)."""
    question_field = spec.question_field or ("question" if fmt == "gsm8k" else "problem")
    if fmt == "jsonl" and spec.question_field is None:
        question_field = "question"
    parts = [row.get(name.strip()) for name in question_field.split(",")]
    if not all(isinstance(part, str) and part.strip() for part in parts):
        raise ValueError(
            f"missing or empty question field {question_field!r} "
            "(set --question-field; several fields join with commas: body,question)"
        )
    question = " ".join(str(part).strip() for part in parts)
    solution = None
    if spec.answer_field:
        if row.get(spec.answer_field) in (None, ""):
            raise ValueError(f"missing or empty answer field {spec.answer_field!r}")
        raw = str(row[spec.answer_field])
        gold = _gsm8k_gold(raw) if fmt == "gsm8k" else raw.strip()
    elif fmt == "gsm8k":
        answer = row.get("answer")
        if not isinstance(answer, str):
            raise ValueError("missing 'answer' field")
        gold, solution = _gsm8k_gold(answer), answer
    elif fmt == "math":
        gold, solution = _math_gold(row)
    else:
        if row.get("answer") in (None, ""):
            raise ValueError("missing or empty answer field 'answer' (set --answer-field)")
        gold = str(row["answer"]).strip()
    identifier = str(row[spec.id_field]) if spec.id_field and spec.id_field in row else None
    if identifier is None:
        digest = hashlib.sha256(question.encode()).hexdigest()[:10]
        identifier = f"{index}-{digest}"
    return Problem(
        id=identifier,
        question=question.strip(),
        gold=gold,
        gold_solution=solution,
        source=source,
        metadata={"row": index},
        info=ProblemInfo.from_row(row),
    )


def _offline() -> bool:
    return any(os.environ.get(k) == "1" for k in ("HF_HUB_OFFLINE", "COUNCIL_OFFLINE"))


def load_named(name: str, spec: DatasetSpec) -> list[Problem]:
    hub, config, split, fmt = NAMED_SETS[name]
    hint = f"pass a local copy instead: --dataset path/to/{name}.jsonl (one JSON object per line)"
    if _offline():
        raise DatasetError(f"data set {name!r} needs the network (offline mode is on); {hint}")
    try:
        import datasets  # optional extra: Hugging Face datasets, for named sets from the hub
    except ImportError as exc:
        raise DatasetError(
            f"loading {name!r} from its public source needs `pip install datasets`; or {hint}"
        ) from exc
    try:
        rows = datasets.load_dataset(hub, config, split=split)
    except Exception as exc:
        raise DatasetError(
            f"could not load {name!r} from its public source ({exc}); {hint}"
        ) from exc
    return [problem_from_row(dict(row), i, spec, fmt, name) for i, row in enumerate(rows)]
