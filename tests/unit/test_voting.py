"""Votes group answers by mathematical value, only committed answers vote, and ties and
agreement follow the documented rule."""

from __future__ import annotations

import time

import pytest

from council import voting
from council.voting import Ballot, VoteTable, bounded_equivalence, tally


def ballots(*answers: str | None) -> list[Ballot]:
    return [Ballot(agent=f"a{i}", answer=a) for i, a in enumerate(answers, start=1)]


def vote(*answers: str | None) -> VoteTable:
    return tally(ballots(*answers), bounded_equivalence())


def test_equal_values_are_one_vote_whatever_their_spelling() -> None:
    table = vote("42", "42.0", "\\frac{84}{2}", "41")
    assert table.winner == "42"
    assert [c.voters for c in table.counts] == [["a1", "a2", "a3"], ["a4"]]


def test_a_fraction_and_its_decimal_are_one_vote() -> None:
    assert len(vote("\\frac12", "0.5").counts) == 1


def test_a_tuple_and_a_number_are_different_votes() -> None:
    assert len(vote("(1,2)", "12").counts) == 2


def test_a_tie_goes_to_the_answer_given_first() -> None:
    table = vote("3", "4", "4", "3")
    assert table.winner == "3" and table.tie


def test_abstentions_do_not_vote_and_break_unanimity() -> None:
    table = vote("7", "7", None)
    assert table.winner == "7" and table.abstained == ["a3"]
    assert not table.unanimous
    assert vote("7", "7.0").unanimous


def test_no_answers_no_winner() -> None:
    table = vote(None, None)
    assert table.winner is None and not table.unanimous
    assert "no answers" in table.summary()


def test_the_table_records_its_rule() -> None:
    assert "ties go to the answer given first" in vote("1").rule


def test_loading_math_verify_is_not_part_of_a_comparisons_time_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a busy machine math-verify's first import can outlast the bound; equal answers
    must still be one vote (they were counted as different, depending on the load)."""
    loaded: list[bool] = []

    def slow_first_load() -> None:
        if not loaded:
            time.sleep(1.5)  # the import, on a starved machine
            loaded.append(True)

    monkeypatch.setattr(voting, "load_symbolic", slow_first_load)
    same = bounded_equivalence(seconds=1.0)
    assert same("42", "\\frac{84}{2}")
    assert loaded
