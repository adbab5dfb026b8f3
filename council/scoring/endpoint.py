"""Where a reward model is served (plain data, recorded in run manifests)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RewardEndpoint(BaseModel):
    """An OpenAI-compatible server scoring (problem, solution) pairs with a reward or
    classification model, e.g. `vllm serve Qwen/Qwen2.5-Math-RM-72B` (`api="pooling"`:
    vLLM's `/pooling`, the score is the last token's reward) or a sequence classifier
    (`api="classify"`: vLLM's `/classify`, the score is the last class's probability)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_base: str = Field(min_length=1, description="e.g. http://127.0.0.1:8000")
    model: str = Field(min_length=1)
    api: Literal["pooling", "classify"] = "pooling"
    timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
