"""`summary.json`: accuracy with its interval, errors beside it, tokens, cost, time, early
stops.

A problem whose run failed has no answer, and leaving it out would flatter the protocol
(a model that times out on the hard problems would look more accurate). So `accuracy`
counts an errored problem as wrong; `accuracy_graded`, over the problems that got an
answer, is beside it, and so is the number of errors.

A token-matched baseline's target is in `budget.json` beside it (`TokenBudget`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from council.run_log.ledger import Ledger
from council.run_log.results import RESULTS_FILE, ResultHead, ResultsFile
from council.stats import wilson_interval
from council.usage import UsageReport

SUMMARY_FILE = "summary.json"
BUDGET_FILE = "budget.json"


class TokenBudget(BaseModel):
    """A token-matched run's budget: the tokens per problem it was sized to spend."""

    target_tokens_per_problem: float
    measured_on: str = Field(description="where the target was measured")


class Summary(BaseModel):
    problems: int = Field(description="problems attempted: graded plus errored")
    graded: int = Field(description="problems that ran to an answer and were graded")
    errors: int = Field(description="problems whose run failed (tried again on resume)")
    correct: int
    accuracy: float = Field(description="correct / problems attempted: an error counts wrong")
    accuracy_graded: float = Field(description="correct / problems graded: errors left out")
    ci95_low: float = Field(description="Wilson 95% interval of `accuracy`")
    ci95_high: float
    extraction_failure_rate: float
    extraction_methods: dict[str, int] = Field(
        default_factory=dict, description="how the turns' answers were read, by method"
    )
    truncated_calls: int = Field(default=0, description="replies cut at the token limit")
    truncated_call_rate: float = Field(default=0.0, description="truncated calls / calls")
    truncated_problems: int = Field(default=0, description="problems with a truncated reply")
    truncated_problem_rate: float = 0.0
    context_exceeded: int = Field(
        default=0, description="problems ended by a prompt beyond the model's context (wrong)"
    )
    tokens_total: int
    tokens_per_problem: float
    calls_per_problem: float
    cost_usd: float | None
    wall_seconds: float
    seconds_per_problem: float
    stopped_early_share: float
    mean_stop_round: float | None
    token_budget: TokenBudget | None = Field(
        default=None, description="the target of a token-matched run (the baseline)"
    )
    usage: UsageReport | None = Field(
        default=None,
        description="tokens, cost and time by role and agent, from the graded problems' "
        "calls (None: summarised from the lines' heads alone)",
    )

    @property
    def achieved_vs_target(self) -> str:
        if self.token_budget is None:
            return f"{self.tokens_per_problem:.0f}"
        return (
            f"{self.tokens_per_problem:.0f} (target "
            f"{self.token_budget.target_tokens_per_problem:.0f})"
        )


def summarise(
    lines: Iterable[ResultHead], wall_seconds: float, budget: TokenBudget | None = None
) -> Summary:
    """The summary of one line per problem (each problem's latest), from heads alone: no
    usage by role and agent (`summarise_run` reads it from the calls)."""
    ledger = Ledger()
    for line in lines:
        ledger.add(line)
    return summary_of(ledger, wall_seconds, budget)


