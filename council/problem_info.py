"""What a data set says about a problem besides its text: its subject and difficulty level.

Some protocols put these in their prompts: MathSensei's planner and modules (`tool-planner`)
show a MATH problem's `type` and `level` in every prompt (rakutentech/MathSensei at c6ee84c,
src/run.py:249-256, src/model.py:816-823). A run gets them with its problem
(`GraphRunner.arun(problem, info=...)`); a benchmark reads them from each row
(`council.bench.datasets`). A protocol that needs a field that is not given says in its card
what it sends instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict


class ProblemInfo(BaseModel):
    """`subject`: MATH's `type` (MATH-500 calls it `subject`), e.g. "Geometry"; `level`:
    MATH's `level` as its row writes it ("Level 1"; MATH-500 writes the number, 1), kept as
    text because prompts show it as text. None: not given."""

    model_config = ConfigDict(frozen=True)

    subject: str | None = None
    level: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> ProblemInfo:
        """A row's `type` (else `subject`) and `level`, read as MathSensei reads them
        (`str(example["type"])`, else `subject`; `str(example["level"])`, run.py:250-255)."""
        subject = row.get("type", row.get("subject"))
        level = row.get("level")
        return cls(
            subject=None if subject is None else str(subject),
            level=None if level is None else str(level),
        )
