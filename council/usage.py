"""Token, latency and cost accounting.

Every model call, whoever makes it, is recorded as a `council.calls.CallRecord`; totals are
derived from records, never kept separately, so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel, Field, computed_field


class Usage(BaseModel):
    """Additive usage figures; `+` merges two of them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    cost_usd: float | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        cost: float | None
        if self.cost_usd is None and other.cost_usd is None:
            cost = None
        else:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            calls=self.calls + other.calls,
            seconds=self.seconds + other.seconds,
            cost_usd=cost,
        )

    @classmethod
    def total(cls, usages: Iterable[Usage]) -> Usage:
        result = cls()
        for usage in usages:
            result = result + usage
        return result


class UsageReport(BaseModel):
    """Per-role and total usage of a run, as printed by `council solve --json`."""

    by_role: dict[str, Usage] = Field(default_factory=dict)
    by_agent: dict[str, Usage] = Field(default_factory=dict)
    total: Usage = Field(default_factory=Usage)

    def rows(self) -> list[list[str]]:
        """The report as table rows (by, name, calls, tokens, cost, seconds): by role,
        then by agent, as `council bench report` and a study report print them."""
        rows = []
        for kind, usages in (("role", self.by_role), ("agent", self.by_agent)):
            for name, usage in usages.items():
                cost = "–" if usage.cost_usd is None else f"${usage.cost_usd:.5f}"
                rows.append(
                    [
                        kind,
                        name,
                        str(usage.calls),
                        str(usage.total_tokens),
                        cost,
                        f"{usage.seconds:.1f}",
                    ]
                )
        return rows


class ExactSum:
    """A float sum that does not depend on the order of its terms (Shewchuk's partials,
    as in `math.fsum`): the summary written as a run goes and one recomputed later from
    each problem's latest line agree to the last bit."""

    def __init__(self) -> None:
        self._partials: list[float] = []

    def add(self, value: float) -> None:
        partials = self._partials
        kept = 0
        for other in partials:
            if abs(value) < abs(other):
                value, other = other, value
            high = value + other
            low = other - (high - value)
            if low:
                partials[kept] = low
                kept += 1
            value = high
        partials[kept:] = [value]

    @property
    def value(self) -> float:
        return math.fsum(self._partials)


class UsageSum:
    """`Usage` summed one call at a time with exact float sums (`ExactSum`), so a sum kept
    as a run goes and one recomputed later from its lines agree to the last bit."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.calls = 0
        self.seconds = ExactSum()
        self.cost = ExactSum()
        self.costed = False

    def add(self, usage: Usage) -> None:
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.calls += usage.calls
        self.seconds.add(usage.seconds)
        if usage.cost_usd is not None:
            self.cost.add(usage.cost_usd)
            self.costed = True

    @property
    def usage(self) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            calls=self.calls,
            seconds=self.seconds.value,
            cost_usd=self.cost.value if self.costed else None,
        )
