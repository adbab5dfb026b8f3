"""What the bench runner adds to a `single` problem, piece by piece, one problem at a time.

    python benchmarks/runner_pieces.py [--problems 100] [--rounds 12]

`benchmarks/call_cpu.py` measures its layers one after another, so their differences move
with the machine (a virtual machine's speed for this code moves by a third within
minutes). Here the variants are interleaved, round after round, in one process, against a
loopback server that answers at once, and each figure is the median CPU per problem over
the rounds:

- LangGraph around the bare post: a one-node graph whose node makes a bare HTTP post, the
  floor of any graph around one model call;
- `GraphRunner`: `single` as `council solve` runs it;
- the bench runner with, in turn, no staging, no disk writes, the writer's thread (as at
  concurrency > 1, where the event loop has other problems to serve), and as it runs.

The pieces are switched off by replacing the writer's methods for the batch (benchmark
instrumentation only): "no disk" keeps hashing and serialising but appends nothing, "no
staging" also skips them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_throughput import make_runner, problems
from call_cpu import bare_langgraph, bare_post

from benchmarks.loopback import stub_process
from benchmarks.provenance import announce
from council.bench import runner as bench_runner
from council.bench.datasets import Problem
from council.bench.grading import Grader
from council.bench.heap import settle_for_many_problems
from council.bench.problem import ProblemOutcome
from council.bench.runner import run_benchmark
from council.models.settings import ModelSettings
from council.run_log import writer

WRITER = (writer.RunRecorder.commit, writer.RunRecorder.stage, writer.WriteQueue)


def nothing_committed(self: writer.RunRecorder, batch: writer.StagedBatch) -> None:
    """Appends and fsyncs nothing."""


def nothing_staged(self: writer.RunRecorder, outcomes: list[ProblemOutcome]) -> writer.StagedBatch:
    """Neither hashes the messages nor serialises the lines."""
    return writer.StagedBatch([o.line for o in outcomes], b"", b"")


def with_thread(*args: Any, **kwargs: Any) -> writer.WriteQueue:
    """The writer as at concurrency > 1: every commit in a thread."""
    return writer.WriteQueue(*args, **{**kwargs, "inline": False})


VARIANTS: dict[str, tuple[Any, Any, Any]] = {
    "bench runner, no staging, no disk": (nothing_committed, nothing_staged, writer.WriteQueue),
    "bench runner, no disk": (nothing_committed, WRITER[1], writer.WriteQueue),
    "bench runner, writer in a thread": (WRITER[0], WRITER[1], with_thread),
    "bench runner (as it runs)": WRITER,
}


async def measure(base: str, count: int, rounds: int) -> None:
    runner = make_runner(base, ModelSettings(max_tokens=64, temperature=0.0, max_retries=0))
    items: Iterator[Problem] = itertools.cycle(problems(7000))
    batches = itertools.count()
    cpu: dict[str, list[float]] = {}

    async with aiohttp.ClientSession() as http:
        with Grader(workers=1) as grader, tempfile.TemporaryDirectory() as folder:
            floor = bare_langgraph(bare_post(http, base))

            async def graph_floor() -> None:
                for _ in range(count):
                    await floor()

            async def graph_runner() -> None:
                for _ in range(count):
                    await runner.arun(next(items).question)

            async def bench() -> None:
                batch = [next(items) for _ in range(count)]
                run_dir = Path(folder) / f"run{next(batches)}"
                await run_benchmark(runner, batch, run_dir, grader=grader, concurrency=1)

            settle_for_many_problems()  # as `council bench` does once its runner is built
            await bench()  # warm-up
            plain: dict[str, Callable[[], Awaitable[None]]] = {
                "LangGraph around the bare post": graph_floor,
                "GraphRunner (single)": graph_runner,
            }
            for _ in range(rounds):
                for label, run in plain.items():
                    cpu.setdefault(label, []).append(await cpu_ms(run, count))
                for label, (commit, stage, queue) in VARIANTS.items():
                    writer.RunRecorder.commit, writer.RunRecorder.stage = commit, stage
                    bench_runner.WriteQueue = queue  # type: ignore[misc]
                    try:
                        cpu.setdefault(label, []).append(await cpu_ms(bench, count))
                    finally:
                        writer.RunRecorder.commit, writer.RunRecorder.stage = WRITER[:2]
                        bench_runner.WriteQueue = WRITER[2]  # type: ignore[misc]
    base_ms = statistics.median(cpu["GraphRunner (single)"])
    for label, values in cpu.items():
        ms = statistics.median(values)
        print(f"{label:<36} {ms:6.2f} ms CPU per problem ({ms - base_ms:+.2f} vs GraphRunner)")


async def cpu_ms(run: Callable[[], Awaitable[None]], count: int) -> float:
    started = time.process_time()
    await run()
    return (time.process_time() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=100, help="per variant and round")
    parser.add_argument("--rounds", type=int, default=12, help="interleaved; medians printed")
    args = parser.parse_args()
    announce(__doc__.splitlines()[0] if __doc__ else "runner_pieces")
    with stub_process(0.0) as base:
        asyncio.run(measure(base, args.problems, args.rounds))


if __name__ == "__main__":
    main()
