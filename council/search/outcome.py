"""What a search found (`search.json`): every candidate's score on the search split, the
calls the pool saved, the winner and, on the held-out split, the winner against
self-consistency at its measured tokens with the verdict in words; with a cascade in the
space, every threshold's accuracy against tokens on held-out problems."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from council.search.search_file import SearchBudget
from council.studies.outcomes import ArmFigures
from council.studies.report import ArmReport, Comparison, MatchedBaseline, StudyReport

HeldOutVerdict = Literal["better", "not distinguishable", "worse"]
SEARCH_JSON = "search.json"
WINNER_FILE = "winner.yaml"


class SearchCandidate(BaseModel):
    name: str
    definition: str
    served: Literal["recorded", "live"]
    """`recorded`: scored from other candidates' recorded calls (a pool of samples, a
    cascade's ballots, a longer debate's rounds) at no calls of its own; `live`: its own
    run."""
    figures: ArmFigures
    eligible: bool
    why_not: str = ""


class HeldOutTest(BaseModel):
    winner: str
    problems: int
    figures: ArmFigures
    baseline: MatchedBaseline | None
    comparison: Comparison | None
    verdict: HeldOutVerdict
    words: str


class AdaptivePoint(BaseModel):
    """A cascade threshold: its accuracy and tokens on the search split and on held-out."""

    name: str
    search: ArmFigures
    held_out: ArmFigures | None
    chosen: bool


class SearchOutcome(BaseModel):
    name: str
    directory: str
    status: Literal["running", "budget", "done"]
    reason: str = ""
    search_problems: int
    held_out_problems: int
    split_seed: int
    budget: SearchBudget
    candidates: list[SearchCandidate]
    calls_made: int
    calls_if_live: int
    calls_saved: int
    winner: str | None = None
    winner_file: str | None = None
    held_out: HeldOutTest | None = None
    adaptive: list[AdaptivePoint] = []
    findings: list[str] = []


def eligible(figures: ArmFigures, budget: SearchBudget) -> str:
    """Why a candidate cannot win under the per-problem budget ("" if it can)."""
    if budget.tokens_per_problem is not None and figures.tokens_per_problem > (
        budget.tokens_per_problem
    ):
        return (
            f"{figures.tokens_per_problem:.0f} tokens per problem > budget "
            f"{budget.tokens_per_problem:g}"
        )
    cost = figures.cost_per_problem
    if budget.cost_per_problem is not None and cost is not None and cost > budget.cost_per_problem:
        return f"${cost:.4f} per problem > budget ${budget.cost_per_problem:g}"
    if figures.errors:
        return f"{figures.errors} problem(s) errored (rerun the search to finish them)"
    return ""


def choose_winner(candidates: list[SearchCandidate]) -> SearchCandidate | None:
    """The most accurate eligible candidate; a tie goes to fewer tokens, then to the
    earlier in the space (the cheaper protocols come first)."""
    pool = [c for c in candidates if c.eligible]
    if not pool:
        return None
    return min(
        pool,
        key=lambda c: (-c.figures.correct, c.figures.tokens_per_problem, candidates.index(c)),
    )


def held_out_test(report: StudyReport, winner: str, alpha: float) -> HeldOutTest:
    """The winner against its matched baseline on held-out problems: one comparison
    declared before the split was opened, so its own McNemar p decides (no Holm)."""
    arm: ArmReport = next(a for a in report.arms if a.name == winner)
    comparison = next(
        (c for c in report.comparisons if c.arm == winner and c.kind == "baseline"), None
    )
    if arm.baseline is None or comparison is None:
        words = f"{winner} has no matched baseline yet: the held-out runs have not finished."
        return HeldOutTest(
            winner=winner,
            problems=arm.figures.problems,
            figures=arm.figures,
            baseline=arm.baseline,
            comparison=comparison,
            verdict="not distinguishable",
            words=words,
        )
    established = comparison.mcnemar_p < alpha
    verdict: HeldOutVerdict = (
        "not distinguishable"
        if not established or comparison.difference == 0
        else ("better" if comparison.difference > 0 else "worse")
    )
    baseline = arm.baseline
    edge = (
        " (the pool's largest k spends less than the winner: the baseline is favoured less "
        "than equal compute would)"
        if baseline.at_pool_edge
        else ""
    )
    words = (
        f"On {comparison.table.n} held-out problems, {winner} scored "
        f"{arm.figures.accuracy:.1%} at {arm.figures.tokens_per_problem:.0f} tokens per problem; "
        f"self-consistency@{baseline.k} at {baseline.achieved_tokens_per_problem:.0f} tokens "
        f"(target {baseline.target_tokens_per_problem:.0f}){edge} scored "
        f"{baseline.figures.accuracy:.1%}. Difference {comparison.difference:+.1%} "
        f"(95% CI {comparison.ci95_low:+.1%} to {comparison.ci95_high:+.1%}), McNemar's exact "
        f"p = {comparison.mcnemar_p:.3g}: {verdict}"
        + (
            "."
            if verdict != "not distinguishable"
            else f" at level {alpha:g}; the search found nothing established as better than "
            "plain sampling at equal compute, and that is a valid result."
        )
    )
    return HeldOutTest(
        winner=winner,
        problems=comparison.table.n,
        figures=arm.figures,
        baseline=baseline,
        comparison=comparison,
        verdict=verdict,
        words=words,
    )
