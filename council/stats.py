"""Confidence intervals and paired tests for accuracy comparisons."""

from __future__ import annotations

import math


def wilson_interval(correct: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval: honest at small n and near 0% or 100%. It holds the
    observed share itself even where rounding would leave it out (at 4/4 the upper end
    computes to 0.9999999999999999, and a plot's error bar would go negative)."""
    if total == 0:
        return 0.0, 0.0
    p = correct / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, min(p, centre - margin)), min(1.0, max(p, centre + margin))


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs (binomial, p = 1/2)."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)
