"""Which stage of an adaptive-compute cascade answered, and why (`CouncilState.stages`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

StageName = Literal["agreement", "vote", "tir", "debate"]


class StageOutcome(BaseModel):
    """One stage's check: the signal it read (`value`: the share of samples that gave the
    leading answer), whether that stage answered, and why."""

    stage: int
    by: StageName
    answered: bool
    answer: str | None = None
    value: float | None = None
    reason: str = ""

    def summary(self) -> str:
        verb = "answered" if self.answered else "escalated"
        return f"stage {self.stage} ({self.by}) {verb}: {self.reason}"
