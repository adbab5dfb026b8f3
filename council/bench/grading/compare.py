"""The comparison itself, run inside worker processes (math-verify's timeouts use signals,
which only work in a process's main thread)."""

from __future__ import annotations

import re
from functools import cache

_UNIT_TAIL = re.compile(r"^\s*(-?[\d,]*\.?\d+)\s*(?:[a-zA-Z%°$]+\.?\s*)+$")


def _gold_candidates(gold: str) -> list[str]:
    text = gold.strip()
    return [f"${text}$", text] if not text.startswith("$") else [text]


def compare(predicted_text: str, gold: str) -> tuple[bool, str | None, bool]:
    """(correct, extracted answer, extraction failed). Unparseable means wrong."""
    from math_verify import parse, verify

    from council.agents.parsing import last_boxed

    boxed = last_boxed(predicted_text)
    if boxed is not None:  # the last \boxed{} is the final answer, earlier ones are work
        predicted_text = f"$\\boxed{{{boxed}}}$"
    predicted = parse(predicted_text)
    if not predicted:
        match = _UNIT_TAIL.match(predicted_text.strip())  # "5 apples", "12 cm"
        if match:
            predicted = parse(match.group(1).replace(",", ""))
    if not predicted:
        return False, None, True
    extracted = str(predicted[-1]) if len(predicted) > 1 else str(predicted[0])
    for candidate in _gold_candidates(gold):
        gold_parsed = parse(candidate)
        if gold_parsed and verify(gold_parsed, predicted):
            return True, extracted, False
    return False, extracted, False


_MAX_SYMBOLIC_CHARS = 200


def settled_without_sympy(first: str, second: str) -> bool | None:
    """Whether two extracted answers are the same value, where no sympy is needed: equal
    after light normalisation is equal, plain numbers compare as numbers, long answers
    compare as text only; None when only sympy can tell (`symbolically_equivalent`, whose
    time the caller bounds: see `council.voting`)."""
    from council.bench.grading.grader import plain_number_grade
    from council.graphs.conditions import normalise_answer

    if normalise_answer(first) == normalise_answer(second):
        return True
    plain = plain_number_grade(first, second)
    if plain is not None:
        return plain.correct
    if max(len(first), len(second)) > _MAX_SYMBOLIC_CHARS:
        return False
    return None


@cache
def load_symbolic() -> None:
    """Import math-verify and build its LaTeX parser (a parse of a small fraction): about
    half a second on a quiet machine, several on a busy one, and not part of any one
    comparison's time."""
    import logging

    from math_verify import parse

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    parse(_as_math("\\frac{1}{2}"), parsing_timeout=None)


def symbolically_equivalent(first: str, second: str) -> bool:
    """math-verify's verdict, with its signal timeouts off (the caller bounds the time)."""
    load_symbolic()
    from math_verify import parse, verify

    left = parse(_as_math(first), parsing_timeout=None)
    right = parse(_as_math(second), parsing_timeout=None)
    if not left or not right:
        return False
    return bool(verify(left, right, timeout_seconds=None))


def _as_math(answer: str) -> str:
    text = answer.strip()
    return text if text.startswith("$") else f"${text}$"
