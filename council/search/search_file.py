"""What a search file says: the data, the model, the split, the budget and the space of
candidates. YAML read into typed models, so a typo is one line naming the field.

```yaml
name: qwen-gsm-search
out: run
data: {source: ../shared/datasets/gsm8k_train.jsonl, limit: 60, seed: 0}
model: local/~/.cache/council/qwen2.5-coder-0.5b.gguf
settings: {seed: 0}
split: {held_out: 0.5, seed: 0}
budget: {tokens_per_problem: 3000, max_tokens: 3000000}
space:
  self_consistency: {samples: [1, 3, 5, 8], temperatures: [0.7, 1.0]}
  cascade: {first_samples: [2, 3], samples: [3, 5, 8], final_stages: [none, debate]}
  debate: {agents: [3], rounds: [1, 2, 3]}      # one 3-round debate serves all three
  best_of_n: {samples: [2, 4, 8]}               # one run of 8 scored candidates
  protocols: [{name: pot, protocol: pot}]
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from council.protocols.options import FinalStage
from council.studies.study_file import (
    Arm,
    Budget,
    DataSection,
    ModelRef,
    Strict,
    load_yaml_file,
)


class SearchSplit(Strict):
    """Which problems the search may look at: a seeded shuffle of the data's problems, the
    first `held_out` share kept back for the final test. Fixed and recorded before any call."""

    held_out: float = Field(default=0.5, gt=0, lt=1, description="share of problems kept back")
    seed: int = 0


class SearchBudget(Strict):
    """`tokens_per_problem` / `cost_per_problem`: what the deployment can spend (a candidate
    above it cannot win); `max_tokens` / `max_cost_usd`: the whole search, both splits."""

    tokens_per_problem: float | None = Field(default=None, gt=0)
    cost_per_problem: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_cost_usd: float | None = Field(default=None, gt=0)

    def total(self) -> Budget:
        return Budget(max_tokens=self.max_tokens, max_cost_usd=self.max_cost_usd)


class SelfConsistencySpace(Strict):
    samples: tuple[int, ...] = Field(default=(1, 3, 5), min_length=1)
    temperatures: tuple[float, ...] = Field(default=(0.7,), min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> SelfConsistencySpace:
        if any(k < 1 for k in self.samples):
            raise ValueError("samples: each k must be at least 1")
        if any(t <= 0 for t in self.temperatures):
            raise ValueError("temperatures: each must be above 0 (T = 0 is `single`)")
        return self


class CascadeSpace(Strict):
    """`cascade` (`council.protocols.cascade`): a greedy answer and samples at T 0.7 until
    `first_samples` agree (the agreement threshold), at most `samples` ballots; then, with a
    final stage (`final_stages`: tir or debate), that stage answers where the leading
    answer's vote share is below `thresholds`. Read from `single`'s answers and the T 0.7
    pool at no calls; a final stage from one stage run per escalation (the stage's seed is
    the search's plus `samples`), which is a candidate of its own."""

    first_samples: tuple[int, ...] = Field(default=(2,), min_length=1)
    samples: tuple[int, ...] = Field(default=(3, 5), min_length=1)
    final_stages: tuple[FinalStage, ...] = Field(default=("none",), min_length=1)
    thresholds: tuple[float, ...] = Field(
        default=(0.6,), min_length=1, description="vote shares below which a final stage answers"
    )

    @model_validator(mode="after")
    def _shares(self) -> CascadeSpace:
        if any(not 0 <= t <= 1 for t in self.thresholds):
            raise ValueError("thresholds: each is a vote share between 0 and 1")
        return self


class DebateSpace(Strict):
    """Du et al.'s `debate` at each number of debaters and rounds. One debate per number of
    debaters runs live, at the most rounds; every fewer-rounds candidate is its first
    rounds, at no calls (`council.studies.round_prefix`)."""

    agents: tuple[int, ...] = Field(default=(3,), min_length=1)
    rounds: tuple[int, ...] = Field(default=(1, 2, 3), min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> DebateSpace:
        if any(n < 1 for n in self.agents) or any(r < 1 for r in self.rounds):
            raise ValueError("agents and rounds: each must be at least 1")
        return self


class BestOfNSpace(Strict):
    """`best-of-n` at each number of candidates: one recorded run of the most candidates,
    its scorer's choice among the first k (pick@k) for every other k, at no calls."""

    samples: tuple[int, ...] = Field(default=(2, 4, 8), min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> BestOfNSpace:
        if any(k < 1 for k in self.samples):
            raise ValueError("samples: each k must be at least 1")
        return self


class SearchSpace(Strict):
    self_consistency: SelfConsistencySpace | None = Field(default_factory=SelfConsistencySpace)
    cascade: CascadeSpace | None = Field(default_factory=CascadeSpace)
    debate: DebateSpace | None = Field(default=None, description="off unless given")
    best_of_n: BestOfNSpace | None = Field(default=None, description="off unless given")
    protocols: tuple[Arm, ...] = Field(
        default=(), description="other candidates, run live on the search split (study arms)"
    )


class SearchFile(Strict):
    name: str
    data: DataSection
    model: ModelRef | None = None
    settings: dict[str, Any] = Field(default_factory=dict, description="decoding for every run")
    split: SearchSplit = Field(default_factory=SearchSplit)
    budget: SearchBudget = Field(default_factory=SearchBudget)
    space: SearchSpace = Field(default_factory=SearchSpace)
    max_samples: int = Field(default=16, ge=1, le=64, description="the held-out baseline's pool")
    alpha: float = Field(default=0.05, gt=0, lt=1)
    concurrency: int = Field(default=2, ge=1, le=256)
    out: str | None = Field(default=None, description="search directory (--out overrides)")


def load_search(path: Path) -> SearchFile:
    """The search file, checked; one `ConfigError` line naming what to fix."""
    return load_yaml_file(path, SearchFile, "search", "name:, data:, space:")
