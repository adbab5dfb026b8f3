"""The split between the problems a search may look at and those kept back for its final
test: a seeded shuffle of the data's problem ids, the first `held_out` share kept back.
Written (`split.json`) before any call; a later run with other data or another split is
refused, so nothing held out can leak into the search by a changed file."""

from __future__ import annotations

import random
from pathlib import Path

from pydantic import BaseModel

from council.errors import ConfigError
from council.search.search_file import SearchSplit

SPLIT_FILE = "split.json"


class Split(BaseModel):
    seed: int
    held_out_share: float
    search: list[str]
    held_out: list[str]


def make_split(ids: list[str], section: SearchSplit) -> Split:
    if len(ids) < 2:
        raise ConfigError(f"a search needs at least 2 problems to split (the data has {len(ids)})")
    order = list(ids)
    random.Random(section.seed).shuffle(order)
    kept = min(len(order) - 1, max(1, round(len(order) * section.held_out)))
    return Split(
        seed=section.seed,
        held_out_share=section.held_out,
        search=sorted(order[kept:], key=ids.index),
        held_out=sorted(order[:kept], key=ids.index),
    )


def fix_split(directory: Path, split: Split) -> Split:
    """The recorded split, or `split` recorded now; a different one is refused."""
    path = directory / SPLIT_FILE
    if path.exists():
        recorded = Split.model_validate_json(path.read_text())
        if recorded != split:
            raise ConfigError(
                f"{path} records another split (other data, split: or seed); a search's split "
                "is fixed once it starts: use a new out: directory"
            )
        return recorded
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(split.model_dump_json(indent=2))
    partial.replace(path)
    return split
