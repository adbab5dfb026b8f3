"""Framework overhead: time per agent step with a zero-latency model, and CLI start-up.

    python benchmarks/overhead.py [--problems 100] [--batches 5]

The model answers instantly, so all time measured is council's and LangGraph's own:
prompt rendering, parsing, state reduction, streaming. A bare LangGraph graph of the same
shape (no-op nodes) is timed the same way, to show what LangGraph itself costs. Each figure
is the best of several batches: this machine's timer noise is larger than the effect.
"""

from __future__ import annotations

import argparse
import asyncio
import operator
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

from council.models.roles import RoleModels
from council.models.scripted import ScriptedCall, ScriptedModel
from council.protocols import ProtocolOptions, RunSpec
from council.runner import GraphRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.provenance import announce

REPLIES = {
    "planner": "STEPS:\n1. read\n2. compute",
    "solver": "REASONING: 2+3=5\nANSWER: 5",
    "verifier": "VERDICT: incorrect\nCONFIDENCE: 0.6\nFAILING_STEP: 2\nREASON: recheck",
    "critic": "ISSUES:\n- recheck\nFIX: add again",
}


def instant(call: ScriptedCall) -> str:
    messages = call.messages
    system = messages[0].content
    for role, reply in REPLIES.items():
        if f"You are the {role}" in system:
            return reply
    return "ANSWER: 0"


async def council_batch(council: GraphRunner, problems: int) -> tuple[float, int]:
    steps = 0
    started = time.perf_counter()
    for index in range(problems):
        result = await council.arun(f"What is 2+{index}?")
        steps += result.usage.total.calls
    return time.perf_counter() - started, steps


class BareState(TypedDict):
    log: Annotated[list[int], operator.add]
    round: int


def bare_graph() -> Any:
    """The solve graph's shape with no-op nodes: plan, (solve, verify, critique) x3, finish."""
    from langgraph.graph import END, START, StateGraph

    async def noop(state: BareState) -> dict[str, Any]:
        return {"log": [1]}

    async def solve(state: BareState) -> dict[str, Any]:
        return {"log": [1], "round": state["round"] + 1}

    graph = StateGraph(BareState)
    for name in ("plan", "verify", "critique", "finish"):
        graph.add_node(name, noop)
    graph.add_node("solve", solve)
    graph.add_edge(START, "plan")
    graph.add_edge("plan", "solve")
    graph.add_edge("solve", "verify")
    graph.add_conditional_edges(
        "verify", lambda s: "critique" if s["round"] < 3 else "finish", ["critique", "finish"]
    )
    graph.add_edge("critique", "solve")
    graph.add_edge("finish", END)
    return graph.compile()


async def bare_batch(graph: Any, problems: int) -> tuple[float, int]:
    started = time.perf_counter()
    for _ in range(problems):
        await graph.ainvoke({"log": [], "round": 0})
    return time.perf_counter() - started, problems * 9


async def best_ms_per_step(run: Any, batches: int) -> float:
    await run()  # warm-up
    best = float("inf")
    for _ in range(batches):
        seconds, steps = await run()
        best = min(best, seconds / steps * 1000)
    return best


def measure_help(runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "council.main", "--help"], check=True, capture_output=True
        )
        times.append(time.perf_counter() - t0)
    return min(times)


async def measure(problems: int, batches: int) -> tuple[float, float]:
    council = RunSpec(graph="solve", options=ProtocolOptions(rounds=3)).build(
        models=RoleModels(ScriptedModel(responder=instant))
    )
    graph = bare_graph()
    ours = await best_ms_per_step(lambda: council_batch(council, problems), batches)
    bare = await best_ms_per_step(lambda: bare_batch(graph, problems), batches)
    return ours, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=100, help="problems per batch")
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "overhead")
    ours, bare = asyncio.run(measure(args.problems, args.batches))
    print(
        f"solve graph, zero-latency model: {ours:.3f} ms per agent step "
        f"(best of {args.batches} batches of {args.problems} problems, 9 agent steps each)"
    )
    print(
        f"bare LangGraph, same shape, no-op nodes: {bare:.3f} ms per step "
        f"→ council's own share {ours - bare:.3f} ms"
    )
    print(f"council --help: {measure_help(5) * 1000:.0f} ms (best of 5, includes Python start)")


if __name__ == "__main__":
    main()
