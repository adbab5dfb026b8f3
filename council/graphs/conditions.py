"""Conditions for branches: plain functions of the typed state, plus named built-ins.

Named conditions let config files route without code; a Python function works anywhere a
name does. `not X` and `X and Y` combine names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from council.errors import ConfigError

if TYPE_CHECKING:
    from council.graphs.state import CouncilState

Condition = Callable[["CouncilState"], bool]


def verdict_accepted(state: CouncilState) -> bool:
    """The most recent verdict (from any verifier-like agent) accepted the answer."""
    turn = state.last_turn(with_verdict=True)
    return bool(turn and turn.accepted)


def rounds_left(state: CouncilState) -> bool:
    return state.round < state.max_rounds


def agents_agree(state: CouncilState) -> bool:
    """Every answering agent of the latest round committed to an answer, and all answers
    are one value (by the grader's comparison; see `council.voting`)."""
    round_number = state.latest_answer_round()
    table = state.vote_for_round(round_number)
    if table is None:
        from council.voting import bounded_equivalence, tally

        table = tally(state.ballots(round_number), bounded_equivalence(), round_number)
    return table.unanimous


def judge_decided(state: CouncilState) -> bool:
    """The latest turn that can decide (a judge, a moderator) decided, with a reply that
    can be trusted."""
    for turn in reversed(state.turns):
        if turn.decided is not None:
            return turn.decided
    return False


def has_answer(state: CouncilState) -> bool:
    return state.final_answer is not None


def normalise_answer(answer: str) -> str:
    """Loose equality for agreement and voting: case, spaces, `$`, commas, trailing `.0`."""
    text = answer.strip().strip(".").replace("$", "").replace(",", "").replace(" ", "").lower()
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text


BUILTIN_CONDITIONS: dict[str, Condition] = {
    "verdict.accepted": verdict_accepted,
    "round < max_rounds": rounds_left,
    "agents_agree": agents_agree,
    "judge.decided": judge_decided,
    "has_answer": has_answer,
    "always": lambda state: True,
}


def resolve_condition(spec: str | Condition) -> Condition:
    """A callable as is, or a named condition, possibly with `not` and `and`."""
    if callable(spec):
        return spec
    expression = " ".join(spec.split())
    if " and " in expression:
        parts = [resolve_condition(part) for part in expression.split(" and ")]
        return lambda state: all(part(state) for part in parts)
    if expression.startswith("not "):
        inner = resolve_condition(expression[4:])
        return lambda state: not inner(state)
    try:
        return BUILTIN_CONDITIONS[expression]
    except KeyError:
        known = ", ".join(repr(name) for name in BUILTIN_CONDITIONS)
        raise ConfigError(
            f"unknown condition {spec!r}; use one of {known} (optionally with 'not' / 'and'),"
            " or a Python function of the state"
        ) from None
