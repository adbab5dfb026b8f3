"""`council bench report runs/A runs/B`: side by side, paired differences, McNemar, and a
plot of accuracy against tokens per problem."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from council.run_log.log import RunLog, run_directory
from council.run_log.results import ResultHead
from council.run_log.summary import Summary, summarise_run
from council.stats import mcnemar_exact


class PairedComparison(BaseModel):
    first: str
    second: str
    shared: int
    only_first_correct: int
    only_second_correct: int
    accuracy_difference: float
    mcnemar_p: float


def load_summary(run_dir: Path) -> Summary:
    """The run's summary recomputed from its results, a line at a time (a run of any
    size), with the same figures `council bench` wrote but no wall time."""
    return summarise_run(run_directory(run_dir))


def paired(first: Path, second: Path) -> PairedComparison:
    """Reads each line's head only (grade and status, not calls and turns), so comparing
    two runs of 100,000 problems holds no transcripts."""
    return paired_lines(
        str(first),
        RunLog.read(first).results,
        str(second),
        RunLog.read(second).results,
    )


def paired_lines(
    first: str,
    first_lines: Mapping[str, ResultHead],
    second: str,
    second_lines: Mapping[str, ResultHead],
) -> PairedComparison:
    """The paired comparison of two runs' latest lines by problem (graded problems both
    runs share); the web view passes lines it read without touching a live run's file."""
    a = {k: v for k, v in first_lines.items() if v.done}
    b = {k: v for k, v in second_lines.items() if v.done}
    shared = sorted(set(a) & set(b))
    only_a = sum(a[k].correct and not b[k].correct for k in shared)
    only_b = sum(b[k].correct and not a[k].correct for k in shared)
    difference = (only_b - only_a) / len(shared) if shared else 0.0
    return PairedComparison(
        first=first,
        second=second,
        shared=len(shared),
        only_first_correct=only_a,
        only_second_correct=only_b,
        accuracy_difference=difference,
        mcnemar_p=mcnemar_exact(only_a, only_b),
    )


def plot(summaries: dict[str, Summary], out: Path) -> None:
    # start-up: matplotlib.pyplot costs 0.7-0.9 s of CPU to import; only a plot needs it
    import matplotlib

    matplotlib.use("Agg")
    # start-up: as above (pyplot after the Agg backend is chosen)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for name, summary in summaries.items():
        error = [[summary.accuracy - summary.ci95_low], [summary.ci95_high - summary.accuracy]]
        # named in the legend: runs at like compute would print their names over one another
        axes.errorbar(
            summary.tokens_per_problem, summary.accuracy, yerr=error, fmt="o", capsize=4, label=name
        )
    axes.legend(fontsize=7, loc="best")
    axes.set_xlabel("tokens per problem")
    axes.set_ylabel("accuracy (95% CI)")
    axes.set_ylim(-0.02, 1.02)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=120)
    plt.close(figure)
