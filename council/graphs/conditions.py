"""Conditions for branches: plain functions of the typed state, plus named built-ins.

Named conditions let config files route without code; a Python function works anywhere a
name does. `not X` and `X and Y` combine names. `next_module == NAME` routes a module plan
(tool-planner) to its next module; `vote_share >= T` holds when the latest tally's leading
answer has at least that share of the ballots (cascade).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from council.agents.tool_modules import ModulePlan
from council.errors import ConfigError
from council.voting import bounded_equivalence, tally

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
    """Every answering agent of this round committed to an answer, and all answers are
    one value (by the grader's comparison; see `council.voting`)."""
    round_number = state.round
    table = state.vote_for_round(round_number)
    if table is None:
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


def next_module(state: CouncilState) -> str | None:
    """The module the latest module plan (tool-planner) runs next: its entry at the number
    of turns since the plan was made (each module is one turn), so modules run in the
    listed order, repeats included; None when all have run or there is no plan."""

    for index in range(len(state.turns) - 1, -1, -1):
        turn = state.turns[index]
        if isinstance(turn.output, ModulePlan):
            return turn.output.module_at(len(state.turns) - index - 1)
    return None


def vote_share_at_least(threshold: float) -> Condition:
    """The latest tally's leading answer has at least `threshold` of all ballots (an
    abstaining sample counts against it)."""

    def condition(state: CouncilState) -> bool:
        if not state.votes:
            return False
        table = state.votes[-1]
        if not table.ballots or not table.counts:
            return False
        return max(len(c.voters) for c in table.counts) / len(table.ballots) >= threshold

    condition.__name__ = f"vote_share_at_least_{threshold}"
    return condition


def next_module_is(name: str) -> Condition:
    def condition(state: CouncilState) -> bool:
        return next_module(state) == name

    condition.__name__ = f"next_module_is_{name}"
    return condition


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
    if expression.startswith("vote_share >= "):
        value = expression.removeprefix("vote_share >= ").strip()
        try:
            threshold = float(value)
        except ValueError:
            raise ConfigError(f"'vote_share >= {value}' needs a number from 0 to 1") from None
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"'vote_share >= {value}' needs a number from 0 to 1")
        return vote_share_at_least(threshold)
    if expression.startswith("next_module == "):
        return next_module_is(expression.removeprefix("next_module == ").strip())
    try:
        return BUILTIN_CONDITIONS[expression]
    except KeyError:
        known = ", ".join(repr(name) for name in BUILTIN_CONDITIONS)
        raise ConfigError(
            f"unknown condition {spec!r}; use one of {known}, 'next_module == NAME', "
            "'vote_share >= 0.6' "
            "(optionally with 'not' / 'and'),"
            " or a Python function of the state"
        ) from None
