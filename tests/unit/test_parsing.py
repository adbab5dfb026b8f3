from __future__ import annotations

import pytest

from council.agents import OutputParseError, Plan, Solution, Verdict, extract_final_answer
from council.agents.critic import Critique
from council.agents.parsing import find_json_object, labeled_fields
from council.answers import last_boxed


def test_json_in_fence_with_trailing_comma_and_python_literals() -> None:
    text = 'Sure!\n```json\n{"verdict": True, "confidence": 0.9, "reason": "ok",}\n```'
    assert find_json_object(text) == {"verdict": True, "confidence": 0.9, "reason": "ok"}


def test_labeled_fields_run_until_next_label() -> None:
    text = "**Reasoning:** 2 plus 3\nis five\nANSWER: 5"
    assert labeled_fields(text, ["reasoning", "answer"]) == {
        "reasoning": "2 plus 3\nis five",
        "answer": "5",
    }


def test_last_boxed_handles_nested_braces() -> None:
    assert last_boxed(r"so \boxed{1} then \boxed{\frac{1}{2}}") == r"\frac{1}{2}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"thus \boxed{42}.", "42"),
        ("The answer is 17.", "17"),
        ("So she has $1,250 left", "1250"),
        ("#### 72", "72"),
        ("no digits here", None),
        ("The answer is \n\n", None),  # an answer phrase with nothing after it
        ("answer: \n 42", "42"),
        ("the answer is 3\nThe answer is ", "3"),
    ],
)
def test_extract_final_answer(text: str, expected: str | None) -> None:
    assert extract_final_answer(text) == expected


def test_solution_from_labels_json_and_prose() -> None:
    assert Solution.parse("REASONING: 2+2\nANSWER: 4").answer == "4"  # type: ignore[attr-defined]
    assert Solution.parse('{"answer": "7", "reasoning": "x"}').answer == "7"  # type: ignore[attr-defined]
    assert Solution.parse("we get 3 + 4 = 7").answer == "7"  # type: ignore[attr-defined]
    with pytest.raises(OutputParseError):
        Solution.parse("I do not know")
    with pytest.raises(OutputParseError):
        Solution.parse("we get 7", allow_prose=False)


@pytest.mark.parametrize(
    ("text", "accepted", "confidence", "step"),
    [
        ("VERDICT: correct\nCONFIDENCE: 0.8\nFAILING_STEP: none\nREASON: fine", True, 0.8, None),
        ("Verdict: Incorrect.\nConfidence: 90%\nFailing step: step 2\nReason: bad", False, 0.9, 2),
        ('{"correct": "yes", "confidence": "high"}', True, 0.5, None),
    ],
)
def test_verdict_normalises_loose_values(
    text: str, accepted: bool, confidence: float, step: int | None
) -> None:
    verdict = Verdict.parse(text)
    assert isinstance(verdict, Verdict)
    assert verdict.accepted is accepted
    assert verdict.confidence == pytest.approx(confidence)
    assert verdict.failing_step == step


def test_verdict_without_verdict_is_a_parse_error() -> None:
    with pytest.raises(OutputParseError):
        Verdict.parse("CONFIDENCE: 0.3")


def test_plan_from_numbered_prose_and_fallback() -> None:
    plan = Plan.parse("First, think.\n1. add the apples\n2) subtract the eaten ones")
    assert isinstance(plan, Plan)
    assert plan.steps == ["add the apples", "subtract the eaten ones"]
    assert Plan.fallback("garbage").steps


def test_critique_from_labels() -> None:
    critique = Critique.parse("ISSUES:\n- wrong sum\n- units\nFIX: add again")
    assert isinstance(critique, Critique)
    assert critique.issues == ["wrong sum", "units"]
    assert critique.fix == "add again"


@pytest.mark.parametrize(
    ("text", "value", "method"),
    [
        ("The final answer is 42.", "42", "marker"),  # not "is 42"
        ("ANSWER: 7\nwait, no.\nANSWER: 8", "8", "marker"),  # the last marker wins
        ("**Answer:** $12$", "12", "marker"),
        ("so \\boxed{3}, I mean \\boxed{4}", "4", "boxed"),
        ("3 + 4 = 7", "7", "last_number"),
        ("I cannot tell", None, "none"),
    ],
)
def test_extraction_says_what_it_read_and_how(text: str, value: str | None, method: str) -> None:
    from council.answers import extract_answer

    found = extract_answer(text)
    assert (found.value, found.method) == (value, method)


def test_the_last_answer_label_wins_and_holds_one_line() -> None:
    text = "REASONING: first try\nANSWER: 5\nREASONING: oops, redo\nANSWER: 6\nthat is all"
    solution = Solution.parse(text)
    assert isinstance(solution, Solution) and solution.answer == "6"


@pytest.mark.parametrize(
    "text",
    [
        "The answer is not right.",
        "Let me check whether the solution holds. First, 3 + 4",  # cut mid-check
        "VERDICT: not correct\nREASON: step 2 is wrong",
        "The solution looks right to me.",  # prose, no explicit verdict
    ],
)
def test_a_verifier_accepts_only_on_an_explicit_verdict(text: str) -> None:
    try:
        verdict = Verdict.parse(text)
    except OutputParseError:
        return  # unreadable: the agent falls back to a rejection
    assert isinstance(verdict, Verdict) and verdict.accepts() is False
