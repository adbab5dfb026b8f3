"""Paired statistics of two arms on the same problems.

- The 2×2 table: `both` right, `only_arm` right, `only_other` right, `neither`.
- The difference in accuracy, (only_arm - only_other) / n, with Newcombe's (1998) hybrid
  score interval for paired proportions (Statistics in Medicine 17:2635, his method 10, as
  worked in Altman et al., "Statistics with Confidence", 2000, p. 52): Wilson intervals of
  each accuracy combined through the table's correlation phi, whose numerator ad - bc is
  reduced by n/2 when above it, taken as 0 between 0 and n/2, kept when negative. It stays
  inside [-1, 1] and is honest at small n, where the Wald interval is not.
- McNemar's exact test: the discordant pairs as a binomial with p = 1/2
  (`statsmodels.stats.contingency_tables.mcnemar`, exact=True).
- Holm's step-down correction over every comparison of the study
  (`statsmodels.stats.multitest.multipletests`).
- For sequential stopping, an anytime-valid confidence sequence for the mean per-problem
  difference (values in [-1, 1], so 1-sub-Gaussian): Robbins' normal mixture, two-sided,
  |S_t - t·d| < sqrt((t + rho) · log((t + rho) / (rho · alpha²))) for every t at once with
  probability >= 1 - alpha (Howard, Ramdas, McAuliffe & Sekhon 2021, Annals of Statistics,
  eq. (14) with V_t = t). Looking after every batch therefore does not inflate the error;
  alpha is split evenly over the comparisons (Bonferroni) since every one must hold.
"""

from __future__ import annotations

import math

from pydantic import BaseModel
from scipy.stats import norm
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from council.stats import wilson_interval
from council.studies.outcomes import ProblemResult

Z95 = float(norm.ppf(0.975))
CS_RHO = 10.0
"""The mixture's precision: it sets the number of problems around which the sequence is
tightest (a small multiple of rho); 10 suits studies of tens to hundreds of problems."""


class PairedTable(BaseModel):
    n: int
    both: int
    only_arm: int
    only_other: int
    neither: int

    @property
    def difference(self) -> float:
        return (self.only_arm - self.only_other) / self.n if self.n else 0.0


def paired_table(arm: dict[str, ProblemResult], other: dict[str, ProblemResult]) -> PairedTable:
    shared = sorted(set(arm) & set(other))
    cells = [(arm[k].correct, other[k].correct) for k in shared]
    return PairedTable(
        n=len(shared),
        both=sum(a and b for a, b in cells),
        only_arm=sum(a and not b for a, b in cells),
        only_other=sum(b and not a for a, b in cells),
        neither=sum(not a and not b for a, b in cells),
    )


def newcombe_interval(table: PairedTable, z: float = Z95) -> tuple[float, float]:
    """Newcombe's method 10 for the paired difference arm - other."""
    n = table.n
    if n == 0:
        return -1.0, 1.0
    a, b, c, d = table.both, table.only_arm, table.only_other, table.neither
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, z)
    l2, u2 = wilson_interval(a + c, n, z)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    association: float = a * d - b * c
    if association > n / 2:
        association -= n / 2
    elif association > 0:
        association = 0
    phi = association / math.sqrt(margins) if margins else 0.0
    delta = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    epsilon = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    difference = p1 - p2
    return max(-1.0, difference - delta), min(1.0, difference + epsilon)


def mcnemar_exact_p(table: PairedTable) -> float:
    if table.only_arm + table.only_other == 0:
        return 1.0
    result = mcnemar([[table.both, table.only_arm], [table.only_other, table.neither]], exact=True)
    return float(min(1.0, result.pvalue))


def holm(p_values: list[float], alpha: float) -> list[float]:
    """Holm-adjusted p-values (in the given order)."""
    if not p_values:
        return []
    _, adjusted, _, _ = multipletests(p_values, alpha=alpha, method="holm")
    return [float(p) for p in adjusted]


def confidence_sequence(
    table: PairedTable, alpha: float, rho: float = CS_RHO
) -> tuple[float, float]:
    """The anytime-valid interval for the mean per-problem difference after n problems."""
    t = table.n
    if t == 0:
        return -1.0, 1.0
    radius = math.sqrt((t + rho) * math.log((t + rho) / (rho * alpha**2))) / t
    mean = table.difference
    return max(-1.0, mean - radius), min(1.0, mean + radius)
