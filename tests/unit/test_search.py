"""The pieces of `council search` that need no model: the split, the space, the choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.errors import ConfigError
from council.search.candidates import candidate_arms
from council.search.outcome import SearchCandidate, choose_winner, eligible
from council.search.search_file import (
    SearchBudget,
    SearchFile,
    SearchSpace,
    SearchSplit,
    load_search,
)
from council.search.split import Split, fix_split, make_split
from council.search.studies import held_out_study, search_study
from council.studies.outcomes import ArmFigures
from council.studies.plan import plan_study
from council.studies.study_file import Budget

IDS = [f"{i}-x" for i in range(10)]


def test_the_split_is_a_seeded_shuffle_and_keeps_the_data_order() -> None:
    split = make_split(IDS, SearchSplit(held_out=0.3, seed=1))
    assert len(split.held_out) == 3 and len(split.search) == 7
    assert set(split.held_out) | set(split.search) == set(IDS)
    assert split.search == [i for i in IDS if i in split.search]
    assert make_split(IDS, SearchSplit(held_out=0.3, seed=1)) == split
    assert make_split(IDS, SearchSplit(held_out=0.3, seed=2)) != split


def test_a_changed_split_is_refused_once_recorded(tmp_path: Path) -> None:
    first = fix_split(tmp_path, make_split(IDS, SearchSplit(seed=1)))
    assert fix_split(tmp_path, make_split(IDS, SearchSplit(seed=1))) == first
    with pytest.raises(ConfigError, match="records another split"):
        fix_split(tmp_path, make_split(IDS, SearchSplit(seed=2)))
    with pytest.raises(ConfigError, match="at least 2 problems"):
        make_split(IDS[:1], SearchSplit())


def test_the_space_names_every_candidate_and_skips_a_cascade_that_never_samples() -> None:
    space = SearchSpace.model_validate(
        {
            "self_consistency": {"samples": [1, 5], "temperatures": [0.7, 1.0]},
            "cascade": {"first_samples": [2, 3], "samples": [3]},
            "protocols": [{"name": "pot", "protocol": "pot"}],
        }
    )
    arms = candidate_arms(space)
    assert [a.name for a in arms] == [
        "single", "sc-1@0.7", "sc-5@0.7", "sc-1@1", "sc-5@1", "cascade-2of3", "pot",
    ]  # fmt: skip
    # at self-consistency's own temperature the setting is left unset: one pool with the cascade
    assert arms[1].settings == {} and arms[3].settings == {"temperature": 1.0}


def test_debate_rounds_and_best_of_n_candidates_are_served_from_one_run_each(
    tmp_path: Path,
) -> None:
    search = SearchFile.model_validate(
        {
            "name": "s",
            "data": {"source": "d.jsonl"},
            "model": "openai/stub",
            "space": {
                "self_consistency": None,
                "cascade": None,
                "debate": {"agents": [2, 3], "rounds": [1, 2]},
                "best_of_n": {"samples": [2, 4]},
            },
        }
    )
    split = Split(seed=0, held_out_share=0.5, search=IDS[:5], held_out=IDS[5:])
    study = search_study(search, tmp_path, split, Budget())
    assert [a.name for a in study.arms] == [
        "single", "debate-2x1", "debate-2x2", "debate-3x1", "debate-3x2", "bon-2", "bon-4",
    ]  # fmt: skip
    plan = plan_study(study, tmp_path / "out", tmp_path)
    live = {arm.name for arm in plan.arms if arm.runs}
    assert live == {"single", "debate-2x2", "debate-3x2"}
    assert {a.name: a.prefix.source_arm for a in plan.arms if a.prefix} == {
        "debate-2x1": "debate-2x2",
        "debate-3x1": "debate-3x2",
    }
    pools = {a.name: (a.pool, a.k) for a in plan.arms if a.pool}
    assert pools == {"bon-2": ("best-of-n", 2), "bon-4": ("best-of-n", 4)}


@pytest.mark.parametrize(
    ("seed", "stage_names"), [(0, ("debate@seed3", "tir@seed3")), (None, ("debate", "tir"))]
)
def test_a_cascade_final_stage_is_read_from_one_stage_run_per_escalation(
    tmp_path: Path, seed: int | None, stage_names: tuple[str, str]
) -> None:
    """The stage's run is at the search's seed plus `samples` (as the cascade seeds it), so
    the study reads each final-stage cascade from it at no calls of its own."""
    search = SearchFile.model_validate(
        {
            "name": "s",
            "data": {"source": "d.jsonl"},
            "model": "openai/stub",
            "settings": {} if seed is None else {"seed": seed},
            "space": {
                "self_consistency": None,
                "cascade": {
                    "first_samples": [2],
                    "samples": [3],
                    "final_stages": ["none", "debate", "tir"],
                    "thresholds": [0.5],
                },
            },
        }
    )
    split = Split(seed=0, held_out_share=0.5, search=IDS[:5], held_out=IDS[5:])
    study = search_study(search, tmp_path, split, Budget())
    debate_stage, tir_stage = stage_names
    assert [a.name for a in study.arms] == [
        "single", "cascade-2of3", "cascade-2of3-debate@0.5", "cascade-2of3-tir@0.5",
        debate_stage, tir_stage,
    ]  # fmt: skip
    plan = plan_study(study, tmp_path / "out", tmp_path)
    for name, stage in (
        ("cascade-2of3-debate@0.5", debate_stage),
        ("cascade-2of3-tir@0.5", tir_stage),
    ):
        arm = plan.arm(name)
        assert arm.cascade is not None and not arm.runs, name
        assert (arm.cascade.stage_arm, arm.cascade.threshold) == (stage, 0.5)
    assert {a.name for a in plan.arms if a.runs} == {"single", debate_stage, tir_stage}
    # held out: the winner live, and only the cascades the pool alone serves
    winner = next(a for a in study.arms if a.name == "cascade-2of3-debate@0.5")
    held = held_out_study(search, tmp_path, split, winner, Budget())
    assert [a.name for a in held.arms] == ["cascade-2of3-debate@0.5", "single", "cascade-2of3"]


def test_a_bad_search_file_is_one_line_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: x\ndata: {source: d.jsonl}\nsplit: {held_out: 1.5}\n")
    with pytest.raises(ConfigError, match=r"split\.held_out"):
        load_search(path)
    path.write_text("name: x\ndata: {source: d.jsonl}\nspace: {self_consistency: {samples: [0]}}")
    with pytest.raises(ConfigError, match="each k must be at least 1"):
        load_search(path)
    path.write_text("name: x\ndata: {source: d.jsonl}\nspace: {debate: {rounds: [0]}}")
    with pytest.raises(ConfigError, match="each must be at least 1"):
        load_search(path)


def figures(correct: int, tokens: float, errors: int = 0) -> ArmFigures:
    return ArmFigures(
        problems=10, graded=10 - errors, errors=errors, correct=correct, accuracy=correct / 10,
        ci95_low=0.0, ci95_high=1.0, tokens_per_problem=tokens, cost_per_problem=None,
        seconds_per_problem=0.0,
    )  # fmt: skip


def score(name: str, correct: int, tokens: float, budget: SearchBudget) -> SearchCandidate:
    why = eligible(figures(correct, tokens), budget)
    return SearchCandidate(
        name=name, definition="", served="recorded", figures=figures(correct, tokens),
        eligible=not why, why_not=why,
    )  # fmt: skip


def test_the_winner_is_the_most_right_within_budget_then_the_cheapest() -> None:
    budget = SearchBudget(tokens_per_problem=100)
    scores = [
        score("a", 6, 50, budget),
        score("b", 8, 150, budget),  # best, over budget
        score("c", 7, 90, budget),
        score("d", 7, 60, budget),
    ]
    assert not scores[1].eligible and "150 tokens per problem > budget 100" in scores[1].why_not
    winner = choose_winner(scores)
    assert winner is not None and winner.name == "d"
    assert choose_winner([s for s in scores if s.name == "b"]) is None
