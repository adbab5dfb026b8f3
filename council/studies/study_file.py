"""What a study file says: the data, the model(s), the arms, the reference arm, how compute
is matched, budgets, repeats and sequential stopping. YAML, read into typed models, so a
typo or an impossible value is one line naming the field.

```yaml
name: qwen-gsm30
data: {source: ../shared/datasets/gsm8k_train.jsonl, limit: 30, seed: 0}
# or a recorded sample: data: {source: ..., split: {name: search, fraction: 0.2, seed: 0}}
model: local/~/.cache/council/qwen2.5-coder-0.5b.gguf
settings: {seed: 0}
reference: single
compute: {match: measured}
arms:
  - {name: single, protocol: single, repeat: 2}
  - {name: sc-5, protocol: self-consistency, options: {samples: 5}}
  - {name: debate, protocol: debate}
  - {name: team, protocol: debate, models: {debater: openai/gpt-4o-mini}}
  - {name: my-graph, graph: graphs/mine.yaml}
```
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from council.bench.budget import Budget
from council.errors import ConfigError
from council.models.factory import resolve_model_name
from council.models.settings import ModelSettings, ModelSpec, TokenPrice
from council.protocols.options import MAX_SAMPLES, ProtocolOptions
from council.run_log.config import DatasetFormat, DatasetSpec

ARM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
POOLED_PROTOCOLS = frozenset({"self-consistency", "best-of-n"})
"""Protocols whose answer is a choice among independent samples: their arms at any
k <= N are read from one recorded run of N samples (the first k), not sampled again."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SplitSection(Strict):
    """Which rows of the source the study runs on, fixed before anything runs and recorded
    in the study directory (`council.studies.split`). Exactly one of `fraction`, `count`,
    `range` or `ids`; a fraction or count is a draw fixed by `seed`, and `held_out: true`
    takes the rows that same draw leaves out (search on one study, confirm on the other)."""

    name: str = Field(description="which part this is, e.g. search, held-out, test")
    fraction: float | None = Field(default=None, gt=0, lt=1)
    count: int | None = Field(default=None, ge=1)
    range: tuple[int, int] | None = Field(
        default=None, description="rows start to end (end excluded), in file order"
    )
    ids: tuple[str, ...] | None = Field(default=None, description="these problems, in order")
    seed: int = 0
    held_out: bool = Field(default=False, description="the rows the draw leaves out")

    @model_validator(mode="after")
    def _one_rule(self) -> SplitSection:
        rules = [n for n in ("fraction", "count", "range", "ids") if getattr(self, n) is not None]
        if len(rules) != 1:
            raise ValueError(
                "needs exactly one of fraction, count, range, ids"
                + (f" (got {', '.join(rules)})" if rules else "")
            )
        if self.held_out and rules[0] not in ("fraction", "count"):
            raise ValueError("held_out: true is the rest of a draw: use it with fraction or count")
        if self.range is not None and not 0 <= self.range[0] < self.range[1]:
            raise ValueError(f"range {list(self.range)}: needs 0 <= start < end")
        if self.ids is not None and (not self.ids or len(set(self.ids)) != len(self.ids)):
            raise ValueError("ids: needs at least one id, each once")
        return self


class DataSection(Strict):
    source: str = Field(description="a .jsonl path (relative to the study file) or a named set")
    format: DatasetFormat = "auto"
    question_field: str | None = None
    answer_field: str | None = None
    id_field: str | None = None
    limit: int | None = Field(default=None, ge=1)
    shuffle: bool = False
    seed: int = 0
    exclude: tuple[str, ...] = Field(
        default=(), description="problem ids left out (e.g. golds the grader cannot read)"
    )
    split: SplitSection | None = Field(
        default=None,
        description="which rows: a seeded sample, its held-out rest, a range or ids; drawn "
        "from every row (before limit, which then caps the split), recorded before any run",
    )

    @model_validator(mode="after")
    def _split_orders_itself(self) -> DataSection:
        if self.split is not None and self.shuffle:
            raise ValueError(
                "shuffle: true with split: — a drawn split is already in random order (fixed "
                "by split: seed:); drop shuffle"
            )
        return self

    def spec(self, base: Path) -> DatasetSpec:
        """A file path is read relative to the study file's folder `base`."""
        path = Path(self.source).expanduser()
        if not path.is_absolute() and (base / path).exists():
            path = base / path
        return DatasetSpec(
            source=str(path.resolve()) if path.exists() else self.source,
            format=self.format,
            question_field=self.question_field,
            answer_field=self.answer_field,
            id_field=self.id_field,
            limit=self.limit,
            shuffle=self.shuffle,
            seed=self.seed,
        )


class ModelEntry(Strict):
    """A model by litellm name, optionally at a server (`api_base`), with your price
    (`price: {input_per_million: 0.15, output_per_million: 0.6}`, USD), and for a `local/`
    model the context its embedded server runs with (`context: 32768`)."""

    name: str
    api_base: str | None = None
    price: TokenPrice | None = None
    context: int | None = Field(default=None, ge=256)


ModelRef = str | ModelEntry


