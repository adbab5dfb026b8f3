"""Run-to-run noise: the share of problems two runs of the same arm grade differently.

It is measured, never assumed, in two ways:
- an arm's own repeats (`repeat: 2` or more in the study file);
- for an arm read from a pool at k samples (self-consistency, best-of-n), the pool's
  disjoint blocks of k samples, at no calls: block j holds samples jk to jk + k - 1, which
  is the very run the arm would make seeded jk later (sample i is seeded base + i), so two
  blocks are two runs of the arm with other seeds. It needs a pool of at least 2k samples.

Each matched baseline is measured from its pool's blocks the same way. An arm with neither
borrows the largest noise measured on an arm that decodes the same way: greedy from greedy,
sampled from sampled (a baseline's noise, at whatever k matched, is only its own). A greedy
arm's repeats on a deterministic server agree by construction, so they say nothing about a
sampled arm's noise, and it is not lent to one; such an arm's noise is "not measured".
"""

from __future__ import annotations

from math import sqrt
from statistics import NormalDist
from typing import Literal

from pydantic import BaseModel

from council.protocols.run_spec import RunSpec
from council.studies.outcomes import ProblemResult
from council.studies.pool import PoolReader, pool_size

Decoding = Literal["greedy", "sampled", "unknown"]


class NoiseReport(BaseModel):
    arm: str
    runs: int
    shared: int
    disagreement_rate: float
    """Problems graded differently by two runs of the same arm, largest over its repeats."""
    answer_disagreement_rate: float
    accuracy_gap: float
    """The largest accuracy difference between two of its runs."""
    measured_from: str = ""
    """What the runs are, in words: repeats (and their seeds), or a pool's sample blocks."""


class ArmNoise(BaseModel):
    """An arm's run-to-run noise: `measured` from its own repeats or pool blocks;
    `borrowed` (the largest of them) from the study's arms that decode as it does, when it
    has none; `not measured` when none such was measured."""

    how: Literal["measured", "borrowed", "not measured"]
    rate: float | None = None
    source: str = ""
    """The arm it was measured on (itself, or the arm it is borrowed from)."""
    runs: int = 0
    shared: int = 0
    decoding: Decoding = "unknown"
    """How the arm decodes: greedy (every role at temperature 0), sampled, or unknown (a
    graph file)."""
    measured_from: str = ""

    def words(self) -> str:
        if self.rate is None:
            if self.decoding == "sampled":
                return "not measured (no sampled arm was repeated)"
            return "not measured"
        if self.how == "measured":
            return f"{self.rate:.1%} (measured: {self.measured_from})"
        return f"{self.rate:.1%} (borrowed from {self.source}'s {self.measured_from})"


def rerun_spread(rate: float, problems: int, confidence: float = 0.95) -> float:
    """How far two runs of an arm that grade a share `rate` of problems differently can
    differ in accuracy on `problems` problems, at `confidence`.

    Why not the rate itself: the rate is the most a re-run can move the accuracy (every
    disagreement one way), and it does not shrink as problems are added, so it would call
    any difference smaller than it noise even on a thousand problems. Two runs of one arm
    are alike but for chance, so each of the rate × problems disagreeing problems favours
    either run with probability 1/2: their accuracy difference has mean 0 and standard
    deviation sqrt(rate / problems), and this is its two-sided normal quantile."""
    if problems <= 0 or rate <= 0:
        return 0.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return z * sqrt(rate / problems)


def decoding_of(spec: RunSpec) -> Decoding:
    """Greedy when every role of the arm's protocol decodes at temperature 0."""
    definition = spec.definition()
    if definition is None:
        return "unknown"
    resolved = spec.resolved_options()
    hot = any(
        (definition.settings(role, resolved).temperature or 0.0) > 0 for role in definition.roles
    )
    return "sampled" if hot else "greedy"


def run_noise(arm: str, runs: list[dict[str, ProblemResult]], measured_from: str) -> NoiseReport:
    """The largest disagreement between the first run and each other one."""
    first = runs[0]
    worst_grade = worst_answer = worst_gap = 0.0
    shared_n = 0
    for other in runs[1:]:
        shared = sorted(set(first) & set(other))
        if not shared:
            continue
        shared_n = len(shared)
        grade = sum(first[k].correct != other[k].correct for k in shared) / len(shared)
        answer = sum(first[k].answer != other[k].answer for k in shared) / len(shared)
        gap = abs(
            sum(first[k].correct for k in shared) - sum(other[k].correct for k in shared)
        ) / len(shared)
        worst_grade, worst_answer, worst_gap = (
            max(worst_grade, grade),
            max(worst_answer, answer),
            max(worst_gap, gap),
        )
    return NoiseReport(
        arm=arm,
        runs=len(runs),
        shared=shared_n,
        disagreement_rate=worst_grade,
        answer_disagreement_rate=worst_answer,
        accuracy_gap=worst_gap,
        measured_from=f"{len(runs)} {measured_from} on {shared_n} problems",
    )


def measured(report: NoiseReport, decoding: Decoding) -> ArmNoise:
    return ArmNoise(
        how="measured",
        rate=report.disagreement_rate,
        source=report.arm,
        runs=report.runs,
        shared=report.shared,
        decoding=decoding,
        measured_from=report.measured_from,
    )


class NoiseLedger:
    """Every measured noise of a study, with how each arm decodes, so that an arm without
    its own measurement borrows only from arms that decode as it does."""

    def __init__(self) -> None:
        self.reports: list[NoiseReport] = []
        self.decodings: dict[str, Decoding] = {}
        self.lenders: list[str] = []

    def add(self, report: NoiseReport, decoding: Decoding, *, lends: bool = True) -> None:
        """`lends`: other arms may borrow it (a matched baseline's noise, at whatever k
        matched, is only its own)."""
        self.decodings[report.arm] = decoding
        if report.shared:  # a repeat not yet run measures nothing
            self.reports.append(report)
            if lends:
                self.lenders.append(report.arm)

    def of(self, arm: str, decoding: Decoding) -> ArmNoise:
        """`arm`'s own noise, else the largest measured on an arm decoding as it does (the
        first of them on a tie; an arm of unknown decoding borrows from any), else none."""
        own = next((r for r in self.reports if r.arm == arm), None)
        if own is not None:
            return measured(own, decoding)
        lenders = [
            r
            for r in self.reports
            if r.arm in self.lenders
            and (decoding == "unknown" or self.decodings[r.arm] in (decoding, "unknown"))
        ]
        if not lenders:
            return ArmNoise(how="not measured", decoding=decoding)
        worst = max(lenders, key=lambda r: r.disagreement_rate)
        return measured(worst, decoding).model_copy(update={"how": "borrowed"})

    @property
    def level(self) -> float | None:
        """The largest noise measured anywhere in the study (None: none was)."""
        return max((r.disagreement_rate for r in self.reports), default=None)


async def pool_block_noise(
    arm: str, reader: PoolReader, pool: str, k: int, ids: set[str], *, pick: bool
) -> NoiseReport | None:
    """The noise of an arm read from `pool` at k samples, from the pool's disjoint blocks of
    k samples (None: fewer than 2k samples)."""
    blocks = pool_size(reader.lines) // k
    if blocks < 2:
        return None
    runs = [await reader.at(k, ids, pick=pick, start=j * k) for j in range(blocks)]
    return run_noise(arm, runs, f"disjoint blocks of {k} of pool {pool}'s samples")
