"""Memory across problems: learned only from verified solves, retrieved into the planner's
and solver's prompts, deduplicated, capped, per namespace, and fully off when off."""

from __future__ import annotations

from pathlib import Path

import pytest

from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.memory_hook import MemoryHook
from council.bench.runner import run_benchmark
from council.graphs.run import RunResult
from council.memory import MemoryPolicy, MemoryStore, stream_with_memory
from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.runner import GraphRunner

STRATEGY = "divide the distance by the time to get the average speed"


def team_reply(verdict: str = "correct", lesson: str = STRATEGY) -> ScriptedModel:
    """Planner, solver, verifier and curator, told apart by their system prompts."""

    def respond(call: ScriptedCall) -> str:
        messages = call.messages
        system = messages[0].content
        if "planner" in system:
            return "STEPS:\n1. divide distance by time"
        if "verifier" in system:
            return f"VERDICT: {verdict}\nCONFIDENCE: 0.9\nFAILING_STEP: 1"
        if "critic" in system:
            return "FIX: recompute"
        if "notebook" in system:
            return f"STRATEGY: {lesson}\nPITFALL: do not multiply the distance by the time"
        return "REASONING: 120 / 2\nANSWER: 60"

    return ScriptedModel(responder=respond)


async def solve(runner: GraphRunner, problem: str, policy: MemoryPolicy | None) -> RunResult:
    result = None
    async for item in stream_with_memory(runner, problem, policy):
        if isinstance(item, RunResult):
            result = item
    assert result is not None
    return result


def prompts_of(model: ScriptedModel, role: str) -> list[str]:
    return [
        "\n".join(m.content for m in call)
        for call in model.calls
        if f"You are the {role}" in call[0].content
    ]


@pytest.fixture
def store(tmp_path: Path) -> MemoryStore:
    return MemoryStore(tmp_path / "memory.sqlite", namespace="test")


async def test_verified_solve_is_learned_and_reaches_later_prompts(store: MemoryStore) -> None:
    model = team_reply()
    runner = RunSpec(graph="solve").build(models=RoleModels(model))
    policy = MemoryPolicy.with_model(store, model, source_run="unit")

    first = await solve(
        runner, "A train goes 120 km in 2 hours. What is its average speed?", policy
    )
    assert first.status == "accepted"
    kinds = sorted(e.kind for e in store.entries())
    assert kinds == ["pitfall", "strategy"]
    entry = next(e for e in store.entries() if e.kind == "strategy")
    assert entry.text == STRATEGY and entry.source_run == "unit"
    assert "train goes 120 km" in entry.source_problem

    model.calls.clear()
    await solve(runner, "A cyclist rides 45 km in 3 hours. What is the average speed?", policy)
    assert all(STRATEGY in prompt for prompt in prompts_of(model, "planner"))
    assert all(STRATEGY in prompt for prompt in prompts_of(model, "solver"))
    assert prompts_of(model, "planner") and prompts_of(model, "solver")
    remembered = next(e for e in store.entries() if e.kind == "strategy")
    assert remembered.retrieved == 1 and remembered.helped == 1  # the second solve verified


async def test_rejected_solve_teaches_nothing(store: MemoryStore) -> None:
    model = team_reply(verdict="incorrect")
    runner = RunSpec(graph="solve", options=ProtocolOptions(rounds=2)).build(
        models=RoleModels(model)
    )
    result = await solve(
        runner, "A train goes 120 km in 2 hours. Speed?", MemoryPolicy.with_model(store, model)
    )
    assert result.status == "exhausted"
    assert store.entries() == []
    assert not prompts_of(model, "curator") and not any(
        "notebook" in c[0].content for c in model.calls
    )


async def test_unusable_curator_reply_still_leaves_a_lesson(store: MemoryStore) -> None:
    model = team_reply(lesson="")  # STRATEGY empty: the curator's output fails validation
    runner = RunSpec(graph="solve").build(models=RoleModels(model))
    await solve(
        runner, "A train goes 120 km in 2 hours. Speed?", MemoryPolicy.with_model(store, model)
    )
    [entry] = [e for e in store.entries() if e.kind == "strategy"]
    assert "60" in entry.text and "divide distance by time" in entry.text