class Arm(Strict):
    """One arm: a built-in protocol with its options, or a graph file; `models` puts roles
    on other models (a team mixing models); `repeat` runs it again to measure noise."""

    name: str
    protocol: str | None = None
    graph: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    model: ModelRef | None = None
    models: dict[str, ModelRef] = Field(
        default_factory=dict, description="role → model, e.g. {debater: openai/gpt-4o-mini}"
    )
    settings: dict[str, Any] = Field(default_factory=dict, description="decoding for this arm")
    repeat: int = Field(default=1, ge=1, le=10, description="runs of this arm (noise)")
    repeat_seed: Literal["same", "new"] = Field(
        default="new",
        description="repeats with the same seed (the same greedy arm twice) or seed + 1000·r",
    )
    pooled: bool = Field(
        default=True,
        description="self-consistency / best-of-n read from the study's pool of samples, a "
        "cascade from the single arm's answers and the pool (and, with a final stage, from "
        "an arm making exactly that stage's calls), a debate from the first rounds of a "
        "longer debate arm on the same models, decoding and agents",
    )
    budget: Budget | None = Field(
        default=None, description="limits on this arm's runs alone (the rest go on)"
    )

    @model_validator(mode="after")
    def _one_source(self) -> Arm:
        if not ARM_NAME.match(self.name):
            raise ValueError(f"arm name {self.name!r}: letters, digits, and . _ - @ only")
        if (self.protocol is None) == (self.graph is None):
            raise ValueError(f"arm {self.name!r} needs exactly one of protocol: or graph:")
        return self

    @property
    def graph_ref(self) -> str:
        return self.protocol if self.protocol is not None else str(self.graph)


class Compute(Strict):
    """How compute is matched. `measured`: each arm gets a self-consistency baseline at its
    own measured tokens per problem; `budget`: every arm is held to `tokens_per_problem`
    (achieved vs target shown) and the baseline is self-consistency at that budget."""

    match: Literal["measured", "budget", "none"] = "measured"
    tokens_per_problem: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _budget_needs_a_target(self) -> Compute:
        if self.match == "budget" and self.tokens_per_problem is None:
            raise ValueError("compute: match: budget needs tokens_per_problem")
        return self


class PoolSection(Strict):
    samples: int | Literal["auto"] = Field(
        default="auto",
        description="samples per problem in each pool; auto: enough for every arm's k and "
        "for the matched baseline of the most expensive arm",
    )
    pilot_problems: int = Field(default=5, ge=1, le=100)
    max_samples: int = Field(default=32, ge=1, le=MAX_SAMPLES)


class Sequential(Strict):
    """Add problems in batches and stop once every comparison is decided, by an
    anytime-valid confidence sequence (looking after each batch costs no error rate)."""

    batch: int = Field(ge=1)
    alpha: float = Field(default=0.05, gt=0, lt=1)
    margin: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="a difference inside ±margin counts as decided (equivalent) too",
    )


class StudyFile(Strict):
    name: str
    data: DataSection
    model: ModelRef | None = None
    settings: dict[str, Any] = Field(
        default_factory=dict, description="decoding every arm uses (seed, max_tokens, ...)"
    )
    arms: tuple[Arm, ...]
    reference: str
    compute: Compute = Field(default_factory=Compute)
    pool: PoolSection = Field(default_factory=PoolSection)
    budget: Budget = Field(default_factory=Budget)
    sequential: Sequential | None = None
    alpha: float = Field(default=0.05, gt=0, lt=1, description="level of every test")
    concurrency: int = Field(default=2, ge=1, le=256)
    out: str | None = Field(default=None, description="study directory (--out overrides)")

    @model_validator(mode="after")
    def _arms_agree(self) -> StudyFile:
        names = [arm.name for arm in self.arms]
        if not names:
            raise ValueError("a study needs at least one arm")
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"arm names must differ: {', '.join(repeated)} repeated")
        if self.reference not in names:
            raise ValueError(f"reference {self.reference!r} is not an arm ({', '.join(names)})")
        return self

    def arm(self, name: str) -> Arm:
        return next(arm for arm in self.arms if arm.name == name)


def model_spec(ref: ModelRef, settings: ModelSettings) -> ModelSpec:
    entry = ModelEntry(name=ref) if isinstance(ref, str) else ref
    name = entry.name
    if name.startswith("local/") and name.endswith(".gguf"):
        name = "local/" + str(Path(name.removeprefix("local/")).expanduser())
    return ModelSpec(
        name=resolve_model_name(name),
        api_base=entry.api_base,
        settings=settings,
        price=entry.price,
        context_tokens=entry.context,
    )


def decoding(*layers: dict[str, Any]) -> ModelSettings:
    """The settings given in the study and the arm (the arm's win), with only those fields
    set, so each protocol's declared decoding fills in the rest."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    return ModelSettings.model_validate(merged)


def protocol_options(arm: Arm, settings: ModelSettings) -> ProtocolOptions:
    return ProtocolOptions.model_validate({**arm.options, "settings": settings})


Loaded = TypeVar("Loaded", bound=BaseModel)


def load_yaml_file(path: Path, model: type[Loaded], what: str, fields: str) -> Loaded:
    """A YAML file read into `model`; one `ConfigError` line naming what to fix (`what`:
    "study", "search"; `fields`: the keys it must have, for the error when it is no mapping)."""
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no {what} file at {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping ({fields})")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or what
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


def load_study(path: Path) -> StudyFile:
    """The study file, checked; one `ConfigError` line naming what to fix."""
    return load_yaml_file(path, StudyFile, "study", "name:, data:, arms:, reference:")
