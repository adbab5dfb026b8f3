"""`council search` against a loopback OpenAI-compatible server whose answers are scripted
by question, temperature and seed, so the split, every candidate's score, the winner, the
calls saved and the held-out verdict are known beforehand: each expected value below is
computed here by hand from the scripted sets (the seeded shuffle, majority votes, the
cascade's stopping rule, McNemar's binomial sum), never by council's code."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

import pytest
import yaml

from council.bench.grading import Grader
from council.search.runner import SearchRunner
from tests.support.doubling_stub import mcnemar, read_request, reply_right_or_wrong, write_rows
from tests.support.openai_stub import StubBehaviour, openai_stub

pytestmark = pytest.mark.integration

PROBLEMS = list(range(1, 21))
GREEDY = set(range(1, 13))  # T 0 (single, and the cascade's first ballot)
AT_07 = {  # T 0.7, by seed (sample i of a pool or a cascade has seed i)
    0: set(range(1, 11)),
    1: set(range(2, 15)) | {17},
    2: {1, 3, 5, 7, 9, 11, 13, 15, 17, 19},
    3: set(range(1, 15)),
    4: set(range(5, 21)),
}
AT_10 = {s: set(range(1, 7)) for s in range(5)}  # T 1.0: worse on every seed
TOKENS = 10  # the stub's usage per call: 7 prompt + 3 completion
BUDGET = 35  # tokens per problem: sc-5 (50) cannot win, sc-3 (30) can


def respond(body: dict[str, object]) -> str:
    request = read_request(body)
    n, temperature, seed = request.n, request.temperature, request.seed
    right = (
        n in GREEDY
        if temperature == 0
        else (n in AT_07[seed] if temperature == 0.7 else n in AT_10[seed])
    )
    return reply_right_or_wrong(n, right)


def majority(votes: list[bool]) -> bool:
    """Two values only (right, or the one wrong answer); a tie goes to the first ballot."""
    right, wrong = votes.count(True), votes.count(False)
    return votes[0] if right == wrong else right > wrong


def sc(n: int, k: int, sets: dict[int, set[int]]) -> bool:
    return majority([n in sets[s] for s in range(k)])


def cascade(n: int, samples: int) -> tuple[bool, int]:
    """Threshold 2: the greedy ballot and sample 1; if they split, sample 2 settles it (two
    values only, so three ballots always hold two that agree). Returns (right, calls)."""
    ballots = [n in GREEDY] + [n in AT_07[i] for i in range(1, samples)]
    if ballots[0] == ballots[1]:
        return ballots[0], 2
    return ballots[2], 3


def write_search(tmp_path: Path, base: str) -> Path:
    write_rows(tmp_path / "data.jsonl", PROBLEMS, gold="gsm8k")
    path = tmp_path / "search.yaml"
    path.write_text(
        f"""
name: stub-search
out: out
data: {{source: data.jsonl}}
model: {{name: openai/stub, api_base: "{base}"}}
settings: {{seed: 0}}
split: {{held_out: 0.5, seed: 7}}
budget: {{tokens_per_problem: {BUDGET}}}
space:
  self_consistency: {{samples: [1, 3, 5], temperatures: [0.7, 1.0]}}
  cascade: {{first_samples: [2], samples: [3, 5]}}
