"""Knobs shared by the built-in protocols; recorded in run manifests.

Decoding follows the user: a temperature or seed the user set (`--temperature`, `--seed`,
or `ModelSettings(temperature=...)`) reaches every agent of every protocol. Where the user
set none, each protocol uses the temperature of the paper it follows (see its spec), and
samples/debaters get distinct seeds (base + sample index) whenever a base seed is given.

Each protocol uses some of these options (its definition's `uses`) and holds its own
default for each (`ProtocolDefinition.defaults`, shown by `council graph show`); the
field defaults below are never what a protocol runs with. An option set for a protocol
that does not use it is an error, not silently recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from council.agents.tir_options import TirOptions
from council.config import MAX_ROUNDS
from council.models.settings import ModelSettings
from council.scoring.endpoint import RewardEndpoint

MAX_AGENTS = 32
MAX_SAMPLES = 256
"""Upper bounds well past any published setting: each multiplies the model calls per
problem, so a typo (`--samples 5000`) is refused instead of spending hours of calls."""
MAX_EXECUTIONS = 16
"""Code executions in one tool-integrated answer (Qwen2.5-Math's evaluation uses 4)."""

Scorer = Literal["vote", "verifier", "execution", "reward-model"]
FinalStage = Literal["none", "tir", "debate"]


class ProtocolOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agents: int = Field(
        default=3, ge=1, le=MAX_AGENTS, description="debaters (debate), proposers (moa)"
    )
    rounds: int = Field(
        default=2, ge=1, le=MAX_ROUNDS, description="rounds / solve attempts / layers"
    )
    samples: int = Field(
        default=5, ge=1, le=MAX_SAMPLES, description="samples (self-consistency, best-of-n)"
    )
    early_stop: bool = Field(
        default=False, description="end a debate once every debater gives the same answer"
    )
    max_executions: int = Field(
        default=4, ge=1, le=MAX_EXECUTIONS, description="code executions per answer (tir)"
    )
    tir: TirOptions = Field(
        default_factory=TirOptions,
        description="how tool-integrated reasoning continues its turn, runs programs and "
        "reads its answer (tir, best-of-n --scorer execution, cascade's tir stage); the "
        "defaults are Qwen2.5-Math's evaluation script",
    )
    scorer: Scorer = Field(default="verifier", description="how best-of-n picks a candidate")
    reward: RewardEndpoint | None = Field(
        default=None, description="the reward-model server (best-of-n --scorer reward-model)"
    )
    first_samples: int = Field(
        default=2,
        ge=2,
        le=MAX_SAMPLES,
        description="cascade: samples that must agree on one value to answer (stage 1 draws "
        "this many together; stage 2 adds one at a time until this many agree)",
    )
    threshold: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="cascade, after the last sample: the vote share the leading answer needs to "
        "answer without the final stage",
    )
    final_stage: FinalStage = Field(
        default="none",
        description="cascade's last stage when the ballots do not agree: none (their "
        "plurality answers), tir or debate",
    )
    corpus: Path | None = Field(
        default=None,
        description="documents for the search tool: a .jsonl file (a text field per line) or "
        "a folder of .txt/.md files (tool-planner's knowledge retrieval)",
    )
    settings: ModelSettings = Field(default_factory=ModelSettings)

    def given(self) -> set[str]:
        """The protocol options (not decoding settings) set explicitly."""
        return set(self.model_fields_set) - {"settings"}