async def test_memory_off_reads_and_writes_nothing(store: MemoryStore) -> None:
    store.add("strategy", STRATEGY, source_problem="an earlier speed problem")
    model = team_reply()
    runner = RunSpec(graph="solve").build(models=RoleModels(model))
    await solve(runner, "A cyclist rides 45 km in 3 hours. What is the average speed?", None)
    assert not any(STRATEGY in prompt for prompt in prompts_of(model, "solver"))
    [entry] = store.entries()
    assert entry.retrieved == 0 and entry.seen == 1


def test_duplicates_merge_and_count(store: MemoryStore) -> None:
    first = store.add("strategy", "Divide the distance by the time.", source_problem="p1")
    same_words = store.add("strategy", "divide the time... by the distance", source_problem="p2")
    near = store.add("strategy", "Divide the distance by the time taken.", source_problem="p3")
    other_kind = store.add("pitfall", "Divide the distance by the time.", source_problem="p4")
    assert first == same_words == near != other_kind
    [merged] = [e for e in store.entries() if e.kind == "strategy"]
    assert merged.seen == 3 and merged.source_problem == "p1"


def test_cap_keeps_the_most_helpful(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "m.sqlite", namespace="capped", max_entries=5)
    useful = store.add("strategy", "factor the quadratic before solving", source_problem="q")
    store.mark([useful], "helped")
    for index in range(12):
        store.add("strategy", f"lesson number {index} about topic{index}", source_problem="x")
    entries = store.entries()
    assert len(entries) == 5
    assert useful in {e.id for e in entries}
    assert "lesson number 11" in entries[-1].text  # the newest stay, the oldest unhelpful go


def test_namespaces_do_not_see_each_other(tmp_path: Path) -> None:
    chat = MemoryStore(tmp_path / "m.sqlite", namespace="chat")
    bench = MemoryStore(tmp_path / "m.sqlite", namespace="bench")
    chat.add("strategy", "draw a diagram of the triangle", source_problem="t")
    assert bench.entries() == [] and bench.search("triangle diagram") == []
    assert [e.text for e in chat.search("triangle")] == ["draw a diagram of the triangle"]
    assert bench.clear() == 0 and len(chat.entries()) == 1


def test_search_ranks_relevant_entries_first(store: MemoryStore) -> None:
    store.add("strategy", "for speed problems divide distance by time", source_problem="a")
    store.add(
        "strategy", "for percentages multiply by the rate over one hundred", source_problem="b"
    )
    store.add("strategy", "for area of a circle use pi r squared", source_problem="c")
    found = store.search("what is the speed if the distance is 10 km and time 2 h", limit=2)
    assert found[0].text.startswith("for speed problems")
    assert store.search("?!") == []


async def test_bench_memory_carries_lessons_in_order(tmp_path: Path) -> None:
    model = team_reply()
    runner = RunSpec(graph="solve").build(models=RoleModels(model))
    problems = [
        Problem(
            id=f"s{i}", question=f"A train goes {60 * i} km in {i} hours. Average speed?", gold="60"
        )
        for i in range(1, 4)
    ]
    hook = MemoryHook(tmp_path / "memory.sqlite", model=model)
    with Grader(workers=1) as grader:
        summary = await run_benchmark(
            runner, problems, tmp_path / "run", grader=grader, concurrency=4, hook=hook
        )
    assert summary.correct == 3
    planner_prompts = prompts_of(model, "planner")
    assert STRATEGY not in planner_prompts[0]  # nothing learned before the first problem
    assert all(STRATEGY in prompt for prompt in planner_prompts[1:])
    entries = MemoryStore(tmp_path / "memory.sqlite", namespace="bench").entries()
    strategy = next(e for e in entries if e.kind == "strategy")
    assert strategy.seen == 3 and strategy.helped == 2
