"""A token-matched baseline's files (`council bench --baseline`): `baseline-plan.json`
(how many samples, sized on a pilot; written once, so a resume keeps its k), the pilot's
and the baseline's own run directories inside the protocol's (`baseline-pilot/`,
`baseline/`, each a run directory like any other, the baseline's with its `budget.json`),
and `baseline.json` (the plan with the baseline's summary)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from council.run_log.summary import Summary

BASELINE_PLAN_FILE = "baseline-plan.json"
BASELINE_RESULT_FILE = "baseline.json"


class BaselinePlan(BaseModel):
    """How the baseline was sized; written once, so a resume (also with a larger --limit)
    keeps its k."""

    samples: int
    target_tokens_per_problem: float = Field(
        description="the protocol's own tokens per problem, measured on its finished run"
    )
    tokens_per_sample: float = Field(
        description="tokens of one self-consistency sample (its decoding), from the pilot"
    )
    pilot_problems: int
    measured_on: str


class BaselineResult(BaseModel):
    plan: BaselinePlan
    summary: Summary

    @property
    def samples(self) -> int:
        return self.plan.samples


def baseline_run(run_dir: Path) -> Path:
    """The baseline's run directory, inside the protocol's."""
    return run_dir / "baseline"


def baseline_pilot_run(run_dir: Path) -> Path:
    """The pilot's run directory (one sample on the first problems), inside the protocol's."""
    return run_dir / "baseline-pilot"


def read_baseline_plan(run_dir: Path) -> BaselinePlan | None:
    path = run_dir / BASELINE_PLAN_FILE
    return BaselinePlan.model_validate_json(path.read_text()) if path.exists() else None


def write_baseline_plan(run_dir: Path, plan: BaselinePlan) -> None:
    (run_dir / BASELINE_PLAN_FILE).write_text(plan.model_dump_json(indent=2))


def read_baseline_result(run_dir: Path) -> BaselineResult | None:
    path = run_dir / BASELINE_RESULT_FILE
    return BaselineResult.model_validate_json(path.read_text()) if path.exists() else None


def write_baseline_result(run_dir: Path, result: BaselineResult) -> None:
    (run_dir / BASELINE_RESULT_FILE).write_text(result.model_dump_json(indent=2))
