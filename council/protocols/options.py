"""Knobs shared by the built-in protocols; recorded in run manifests."""

from __future__ import annotations

from pydantic import BaseModel, Field

from council.config import MAX_ROUNDS
from council.models.settings import ModelSettings

MAX_AGENTS = 32
MAX_SAMPLES = 256
"""Upper bounds well past any published setting: each multiplies the model calls per
problem, so a typo (`--samples 5000`) is refused instead of spending hours of calls."""


class ProtocolOptions(BaseModel):
    agents: int = Field(default=3, ge=1, le=MAX_AGENTS, description="debaters (debate)")
    rounds: int = Field(
        default=2, ge=1, le=MAX_ROUNDS, description="debate rounds / solve attempts"
    )
    samples: int = Field(default=5, ge=1, le=MAX_SAMPLES, description="samples (self-consistency)")
    early_stop: bool = Field(default=True, description="stop a debate once all agents agree")
    sample_temperature: float = Field(
        default=0.7, description="temperature for independent samples and debaters"
    )
    settings: ModelSettings = Field(default_factory=ModelSettings)

    def sample_settings(self, index: int) -> ModelSettings:
        """Distinct seeds per sample so k samples are k draws, never one draw k times."""
        seed = None if self.settings.seed is None else self.settings.seed + index
        return self.settings.model_copy(
            update={"temperature": self.sample_temperature, "seed": seed}
        )
