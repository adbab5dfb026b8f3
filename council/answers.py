"""What an answer is, in one place: how a final answer is read from a reply, and when two
answers (or an answer and a gold) are the same value. Agents read answers with it, votes
group them with it, and the grader grades with it, so the three never disagree.

Comparisons that need sympy (math-verify) are the grader's; plain text and numbers are
settled here without it.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from functools import cache
from typing import Literal

from pydantic import BaseModel

_BOXED = re.compile(r"\\boxed\s*\{")
_NUMBER = re.compile(r"-?\$?\d[\d,]*(?:\.\d+)?(?:/\d+)?")
_ANSWER_MARKER = re.compile(
    r"(?:\banswer\b\s*(?:is\s*[:=]?|[:=])|####)[ \t]*\**[ \t]*(\S[^\n]*)", re.IGNORECASE
)
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
ExtractionMethod = Literal["boxed", "marker", "last_number", "none"]


def last_boxed(text: str) -> str | None:
    """Contents of the last `\\boxed{...}`, braces balanced."""
    starts = [m.end() for m in _BOXED.finditer(text)]
    if not starts:
        return None
    index = starts[-1]
    depth = 1
    for position in range(index, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return text[index:position].strip()
    return None


class ExtractedAnswer(BaseModel):
    """An answer read from free text, and how: `boxed` (the last `\\boxed{}`), `marker`
    (the last "answer is ..." / "ANSWER:" / "####"), `last_number` (the last number in the
    text, the fallback of the reference evaluation scripts), or `none`."""

    value: str | None
    method: ExtractionMethod


def extract_answer(text: str) -> ExtractedAnswer:
    """The answer a free-text solution commits to: the last boxed answer, else the last
    answer marker (its line, without trailing punctuation or emphasis), else the last
    number. The last of each wins: earlier ones are drafts."""
    boxed = last_boxed(text)
    if boxed:
        return ExtractedAnswer(value=boxed, method="boxed")
    markers = [_clean_marker(m) for m in _ANSWER_MARKER.findall(text)]
    markers = [m for m in markers if m]
    if markers:
        return ExtractedAnswer(value=markers[-1], method="marker")
    numbers = _NUMBER.findall(text)
    if numbers:
        return ExtractedAnswer(
            value=numbers[-1].replace("$", "").replace(",", ""), method="last_number"
        )
    return ExtractedAnswer(value=None, method="none")


def _clean_marker(value: str) -> str:
    return value.strip().rstrip(".").strip("*").strip().strip("$").strip()


def extract_final_answer(text: str) -> str | None:
    """`extract_answer(text).value`."""
    return extract_answer(text).value


def normalise_answer(answer: str) -> str:
    """Loose equality for agreement and voting: case, spaces, `$`, commas, trailing `.0`."""
    text = answer.strip().strip(".").replace("$", "").replace(",", "").replace(" ", "").lower()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text


def plain_numbers_equal(first: str | None, second: str) -> bool | None:
    """Both sides bare decimal numbers ("72", "72.0", "-3.5"): compared exactly. Anything
    else (commas, units, LaTeX, words) needs math-verify; None means "not plain"."""
    if first is None:
        return None
    left, right = first.strip(), second.strip()
    if not (_PLAIN_NUMBER.fullmatch(left) and _PLAIN_NUMBER.fullmatch(right)):
        return None
    return Decimal(left) == Decimal(right)


_UNIT_TAIL = re.compile(r"^\s*(-?[\d,]*\.?\d+)\s*(?:[a-zA-Z%°$]+\.?\s*)+$")


def _gold_candidates(gold: str) -> list[str]:
    text = gold.strip()
    return [f"${text}$", text] if not text.startswith("$") else [text]


def grade_text(predicted_text: str, gold: str) -> tuple[bool, str | None, bool]:
    """(correct, extracted answer, extraction failed). Unparseable means wrong."""
    from math_verify import parse, verify  # start-up: sympy, see `load_symbolic`

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
    if normalise_answer(first) == normalise_answer(second):
        return True
    plain = plain_numbers_equal(first, second)
    if plain is not None:
        return plain
    if max(len(first), len(second)) > _MAX_SYMBOLIC_CHARS:
        return False
    return None


@cache
def load_symbolic() -> None:
    """Import math-verify and build its LaTeX parser (a parse of a small fraction): about
    half a second on a quiet machine, several on a busy one, and not part of any one
    comparison's time.

    Why imported here and not at the top: math-verify brings sympy, 1.0-1.8 s on this
    2-core machine under load (`python -X importtime -c "import math_verify"`, 2026-12-03),
    against 0.08 s for this module without it; every agent and vote imports this module,
    and only grading and symbolic comparisons need sympy."""
    from math_verify import parse  # start-up: sympy (measured above)

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    parse(_as_math("\\frac{1}{2}"), parsing_timeout=None)


def symbolically_equivalent(first: str, second: str) -> bool:
    """math-verify's verdict, with its signal timeouts off (the caller bounds the time)."""
    load_symbolic()
    from math_verify import parse, verify  # start-up: sympy, see `load_symbolic`

    left = parse(_as_math(first), parsing_timeout=None)
    right = parse(_as_math(second), parsing_timeout=None)
    if not left or not right:
        return False
    return bool(verify(left, right, timeout_seconds=None))


def _as_math(answer: str) -> str:
    text = answer.strip()
    return text if text.startswith("$") else f"${text}$"
