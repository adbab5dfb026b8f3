"""Which rows a study runs on, when `data: split:` names them: a seeded random sample (a
fraction or a count of the rows, or the rows left out of that same draw: the held-out
part), a range of rows, or explicit problem ids. A named split of a data set is its own
file (`gsm8k_train.jsonl`, `gsm8k_test.jsonl`): `source:` names the file and `split: name:`
records which part of it this study is.

Before anything runs the selection is written to the study directory: `split.json` (the
rule, the source file's digest, every selected id and a digest of each selected problem)
and `split.jsonl` (the selected problems, one `{id, question, answer}` line each, which
every arm's `council bench` run reads, so a separate `council bench --dataset split.jsonl
--id-field id` runs the very same rows). On a resume the selection is made again and
compared with `split.json`: if the rows changed (the data file, or the split's rule), the
study refuses to go on rather than mix two samples.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from pydantic import BaseModel

from council.bench.datasets import Problem
from council.errors import ConfigError
from council.run_log.config import DatasetSpec
from council.studies.study_file import SplitSection

SPLIT_RECORD = "split.json"
SPLIT_ROWS = "split.jsonl"


class SplitRecord(BaseModel):
    """What `split.json` holds: the rule, what it was applied to, and what it selected."""

    split: SplitSection
    source: str
    source_sha256: str
    """The data file's digest when the split was drawn ("" for a named set on the hub)."""
    rows: int
    """Rows of the source before the split."""
    ids: list[str]
    problems_sha256: str
    """One digest over every selected problem's id, question and gold, in order."""


def select(split: SplitSection, problems: list[Problem]) -> list[Problem]:
    """The split's problems, in the order they are run: a draw (and its held-out rest) in
    the draw's own random order, so any prefix of it (`limit`, a `sequential:` batch) is
    itself a random sample; a range in file order; ids in the order given."""
    if split.ids is not None:
        by_id = {p.id: p for p in problems}
        missing = [i for i in split.ids if i not in by_id]
        if missing:
            raise ConfigError(
                f"data: split: ids not in the data: {', '.join(missing[:5])}"
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            )
        return [by_id[i] for i in split.ids]
    if split.range is not None:
        start, end = split.range
        if end > len(problems):
            raise ConfigError(
                f"data: split: range ends at {end}; the data has {len(problems)} rows"
            )
        return problems[start:end]
    if split.count is not None and split.count > len(problems):
        raise ConfigError(f"data: split: count {split.count}; the data has {len(problems)} rows")
    size = (
        split.count if split.count is not None else round((split.fraction or 0.0) * len(problems))
    )
    rng = random.Random(split.seed)
    drawn = rng.sample(range(len(problems)), size)
    if not split.held_out:
        return [problems[i] for i in drawn]
    taken = set(drawn)
    rest = [i for i in range(len(problems)) if i not in taken]
    rng.shuffle(rest)
    return [problems[i] for i in rest]


def digest(problems: list[Problem]) -> str:
    sha = hashlib.sha256()
    for p in problems:
        sha.update(json.dumps([p.id, p.question, p.gold]).encode())
    return sha.hexdigest()


def file_digest(source: str) -> str:
    path = Path(source)
    if not path.is_file():
        return ""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def record_or_check(
    directory: Path,
    split: SplitSection,
    spec: DatasetSpec,
    rows: int,
    chosen: list[Problem],
    *,
    write: bool = True,
) -> SplitRecord:
    """Write `split.json` and `split.jsonl` the first time (unless `write` is False: a
    plan writes nothing); afterwards refuse a selection that differs from the recorded one
    (a changed file or rule), in one line."""
    record = SplitRecord(
        split=split,
        source=spec.source,
        source_sha256=file_digest(spec.source),
        rows=rows,
        ids=[p.id for p in chosen],
        problems_sha256=digest(chosen),
    )
    path = directory / SPLIT_RECORD
    if path.exists():
        kept = SplitRecord.model_validate_json(path.read_text())
        if kept.split != record.split:
            raise ConfigError(
                f"data: split: changed since the study started ({path} holds "
                f"{kept.split.model_dump_json(exclude_none=True)}); restore it or use a new "
                "study directory"
            )
        if kept.ids != record.ids or kept.problems_sha256 != record.problems_sha256:
            changed = len(set(kept.ids) ^ set(record.ids))
            raise ConfigError(
                f"the split's rows changed since the study started ({changed} ids differ, or "
                f"a question or gold changed; {spec.source} is not the file it was drawn "
                f"from); restore the data or use a new study directory"
            )
        return kept
    if not write:
        return record
    directory.mkdir(parents=True, exist_ok=True)
    rows_path = directory / SPLIT_ROWS
    lines = "".join(
        json.dumps({"id": p.id, "question": p.question, "answer": p.gold}) + "\n" for p in chosen
    )
    for target, text in ((rows_path, lines), (path, record.model_dump_json(indent=2))):
        partial = target.with_name(target.name + ".partial")  # whole or absent, even on a kill
        partial.write_text(text)
        partial.replace(target)
    return record


def rows_spec(directory: Path) -> DatasetSpec:
    """The data every arm reads once the split is recorded: its own rows file."""
    return DatasetSpec(
        source=str((directory / SPLIT_ROWS).resolve()),
        format="jsonl",
        question_field="question",
        answer_field="answer",
        id_field="id",
    )
