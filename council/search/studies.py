"""The two studies of a search, written as study files in the search directory (so each
can be read, re-run or reported with `council study` on its own):

- `search/`: every candidate on the search split (its rows named by id); no
  compute matching (the budget decides what may win), pools sized for the largest k.
- `held-out/`: the winner run live on the held-out split, its reference itself, compute
  matched (`measured`): self-consistency at the winner's measured tokens from one pool, and,
  with a cascade in the space, every cascade without a final stage read from that pool
  (accuracy against tokens on problems the search never saw).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from council.search.candidates import SINGLE, candidate_arms, is_pooled_cascade
from council.search.search_file import SearchFile
from council.search.split import Split
from council.studies.study_file import (
    Arm,
    Budget,
    Compute,
    DataSection,
    PoolSection,
    SplitSection,
    StudyFile,
)

STUDY_FILE = "study.yaml"
SEARCH_STUDY = "search"
HELD_OUT_STUDY = "held-out"


def _data(search: SearchFile, base: Path, name: str, ids: list[str]) -> DataSection:
    """The search file's data with its source made absolute (the study file lives elsewhere)
    and the study's rows named by id (`data: split:`, recorded and checked by the study)."""
    spec = search.data.spec(base)
    return search.data.model_copy(
        update={
            "source": spec.source,
            "limit": None,
            "shuffle": False,
            "split": SplitSection(name=name, ids=tuple(ids)),
        }
    )


def search_seed(search: SearchFile) -> int | None:
    seed = search.settings.get("seed")
    return int(seed) if seed is not None else None


def search_study(search: SearchFile, base: Path, split: Split, budget: Budget) -> StudyFile:
    return StudyFile(
        name=f"{search.name}: search split",
        data=_data(search, base, SEARCH_STUDY, split.search),
        model=search.model,
        settings=search.settings,
        arms=tuple(candidate_arms(search.space, search_seed(search))),
        reference=SINGLE,
        compute=Compute(match="none"),
        pool=PoolSection(samples="auto"),
        budget=budget,
        alpha=search.alpha,
        concurrency=search.concurrency,
        out=".",
    )


def held_out_study(
    search: SearchFile, base: Path, split: Split, winner: Arm, budget: Budget
) -> StudyFile:
    live = winner.model_copy(update={"pooled": False})
    arms: list[Arm] = [live]
    if search.space.cascade is not None:
        pooled = [a for a in candidate_arms(search.space) if is_pooled_cascade(a.name)]
        if winner.name != SINGLE:
            arms.append(Arm(name=SINGLE, protocol="single"))
        arms += [a for a in pooled if a.name != winner.name]
    return StudyFile(
        name=f"{search.name}: held-out test of {winner.name}",
        data=_data(search, base, HELD_OUT_STUDY, split.held_out),
        model=search.model,
        settings=search.settings,
        arms=tuple(arms),
        reference=winner.name,
        compute=Compute(match="measured"),
        pool=PoolSection(samples="auto", max_samples=search.max_samples),
        budget=budget,
        alpha=search.alpha,
        concurrency=search.concurrency,
        out=".",
    )


def write_study(directory: Path, study: StudyFile) -> Path:
    """The study file in `directory` (as YAML a person can read and run)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STUDY_FILE
    data = study.model_dump(mode="json", exclude_defaults=True)
    text = "# written by `council search`; `council study report .` reports it alone\n"
    path.write_text(text + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    return path