concurrency: 2
"""
    )
    return path


async def test_the_search_chooses_and_tests_as_computed_by_hand(tmp_path: Path) -> None:
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        path = write_search(tmp_path, base)
        with Grader(workers=1) as grader:
            outcome = await SearchRunner(path, grader=grader).run()
            again = await SearchRunner(path, grader=grader).run()  # resumes: no new calls
    calls_after_first = len(behaviour.requests)

    # the split: the seeded shuffle of the 20 ids, the first half held out
    split = json.loads((tmp_path / "out" / "split.json").read_text())
    ids = sorted(split["search"] + split["held_out"], key=lambda i: int(i.split("-")[0]))
    assert [int(i.split("-")[0]) for i in ids] == list(range(20))  # "row-hash", in row order
    order = list(ids)
    random.Random(7).shuffle(order)
    held = set(order[:10])
    search = [n for i, n in zip(ids, PROBLEMS, strict=True) if i not in held]
    held_out = [n for i, n in zip(ids, PROBLEMS, strict=True) if i in held]
    assert set(split["held_out"]) == held and len(split["search"]) == 10

    # every candidate's score on the search split
    expected = {"single": (sum(n in GREEDY for n in search), TOKENS)}
    for t, sets in ((0.7, AT_07), (1.0, AT_10)):
        for k in (1, 3, 5):
            expected[f"sc-{k}@{t:g}"] = (sum(sc(n, k, sets) for n in search), k * TOKENS)
    for samples in (3, 5):
        runs = [cascade(n, samples) for n in search]
        tokens = sum(calls for _, calls in runs) * TOKENS / len(search)
        expected[f"cascade-2of{samples}"] = (sum(right for right, _ in runs), tokens)
    scores = {c.name: c for c in outcome.candidates}
    assert set(scores) == set(expected)
    for name, (correct, tokens) in expected.items():
        assert scores[name].figures.correct == correct, name
        assert scores[name].figures.tokens_per_problem == pytest.approx(tokens), name
        assert scores[name].eligible == (tokens <= BUDGET), name
    assert scores["single"].served == "live" and scores["sc-5@0.7"].served == "recorded"

    # the winner: most right under the budget, then fewer tokens, then the space's order
    order_names = list(expected)
    winner = min(
        (n for n in expected if expected[n][1] <= BUDGET),
        key=lambda n: (-expected[n][0], expected[n][1], order_names.index(n)),
    )
    assert outcome.winner == winner
    assert winner == "cascade-2of3", "the script is meant to make the cascade win"

    # calls: made = single (1) + the 0.7 pool (5) + the 1.0 pool (5) per problem;
    # if each candidate ran alone: 1 + (1+3+5)*2 + the cascades' own calls
    cascade_calls = sum(cascade(n, s)[1] for n in search for s in (3, 5))
    assert outcome.calls_made == 11 * len(search)
    assert outcome.calls_if_live == len(search) * (1 + 9 * 2) + cascade_calls
    assert outcome.calls_saved == outcome.calls_if_live - outcome.calls_made

    # held out: the cascade live, against self-consistency at its measured tokens
    live = [cascade(n, 3) for n in held_out]
    target = sum(calls for _, calls in live) * TOKENS / len(held_out)
    k = min(range(1, 6), key=lambda kk: (abs(kk * TOKENS - target), kk))
    winner_right = {n for n, (right, _) in zip(held_out, live, strict=True) if right}
    baseline_right = {n for n in held_out if sc(n, k, AT_07)}
    b, c = len(winner_right - baseline_right), len(baseline_right - winner_right)
    test = outcome.held_out
    assert test is not None and test.baseline is not None and test.comparison is not None
    assert test.figures.correct == len(winner_right)
    assert test.baseline.k == k and test.baseline.figures.correct == len(baseline_right)
    assert (test.comparison.table.only_arm, test.comparison.table.only_other) == (b, c)
    assert test.comparison.mcnemar_p == pytest.approx(mcnemar(b, c))
    p = mcnemar(b, c)
    verdict = "not distinguishable" if p >= 0.05 or b == c else ("better" if b > c else "worse")
    assert test.verdict == verdict
    assert verdict in test.words

    # adaptive: each threshold's held-out accuracy, read from the held-out pool
    adaptive = {point.name: point for point in outcome.adaptive}
    for samples in (3, 5):
        point = adaptive[f"cascade-2of{samples}"]
        assert point.held_out is not None
        assert point.held_out.correct == sum(cascade(n, samples)[0] for n in held_out)
    assert adaptive["cascade-2of3"].chosen

    # the winner's graph file runs as is, and the second run made no call
    graph = yaml.safe_load((tmp_path / "out" / "winner.yaml").read_text())
    assert graph["name"] == "cascade"
    assert again.winner == outcome.winner and len(behaviour.requests) == calls_after_first


async def council(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "council.main", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


async def test_pool_scores_equal_live_runs_and_the_winner_file_runs(tmp_path: Path) -> None:
    """The CLI as a user runs it: `search run`, then `search verify` runs two candidates that
    were scored from the pool live and finds them equal problem by problem; the winner's
    graph file answers through `council solve` with the scripted model."""
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        path = write_search(tmp_path, base)
        code, text = await council("search", "run", str(path))
        assert code == 0, text[-2000:]
        assert (tmp_path / "out" / "search.md").exists() and "Winner" in text
        code, text = await council(
            "search", "verify", str(path), "--candidates", "sc-5@0.7,cascade-2of3"
        )
        assert code == 0, text[-2000:]
        assert text.count(": equal") == 2 and "NOT EQUAL" not in text
        assert "same answer on 10/10" in text
        kept = json.loads((tmp_path / "out" / "verify.json").read_text())["checks"]
        assert [(c["name"], c["equal"], c["same_tokens"]) for c in kept] == [
            ("sc-5@0.7", True, 10),
            ("cascade-2of3", True, 10),
        ]
        winner = tmp_path / "out" / "winner.yaml"
        code, text = await council(
            "solve", "--graph", str(winner), "--model", "openai/stub", "--api-base", base,
            "--seed", "0", "What is 4 + 4?",
        )  # fmt: skip
        assert code == 0, text[-2000:]
        assert "answer: 8" in text  # 4 is right for the greedy ballot and sample 1
        code, text = await council(
            "bench", "--graph", str(winner), "--dataset", str(tmp_path / "data.jsonl"),
            "--model", "openai/stub", "--api-base", base, "--seed", "0",
            "--out", str(tmp_path / "winner-bench"),
        )  # fmt: skip
        assert code == 0, text[-2000:]
    summary = json.loads((tmp_path / "winner-bench" / "summary.json").read_text())
    # the cascade on all 20 problems, by hand
    assert summary["correct"] == sum(cascade(n, 3)[0] for n in PROBLEMS)
    assert summary["calls_per_problem"] == sum(cascade(n, 3)[1] for n in PROBLEMS) / 20


async def test_a_cost_budget_per_problem_decides_who_may_win(tmp_path: Path) -> None:
    """With the model's price declared (USD 1000 / 2000 per million tokens: $0.013 a call),
    `budget: cost_per_problem: 0.04` lets self-consistency at k <= 3 win and not k = 5."""
    write_rows(tmp_path / "data.jsonl", PROBLEMS, gold="gsm8k")
    path = tmp_path / "search.yaml"
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        path.write_text(
            f"""
