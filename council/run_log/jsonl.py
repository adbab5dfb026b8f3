"""Reading a run's append-only JSON-lines files (`results.jsonl`, `messages.jsonl`,
`sessions.jsonl`) a line at a time, one way for all.

A crash can leave the last line torn. The bench that owns a run (`repair=True`) cuts a
torn last line off the file, and finishes a last line that is whole but lost its newline,
so that the next append starts a line of its own. A viewer watching a run that is still
being written (`repair=False`) leaves the file alone: a last line with no newline yet is
skipped. An unreadable line anywhere else is an error naming the file and the line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from council.errors import DatasetError

Model = TypeVar("Model", bound=BaseModel)


def json_lines(
    path: Path, model: type[Model], *, repair: bool, what: str
) -> Iterator[tuple[bytes, Model]]:
    """(raw line, line read as `model`), in file order. `what` names the lines in errors
    ("result", "message")."""
    if not path.exists():
        return
    good_end = 0
    torn = unfinished = False
    with path.open("rb") as handle:
        for index, raw in enumerate(handle, 1):
            whole = raw.endswith(b"\n")
            if not whole and not repair:
                return  # still being written
            try:
                line = model.model_validate_json(raw)
            except ValidationError as exc:
                if not repair or handle.read(1):  # a whole line, or not the last one
                    raise DatasetError(
                        f"{path}:{index}: unreadable {what} line; fix or delete it"
                    ) from exc
                torn = True
                break
            good_end += len(raw)
            unfinished = not whole
            yield raw, line
    if torn:
        print(
            f"warning: {path}: dropping a torn last {what} line (a crash mid-write)",
            file=sys.stderr,
        )
        with path.open("r+b") as handle:
            handle.truncate(good_end)
    elif unfinished:  # whole JSON, its newline lost: finish it before anything is appended
        with path.open("ab") as handle:
            handle.write(b"\n")
