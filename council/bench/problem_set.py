"""A run's problems as a stream, read from the data file on each pass: a run of any size
holds the problems in flight, not the data set.

The file is checked whole when the set is opened (every row must make a problem; they are
counted), so a bad row stops a run before it starts rather than hours into it. In file
order nothing per row is kept; a shuffled set keeps each row's byte offset and the
shuffled row order (16 bytes a row, 1.6 MB for 100,000 rows) to read the rows in that
order. A named set (gsm8k, math500: a few thousand rows from the hub) is held in memory.
"""

from __future__ import annotations

import itertools
import json
import random
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from council.bench.datasets import NAMED_SETS, Problem, detect_format, load_named, problem_from_row
from council.errors import DatasetError
from council.run_log.config import DatasetFormat, DatasetSpec


class Problems(Protocol):
    """What a run reads problems from: any sized iterable (a list, a `ProblemSet`)."""

    def __iter__(self) -> Iterator[Problem]: ...

    def __len__(self) -> int: ...


class ProblemSet:
    """The problems a `DatasetSpec` names, in a deterministic order (shuffled with the seed,
    then limited), the same on every pass."""

    def __init__(self, spec: DatasetSpec) -> None:
        self.spec = spec
        self.path = Path(spec.source)
        self._held: list[Problem] | None = None
        self._format: DatasetFormat = spec.format
        self._rows = 0
        self._offsets = array("q")
        """Where each row starts in the file (only when shuffled)."""
        self._order: array[int] | None = None
        """Row indices in run order (only when shuffled)."""
        if spec.source in NAMED_SETS and not self.path.exists():
            self._held = self._arranged(load_named(spec.source, spec))
        else:
            self._check()

    def __len__(self) -> int:
        if self._held is not None:
            return len(self._held)
        return min(self._rows, self.spec.limit) if self.spec.limit else self._rows

    def __iter__(self) -> Iterator[Problem]:
        if self._held is not None:
            return iter(self._held)
        if self._order is None:
            return itertools.islice(self._in_file_order(), len(self))
        return self._in_shuffled_order()

    def _arranged(self, problems: list[Problem]) -> list[Problem]:
        if self.spec.shuffle:
            random.Random(self.spec.seed).shuffle(problems)
        return problems[: self.spec.limit] if self.spec.limit else problems

    def _check(self) -> None:
        """Read every row once: valid, counted, its format detected (from the first row),
        and, to shuffle, where it starts."""
        if not self.path.is_file():
            raise DatasetError(f"data set file {str(self.path)!r} not found")
        offset = 0
        with self.path.open("rb") as handle:
            for line_number, raw in enumerate(handle, start=1):
                start, offset = offset, offset + len(raw)
                if not raw.strip():
                    continue
                row = self._row(raw, line_number)
                if self._format == "auto":
                    self._format = detect_format(row)
                self._problem(row, self._rows, line_number)
                if self.spec.shuffle:
                    self._offsets.append(start)
                self._rows += 1
        if not self._rows:
            raise DatasetError(f"{self.path}: no problems in the file")
        if self.spec.shuffle:
            # shuffling the row indices moves them exactly as shuffling the problems would
            self._order = array("q", range(self._rows))
            random.Random(self.spec.seed).shuffle(self._order)

    def _in_file_order(self) -> Iterator[Problem]:
        index = 0
        with self.path.open("rb") as handle:
            for line_number, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield self._problem(self._row(raw, line_number), index, line_number)
                    index += 1

    def _in_shuffled_order(self) -> Iterator[Problem]:
        assert self._order is not None
        with self.path.open("rb") as handle:
            for index in itertools.islice(self._order, len(self)):
                handle.seek(self._offsets[index])
                raw = handle.readline()
                yield self._problem(self._row(raw, None), index, None)

    def _row(self, raw: bytes, line_number: int | None) -> dict[str, Any]:
        try:
            row = json.loads(raw)
        except ValueError as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise DatasetError(
                f"{self._where(line_number)}: not valid JSON ({reason}); fix or remove that line"
            ) from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{self._where(line_number)}: expected a JSON object per line")
        return row

    def _problem(self, row: dict[str, Any], index: int, line_number: int | None) -> Problem:
        try:
            return problem_from_row(row, index, self.spec, self._format, str(self.path))
        except ValueError as exc:
            raise DatasetError(f"{self._where(line_number)}: {exc}") from exc

    def _where(self, line_number: int | None) -> str:
        if line_number is None:  # a shuffled read: every row was checked when opened
            return f"{self.path} (changed since the run opened it)"
        return f"{self.path}:{line_number}"


def load_problems(spec: DatasetSpec) -> list[Problem]:
    """Every problem, in a list, in the run's order (shuffle with the seed, then limit): for
    small sets and callers that index them. A run streams them instead
    (`ProblemSet`), so the data set is never held whole."""
    return list(ProblemSet(spec))