name: priced-search
out: out
data: {{source: data.jsonl}}
model:
  name: openai/stub
  api_base: "{base}"
  price: {{input_per_million: 1000, output_per_million: 2000}}
settings: {{seed: 0}}
split: {{held_out: 0.5, seed: 7}}
budget: {{cost_per_problem: 0.04}}
space:
  self_consistency: {{samples: [1, 3, 5], temperatures: [0.7]}}
  cascade: null
concurrency: 2
"""
        )
        with Grader(workers=1) as grader:
            outcome = await SearchRunner(path, grader=grader).run()
    per_call = (7 * 1000 + 3 * 2000) / 1_000_000
    split = json.loads((tmp_path / "out" / "split.json").read_text())
    ids = sorted(split["search"] + split["held_out"], key=lambda i: int(i.split("-")[0]))
    search = [n for i, n in zip(ids, PROBLEMS, strict=True) if i in set(split["search"])]
    expected = {"single": (sum(n in GREEDY for n in search), per_call)}
    for k in (1, 3, 5):
        expected[f"sc-{k}@0.7"] = (sum(sc(n, k, AT_07) for n in search), k * per_call)
    scores = {c.name: c for c in outcome.candidates}
    assert set(scores) == set(expected)
    for name, (correct, cost) in expected.items():
        assert scores[name].figures.correct == correct, name
        assert scores[name].figures.cost_per_problem == pytest.approx(cost), name
        assert scores[name].eligible == (cost <= 0.04), name
    order = list(expected)
    winner = min(
        (n for n in expected if expected[n][1] <= 0.04),
        key=lambda n: (-expected[n][0], expected[n][1], order.index(n)),
    )
    assert outcome.winner == winner
    assert not scores["sc-5@0.7"].eligible and "per problem > budget $0.04" in (
        scores["sc-5@0.7"].why_not or ""
    )


async def test_the_total_budget_stops_the_search_and_a_raised_one_resumes_it(
    tmp_path: Path,
) -> None:
    """`budget: max_tokens` stops the search cleanly (exit 4, saying what to raise); run
    again with it raised, the search finishes with the figures of a search never stopped,
    and no call is made twice."""
    behaviour = StubBehaviour(responder=respond)
    async with openai_stub(behaviour) as base:
        whole = tmp_path / "whole"
        whole.mkdir()
        code, text = await council("search", "run", str(write_search(whole, base)))
        assert code == 0, text[-2000:]
        calls_unstopped = len(behaviour.requests)

        stopped = tmp_path / "stopped"
        stopped.mkdir()
        path = write_search(stopped, base)
        original = path.read_text()
        budget = f"budget: {{tokens_per_problem: {BUDGET}"
        path.write_text(original.replace(budget, budget + ", max_tokens: 300"))
        code, text = await council("search", "run", str(path))
        assert code == 4, text[-2000:]
        assert "budget" in text and "raise" in text
        calls_when_stopped = len(behaviour.requests) - calls_unstopped
        assert 0 < calls_when_stopped < calls_unstopped

        path.write_text(original)  # the budget raised (here: removed)
        code, text = await council("search", "run", str(path))
        assert code == 0, text[-2000:]
    assert len(behaviour.requests) - calls_unstopped == calls_unstopped  # none made twice
    first = json.loads((whole / "out" / "search.json").read_text())
    resumed = json.loads((stopped / "out" / "search.json").read_text())
    assert resumed["winner"] == first["winner"]
    assert [(c["name"], c["figures"]["correct"], c["figures"]["tokens_per_problem"])
            for c in resumed["candidates"]] == [
        (c["name"], c["figures"]["correct"], c["figures"]["tokens_per_problem"])
        for c in first["candidates"]
    ]  # fmt: skip
    assert resumed["held_out"]["verdict"] == first["held_out"]["verdict"]
