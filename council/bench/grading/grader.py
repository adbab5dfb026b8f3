"""`Grader`: grades in a pool of worker processes with a time bound per item, so grading
is safe from any thread or coroutine and a pathological expression cannot stall a run."""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib.metadata
import os
from collections.abc import Iterable
from types import TracebackType

from pydantic import BaseModel

from council.answers import grade_text, plain_numbers_equal
from council.processes import exit_when_parent_dies

GRADER_REVISION = 1
"""Bump when a change to extraction or comparison can change a grade: a run is resumed
only with the grader it started with (`council bench regrade` re-grades an old run)."""


def grader_version() -> str:
    """This grader's revision and the math-verify it compares with."""

    try:
        math_verify = importlib.metadata.version("math-verify")
    except importlib.metadata.PackageNotFoundError:
        math_verify = "not installed"
    return f"council-grader {GRADER_REVISION}; math-verify {math_verify}"


class Grade(BaseModel):
    correct: bool
    predicted: str | None
    gold: str
    extraction_failed: bool
    reason: str | None = None


def grade(predicted_text: str | None, gold: str) -> Grade:
    """Grade in this process (main thread only: math-verify uses signal timeouts)."""
    if not predicted_text or not predicted_text.strip():
        return Grade(
            correct=False, predicted=None, gold=gold, extraction_failed=True, reason="no answer"
        )
    correct, extracted, failed = grade_text(predicted_text, gold)
    return Grade(
        correct=correct,
        predicted=extracted,
        gold=gold,
        extraction_failed=failed,
        reason="no answer could be extracted" if failed else None,
    )


def plain_number_grade(predicted_text: str | None, gold: str) -> Grade | None:
    """Both sides bare decimal numbers, graded here without math-verify (see
    `council.answers.plain_numbers_equal`); None means "not plain"."""
    equal = plain_numbers_equal(predicted_text, gold)
    if equal is None or predicted_text is None:
        return None
    return Grade(
        correct=equal, predicted=predicted_text.strip(), gold=gold, extraction_failed=False
    )


def _start_worker(parent_pid: int) -> None:
    """A worker ends when the process that owns the pool ends, even by kill -9 (it would
    otherwise live on, holding that process's stdout open)."""
    exit_when_parent_dies(parent_pid)
    # child process: a grading worker preloads math_verify (sympy) once, before its first job
    import math_verify  # noqa: F401

    grade_text("1", "1")  # the first comparison also builds parser tables


def extraction_failure_rate(grades: Iterable[Grade]) -> float:
    items = list(grades)
    return sum(g.extraction_failed for g in items) / len(items) if items else 0.0


class Grader:
    """Owns its worker processes; use `with Grader() as grader:` or call `close()`."""

    def __init__(self, workers: int = 2, timeout_seconds: float = 20.0) -> None:
        self.timeout_seconds = timeout_seconds
        self._workers = workers
        self._pool = self._start_pool()

    def _start_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        """Workers import math-verify and sympy (about a second) as soon as the pool starts,
        while the first problems are still with the model, not when the first grade is due."""
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self._workers, initializer=_start_worker, initargs=(os.getpid(),)
        )
        for _ in range(self._workers):
            pool.submit(int)  # workers start on demand: ask for each one now
        return pool

    def _restart_pool(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start_pool()

    def grade(self, predicted_text: str | None, gold: str) -> Grade:
        plain = plain_number_grade(predicted_text, gold)
        if plain is not None:  # most GSM8K-style pairs: no worker round trip needed
            return plain
        return self._grade_in_worker(predicted_text, gold)

    async def agrade(self, predicted_text: str | None, gold: str) -> Grade:
        plain = plain_number_grade(predicted_text, gold)
        if plain is not None:
            return plain
        return await asyncio.to_thread(self._grade_in_worker, predicted_text, gold)

    def _grade_in_worker(self, predicted_text: str | None, gold: str) -> Grade:
        future = self._pool.submit(grade, predicted_text, gold)
        try:
            return future.result(timeout=self.timeout_seconds)
        except concurrent.futures.TimeoutError:
            self._restart_pool()
            return Grade(
                correct=False,
                predicted=None,
                gold=gold,
                extraction_failed=False,
                reason=f"grading took over {self.timeout_seconds:.0f}s",
            )

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Grader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