def summary_of(ledger: Ledger, wall_seconds: float, budget: TokenBudget | None = None) -> Summary:
    n = ledger.graded
    attempted = n + ledger.errors
    correct = ledger.correct
    low, high = wilson_interval(correct, attempted)
    calls = ledger.calls
    truncated = ledger.truncated_calls
    return Summary(
        problems=attempted,
        graded=n,
        errors=ledger.errors,
        correct=correct,
        accuracy=correct / attempted if attempted else 0.0,
        accuracy_graded=correct / n if n else 0.0,
        ci95_low=low,
        ci95_high=high,
        extraction_failure_rate=ledger.extraction_failed / n if n else 0.0,
        extraction_methods=dict(sorted(ledger.extraction_methods.items())),
        truncated_calls=truncated,
        truncated_call_rate=truncated / calls if calls else 0.0,
        truncated_problems=ledger.truncated_problems,
        truncated_problem_rate=ledger.truncated_problems / n if n else 0.0,
        context_exceeded=ledger.context_exceeded,
        tokens_total=ledger.tokens,
        tokens_per_problem=ledger.tokens / n if n else 0.0,
        calls_per_problem=calls / n if n else 0.0,
        cost_usd=ledger.costs.value if ledger.costed else None,
        wall_seconds=wall_seconds,
        seconds_per_problem=ledger.seconds.value / n if n else 0.0,
        stopped_early_share=ledger.stopped_early / n if n else 0.0,
        mean_stop_round=(
            ledger.stop_round_total / ledger.stop_rounds if ledger.stop_rounds else None
        ),
        token_budget=budget,
        usage=ledger.usage.report() if ledger.usage is not None else None,
    )


def read_budget(run_dir: Path) -> TokenBudget | None:
    """`budget.json`: the target of a token-matched run (None: not one)."""
    path = run_dir / BUDGET_FILE
    return TokenBudget.model_validate_json(path.read_text()) if path.exists() else None


def write_budget(run_dir: Path, budget: TokenBudget) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / BUDGET_FILE).write_text(budget.model_dump_json(indent=2))


class SavedSummary(BaseModel):
    """What is read back of a `summary.json` of any version (older ones had other
    fields): a resume adds its wall time to the earlier sessions', and a viewer compares
    the problems it counted with what the run counted when it last wrote a summary."""

    problems: int | None = None
    wall_seconds: float = 0.0


def read_saved_summary(run_dir: Path) -> SavedSummary | None:
    """The run's last written summary, leniently (None: none written, or unreadable)."""
    path = run_dir / SUMMARY_FILE
    try:
        return SavedSummary.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def read_summary(run_dir: Path) -> Summary | None:
    """The run's last written `summary.json`, whole (None: not written yet)."""
    path = run_dir / SUMMARY_FILE
    return Summary.model_validate_json(path.read_text()) if path.exists() else None


def write_summary(run_dir: Path, summary: Summary) -> None:
    """`summary.json`, rewritten at the end of each session (it is derived: the results
    file is the record, and a killed session's summary is recomputed on resume)."""
    (run_dir / SUMMARY_FILE).write_text(summary.model_dump_json(indent=2))


def summarise_run(run_dir: Path, wall_seconds: float = 0.0) -> Summary:
    """The summary of a run directory, read one line at a time."""
    ledger = Ledger.read(ResultsFile(run_dir / RESULTS_FILE))
    return summary_of(ledger, wall_seconds, read_budget(run_dir))


def describe(summary: Summary) -> str:
    """One line for people: both accuracies, named, with the errors and truncations beside
    them (a protocol that runs out of tokens loses answers, not only accuracy)."""
    line = (
        f"accuracy {summary.accuracy:.1%} over {summary.problems} attempted "
        f"(95% CI {summary.ci95_low:.1%}–{summary.ci95_high:.1%}); "
        f"{summary.accuracy_graded:.1%} over {summary.graded} graded; "
        f"{summary.errors} error{'' if summary.errors == 1 else 's'}"
    )
    if summary.errors:
        line += " (counted wrong in the first figure; `error` in results.jsonl says why)"
    truncated = summary.truncated_calls
    line += (
        f"; {truncated} truncated repl{'y' if truncated == 1 else 'ies'} in "
        f"{summary.truncated_problems} problem{'' if summary.truncated_problems == 1 else 's'}"
    )
    if summary.context_exceeded:
        line += (
            f"; {summary.context_exceeded} problem{'' if summary.context_exceeded == 1 else 's'}"
            " ended by a prompt beyond the model's context (counted wrong)"
        )
    line += f"; tokens/problem {summary.achieved_vs_target}"
    return line
