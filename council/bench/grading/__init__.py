"""Strict answer checking: extract the final answer, compare by value (math-verify)."""

from council.bench.grading.grader import (
    Grade,
    Grader,
    extraction_failure_rate,
    grade,
    grader_version,
)

__all__ = ["Grade", "Grader", "extraction_failure_rate", "grade", "grader_version"]
