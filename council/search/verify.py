"""`council search verify`: run candidates that were scored from the pool live, on the same
search problems, model and seeds, and compare problem by problem: the check that a score
read at no calls is the score a run would have given."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, computed_field

from council.search.studies import SEARCH_STUDY, write_study
from council.studies.outcomes import ProblemResult
from council.studies.study_file import Compute, StudyFile, load_study

VERIFY_STUDY = "verify"
VERIFY_FILE = "verify.json"


class LiveCheck(BaseModel):
    name: str
    problems: int
    same_answer: int
    same_grade: int
    same_tokens: int
    pooled_accuracy: float
    live_accuracy: float
    pooled_tokens_per_problem: float
    live_tokens_per_problem: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def equal(self) -> bool:
        return self.same_answer == self.same_grade == self.problems and (
            self.pooled_accuracy == self.live_accuracy
        )

    def words(self) -> str:
        n = self.problems
        return (
            f"{self.name}: pooled {self.pooled_accuracy:.1%} at "
            f"{self.pooled_tokens_per_problem:.0f} tokens, live {self.live_accuracy:.1%} at "
            f"{self.live_tokens_per_problem:.0f}; same answer on {self.same_answer}/{n}, same "
            f"grade {self.same_grade}/{n}, same tokens {self.same_tokens}/{n}: "
            + ("equal" if self.equal else "NOT EQUAL")
        )


class LiveChecks(BaseModel):
    """What `council search verify` found, kept beside the search (`verify.json`)."""

    checks: list[LiveCheck]

    def write(self, directory: Path) -> Path:
        path = directory / VERIFY_FILE
        path.write_text(self.model_dump_json(indent=2) + "\n")
        return path


def verify_study(directory: Path, names: list[str]) -> StudyFile:
    """The search split's study with only `names`, each run live (not from the pool)."""
    search = load_study(directory / SEARCH_STUDY / "study.yaml")
    arms = {arm.name: arm for arm in search.arms}
    unknown = [n for n in names if n not in arms]
    if unknown:
        raise ValueError(f"no candidate {', '.join(unknown)} (candidates: {', '.join(arms)})")
    live = [arms[n].model_copy(update={"pooled": False}) for n in names]
    return search.model_copy(
        update={
            "name": f"{search.name}: live check",
            "arms": tuple(live),
            "reference": names[0],
            "compute": Compute(match="none"),
        }
    )


def write_verify_study(directory: Path, names: list[str]) -> Path:
    return write_study(directory / VERIFY_STUDY, verify_study(directory, names))


def compare(
    name: str, pooled: dict[str, ProblemResult], live: dict[str, ProblemResult]
) -> LiveCheck:
    shared = sorted(set(pooled) & set(live))
    n = len(shared)

    def accuracy(results: dict[str, ProblemResult]) -> float:
        return sum(results[i].correct for i in shared) / n if n else 0.0

    def tokens(results: dict[str, ProblemResult]) -> float:
        return sum(results[i].tokens for i in shared) / n if n else 0.0

    return LiveCheck(
        name=name,
        problems=n,
        same_answer=sum(pooled[i].answer == live[i].answer for i in shared),
        same_grade=sum(pooled[i].correct == live[i].correct for i in shared),
        same_tokens=sum(pooled[i].tokens == live[i].tokens for i in shared),
        pooled_accuracy=accuracy(pooled),
        live_accuracy=accuracy(live),
        pooled_tokens_per_problem=tokens(pooled),
        live_tokens_per_problem=tokens(live),
    )
