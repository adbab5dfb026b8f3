"""`summary.json`: accuracy with its interval, tokens, cost, time, early stops."""

from __future__ import annotations

import statistics
from pathlib import Path

from pydantic import BaseModel

from council.bench.results import ResultLine, ResultsFile
from council.bench.stats import wilson_interval


class Summary(BaseModel):
    problems: int
    correct: int
    accuracy: float
    ci95_low: float
    ci95_high: float
    errors: int
    extraction_failure_rate: float
    tokens_total: int
    tokens_per_problem: float
    calls_per_problem: float
    cost_usd: float | None
    wall_seconds: float
    seconds_per_problem: float
    stopped_early_share: float
    mean_stop_round: float | None


def summarise(lines: list[ResultLine], wall_seconds: float) -> Summary:
    done = [line for line in lines if line.done]
    n = len(done)
    correct = sum(line.correct for line in done)
    low, high = wilson_interval(correct, n)
    tokens = sum(line.tokens for line in done)
    costs = [line.cost_usd for line in done if line.cost_usd is not None]
    stop_rounds = [line.stopped_round for line in done if line.stopped_round is not None]
    return Summary(
        problems=n,
        correct=correct,
        accuracy=correct / n if n else 0.0,
        ci95_low=low,
        ci95_high=high,
        errors=len(lines) - n,
        extraction_failure_rate=sum(line.extraction_failed for line in done) / n if n else 0.0,
        tokens_total=tokens,
        tokens_per_problem=tokens / n if n else 0.0,
        calls_per_problem=sum(len(line.calls) for line in done) / n if n else 0.0,
        cost_usd=sum(costs) if costs else None,
        wall_seconds=wall_seconds,
        seconds_per_problem=statistics.fmean(line.seconds for line in done) if done else 0.0,
        stopped_early_share=sum(line.stopped_early for line in done) / n if n else 0.0,
        mean_stop_round=statistics.fmean(stop_rounds) if stop_rounds else None,
    )


def summarise_run(run_dir: Path, wall_seconds: float = 0.0) -> Summary:
    latest = ResultsFile(run_dir / "results.jsonl").latest_by_problem()
    return summarise(list(latest.values()), wall_seconds)
