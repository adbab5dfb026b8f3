"""When a bench run stops instead of recording one more error.

One problem that fails is recorded and the run goes on: it may be that problem (a prompt
too long, a bug on odd input). But a server that is down, a key that is refused or a model
process that died fails every problem after it too, and a run that records hundreds of such
errors and then reports "accuracy 0.0" hides the one thing the user must fix. So a run
stops at once when the model process died, and after a few problems in a row failed on a
fault of the run's environment, keeping everything that finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from council.errors import RUN_FAULTS, ContextLengthError, CouncilError, ModelCrashedError

if TYPE_CHECKING:
    from council.run_log.summary import Summary

MAX_CONSECUTIVE_RUN_FAULTS = 3
"""Problems in a row that may fail on the model or sandbox (unreachable, refused, unknown
model, server errors after retries) before the run stops: more than one, so a single
transient failure costs one problem, few enough that a dead server costs seconds."""


class BenchStoppedError(CouncilError):
    """A run stopped early. Its finished problems are in results.jsonl and `summary`
    covers them; the same command resumes once the cause is fixed."""

    def __init__(self, message: str, summary: Summary) -> None:
        super().__init__(message)
        self.summary = summary


FailureKind = Literal["crash", "run", "problem"]


class Failure(BaseModel):
    """Why a problem's run failed, as the stop rules read it. A plain value rather than the
    exception, so it crosses process and machine boundaries (workers, Ray) unchanged."""

    kind: FailureKind
    message: str

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        kind: FailureKind = "problem"
        if isinstance(exc, ModelCrashedError):
            kind = "crash"
        elif isinstance(exc, ContextLengthError):
            kind = "problem"  # a long prompt: this problem's, the next one may fit
        elif isinstance(exc, RUN_FAULTS):
            kind = "run"
        return cls(kind=kind, message=str(exc))


class FaultWatch:
    """Watches problems' failures in the order they finish; says when to stop."""

    def __init__(self, limit: int = MAX_CONSECUTIVE_RUN_FAULTS) -> None:
        self.limit = limit
        self._streak = 0

    def observe(self, failure: Failure | None) -> str | None:
        """Why the run must stop now (one line), or None to go on."""
        if failure is not None and failure.kind == "crash":
            return failure.message
        if failure is None or failure.kind != "run":
            self._streak = 0  # a success, or a failure of that problem alone
            return None
        self._streak += 1
        if self._streak < self.limit:
            return None
        return f"{self._streak} problems in a row failed: {failure.message}"
