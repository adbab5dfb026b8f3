"""Framework overhead: time per agent step with a zero-latency model, and CLI start-up.

    python benchmarks/overhead.py [--problems 200]

The model answers instantly, so every microsecond measured is council's and LangGraph's
own: prompt rendering, parsing, state reduction, streaming.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

from council import Council, CouncilConfig
from council.messages import Message
from council.models.scripted import ScriptedModel

REPLIES = {
    "planner": "STEPS:\n1. read\n2. compute",
    "solver": "REASONING: 2+3=5\nANSWER: 5",
    "verifier": "VERDICT: incorrect\nCONFIDENCE: 0.6\nFAILING_STEP: 2\nREASON: recheck",
    "critic": "ISSUES:\n- recheck\nFIX: add again",
}


def instant(messages: Sequence[Message]) -> str:
    system = messages[0].content
    for role, reply in REPLIES.items():
        if f"You are the {role}" in system:
            return reply
    return "ANSWER: 0"


async def measure_steps(problems: int, rounds: int) -> tuple[float, int, float]:
    council = Council(CouncilConfig(max_rounds=rounds), models=ScriptedModel(responder=instant))
    await council.arun("warm-up")
    agent_steps = 0
    per_problem: list[float] = []
    started = time.perf_counter()
    for index in range(problems):
        t0 = time.perf_counter()
        result = await council.arun(f"What is 2+{index}?")
        per_problem.append(time.perf_counter() - t0)
        agent_steps += result.usage.total.calls
    elapsed = time.perf_counter() - started
    return elapsed / agent_steps * 1000, agent_steps, statistics.median(per_problem) * 1000


def measure_help(runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "council.cli.main", "--help"], check=True, capture_output=True
        )
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ms_per_step, steps, median_problem = asyncio.run(measure_steps(args.problems, args.rounds))
    print(
        f"solve graph, zero-latency model: {ms_per_step:.3f} ms per agent step "
        f"({steps} steps over {args.problems} problems, {args.rounds} rounds each; "
        f"median {median_problem:.2f} ms per problem)"
    )
    print(f"council --help: {measure_help(5) * 1000:.0f} ms (best of 5, includes Python start)")


if __name__ == "__main__":
    main()
