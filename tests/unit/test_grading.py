"""Strict answer checking over tricky pairs: (model output, gold, correct?)."""

from __future__ import annotations

import threading

import pytest

from council.bench.grading import Grader, extraction_failure_rate, grade
from council.bench.grading.grader import plain_number_grade

CASES: list[tuple[str, str, bool]] = [
    # plain numbers and GSM8K-style formatting
    ("The answer is 72.", "72", True),
    ("#### 72", "72", True),
    ("72.0", "72", True),
    ("72.00", "72", True),
    ("The answer is $1,234.00", "1234", True),
    ("She pays $18 in total.", "18", True),
    ("So the total is 1,000,000.", "1000000", True),
    ("The answer is 50%", "50", True),
    ("answer: 5 apples", "5", True),
    ("12 cm", "12", True),
    ("The answer is -3.", "-3", True),
    ("The answer is 0.5", "1/2", True),
    ("The answer is 71.", "72", False),
    ("The answer is 7.2", "72", False),
    ("The answer is 720", "72", False),
    ("The answer is -72", "72", False),
    ("The answer is $1,235", "1234", False),
    # boxed and LaTeX fractions
    (r"\boxed{\frac{1}{2}}", "0.5", True),
    (r"\boxed{\dfrac{1}{2}}", r"\frac{1}{2}", True),
    (r"\boxed{\frac12}", "0.5", True),
    (r"\boxed{0.5}", r"\frac{1}{3}", False),
    (r"\boxed{\frac{2}{4}}", r"\frac{1}{2}", True),
    (r"\boxed{\frac{3}{4}}", r"\frac{1}{2}", False),
    (r"so \boxed{1} and finally \boxed{2}", "2", True),
    (r"so \boxed{1} and finally \boxed{2}", "1", False),
    # roots and pi
    (r"\boxed{2\sqrt{2}}", r"\sqrt{8}", True),
    (r"\boxed{\sqrt{2}}", r"\sqrt{8}", False),
    (r"\boxed{3\sqrt{3}}", r"\sqrt{27}", True),
    (r"\boxed{\frac{\sqrt{2}}{2}}", r"\frac{1}{\sqrt{2}}", True),
    (r"\boxed{\pi}", r"\pi", True),
    (r"\boxed{2\pi}", r"\pi", False),
    (r"\boxed{\frac{\pi}{2}}", r"\pi/2", True),
    (r"\boxed{\pi r^2}", r"\pi r^2", True),
    # algebra
    (r"\boxed{x^2+2x+1}", r"(x+1)^2", True),
    (r"\boxed{x^2+1}", r"(x+1)^2", False),
    (r"\boxed{2x}", r"x+x", True),
    (r"\boxed{2^{10}}", "1024", True),
    # intervals
    (r"\boxed{[1,2)}", r"[1,2)", True),
    (r"\boxed{[1,2)}", r"[1,2]", False),
    (r"\boxed{(0,\infty)}", r"(0,\infty)", True),
    (r"\boxed{(-\infty, 3]}", r"(-\infty,3]", True),
    (r"\boxed{(-\infty, 3)}", r"(-\infty,3]", False),
    # tuples and sets of solutions
    (r"\boxed{(1, 2)}", "(1,2)", True),
    (r"\boxed{(2, 1)}", "(1,2)", False),
    (r"\boxed{1, 2, 3}", "1,2,3", True),
    (r"\boxed{x = 3}", "3", True),
    # matrices
    (
        r"\boxed{\begin{pmatrix}1 & 2\\ 3 & 4\end{pmatrix}}",
        r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
        True,
    ),
    (
        r"\boxed{\begin{pmatrix}1 & 2\\ 3 & 5\end{pmatrix}}",
        r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
        False,
    ),
    # degrees, percents, scientific
    (r"\boxed{30^\circ}", "30", True),
    (r"\boxed{25\%}", "25", True),
    ("The answer is 1.5e3", "1500", False),  # e-notation is not read as one number
    (r"\boxed{1.5\times10^{3}}", "1500", True),
    # negatives, mixed text
    ("I think it is 8, no wait, it is 9. The answer is 9.", "9", True),
    ("The answer is 9. Actually 8.", "9", True),  # the stated answer is the commitment
    (r"\boxed{-\frac{1}{2}}", "-0.5", True),
    (r"\boxed{\frac{-1}{2}}", "-1/2", True),
    # no answer at all is wrong
    ("I don't know.", "3", False),
    ("", "3", False),
    ("The problem is hard", "0", False),
    # decimals and rounding are strict
    ("The answer is 3.14", r"\pi", False),
    ("The answer is 0.333", r"\frac{1}{3}", False),
    ("The answer is 2.50", "2.5", True),
    ("The answer is 10", "10.0", True),
]


@pytest.mark.parametrize(("predicted", "gold", "expected"), CASES)
def test_grading_table(predicted: str, gold: str, expected: bool) -> None:
    assert len(CASES) >= 60
    assert grade(predicted, gold).correct is expected


def test_empty_answer_counts_as_extraction_failure() -> None:
    grades = [grade("", "1"), grade("The answer is 1", "1"), grade("nothing", "1")]
    assert grades[0].extraction_failed and not grades[1].extraction_failed
    assert extraction_failure_rate(grades) == pytest.approx(2 / 3)


def test_grader_is_safe_from_many_threads() -> None:
    results: list[bool] = []
    with Grader(workers=2) as grader:

        def work(index: int) -> None:
            results.append(
                grader.grade(rf"\boxed{{\frac{{{index}}}{{2}}}}", str(index / 2)).correct
            )

        threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 13)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [True] * 12


async def test_async_grading() -> None:
    with Grader(workers=1) as grader:
        result = await grader.agrade("The answer is 42", "42")
    assert result.correct and result.predicted == "42"


PLAIN_PAIRS = [("72", "72"), ("72.0", "72"), ("-3.5", "-3.50"), ("7", "8"), ("0.1", "0.10000")]


@pytest.mark.parametrize(("predicted", "gold"), PLAIN_PAIRS + [(p, g) for p, g, _ in CASES])
def test_plain_number_fast_path_agrees_with_math_verify(predicted: str, gold: str) -> None:
    fast = plain_number_grade(predicted, gold)
    if fast is None:  # not two bare numbers: left to math-verify
        assert not (
            predicted.strip().lstrip("-").replace(".", "").isdigit()
            and gold.strip().lstrip("-").replace(".", "").isdigit()
        )
        return
    assert fast.correct is grade(predicted, gold).correct
